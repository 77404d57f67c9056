"""Keeps the latest route of one chain in a background thread: the SSE stream
``GET /v1/routes/:chain/events`` when the server has it, else long-poll (``?wait=`` with If-None-Match;
an older server that ignores ``wait`` is simply polled every ``poll_interval``). The stream is retried every
``stream_retry`` seconds while polling. The last route received stays in use while lifeline is down."""
from __future__ import annotations

import json
import socket
import threading
import time
from typing import Callable, Optional
from urllib.parse import quote

import httpx

from .sse import parse_sse
from .types import Route


class RouteSource:
    def __init__(
        self,
        url: str,
        token: str,
        chain: str,
        on_route: Callable[[Route], None],
        poll_interval: float,
        long_poll_seconds: int,
        stream_retry: float,
        stream_idle: float,
        request_timeout: float,
        on_error: Optional[Callable[[BaseException], None]] = None,
    ):
        self._route_url = f"{url}/v1/routes/{quote(chain, safe='')}"
        self._headers = {"authorization": f"Bearer {token}"}
        self._on_route = on_route
        self._on_error = on_error
        self._poll_interval = poll_interval
        self._long_poll = long_poll_seconds
        self._stream_retry = stream_retry
        self._stream_idle = stream_idle
        self._request_timeout = request_timeout
        self._stop = threading.Event()
        self._etag: Optional[str] = None
        self._stamp = ""
        self._response: Optional[httpx.Response] = None
        self.transport = "none"
        self.connected = False
        self.version: Optional[int] = None
        self._http = httpx.Client(timeout=request_timeout)
        self._thread = threading.Thread(target=self._run, name="lifeline-route", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._follow()
        finally:
            self._http.close()

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                self._stream()
            except Exception as err:  # noqa: BLE001 - any failure means: poll for a while
                self._failed(err)
            if self._stop.is_set():
                break
            self.transport = "poll"
            until = time.monotonic() + self._stream_retry
            while not self._stop.is_set() and time.monotonic() < until:
                started = time.monotonic()
                try:
                    changed = self._poll()
                except Exception as err:  # noqa: BLE001
                    self._failed(err)
                    changed = False
                rest = self._poll_interval - (time.monotonic() - started)
                if not changed and rest > 0:
                    self._stop.wait(rest)

    def _failed(self, err: BaseException) -> None:
        if self._stop.is_set():
            return
        self.connected = False
        if self._on_error:
            self._on_error(err)

    def _stream(self) -> None:
        # The read timeout is the idle watchdog: the server pings every 15 s.
        timeout = httpx.Timeout(self._request_timeout, read=self._stream_idle)
        headers = {**self._headers, "accept": "text/event-stream"}
        with self._http.stream("GET", f"{self._route_url}/events", headers=headers, timeout=timeout) as res:
            self._response = res
            if res.status_code != 200 or not res.headers.get("content-type", "").startswith("text/event-stream"):
                raise RuntimeError(f"route stream unavailable: HTTP {res.status_code}")
            self.transport = "sse"
            self.connected = True
            for event in parse_sse(res.iter_lines()):
                if self._stop.is_set():
                    return
                if event.event == "route":
                    self._accept(json.loads(event.data))

    def _poll(self) -> bool:
        headers = dict(self._headers)
        if self._etag:
            headers["if-none-match"] = self._etag
        timeout = httpx.Timeout(self._request_timeout, read=self._long_poll + self._request_timeout)
        # Streamed so that close() can cut a long-poll short (see close()).
        with self._http.stream("GET", self._route_url, params={"wait": self._long_poll}, headers=headers, timeout=timeout) as res:
            self._response = res
            res.read()
        self.connected = res.status_code in (200, 304)
        if res.status_code == 304:
            return False
        if res.status_code != 200:
            raise RuntimeError(f"route poll: HTTP {res.status_code}")
        self._etag = res.headers.get("etag")
        return self._accept(res.json())

    def _accept(self, route: Route) -> bool:
        if not isinstance(route, dict) or not isinstance(route.get("version"), int) or not isinstance(route.get("weights"), dict):
            return False
        stamp = json.dumps(
            [route["version"], route.get("updatedAt"), route["weights"], route.get("mode"), route.get("down"), route.get("hints")],
            sort_keys=True,
        )
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        self.version = route["version"]
        self._on_route(route)
        return True

    def close(self) -> None:
        self._stop.set()
        res = self._response
        if res is not None:
            # Closing a socket does not wake a recv() blocked in another thread on Linux; shutting it down does.
            try:
                sock = res.extensions["network_stream"].get_extra_info("socket")
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
            except Exception:  # noqa: BLE001 - the stream may already be gone
                pass
        # A long-poll still waiting for its answer (no socket to shut down before the headers) is not waited
        # for: the daemon thread ends when it returns, and closes its HTTP client itself.
        self._thread.join(timeout=0.5)
