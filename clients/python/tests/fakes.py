"""A small fake lifeline implementing the route-client contract (route JSON with ETag and long-poll, the
SSE stream, POST /v1/outcomes) and fake providers answering 200, 503 or never."""
from __future__ import annotations

import json
import random
import socket
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, urlparse

TOKEN = "read-token"
INGEST = "ingest-token"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class FakeLifeline:
    def __init__(self, route: Dict[str, Any], sse: bool = True, port: int = 0):
        self.route: Dict[str, Any] = {"id": "chat", "mode": "normal", "version": 1, "updatedAt": _now(), "hints": {}, "down": [], "weights": {}, **route}
        self.sse = sse
        self.batches: List[Dict[str, Any]] = []
        self.hits = {"events": 0, "polls": 0}
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self.port = port
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_route(self, **change: Any) -> Dict[str, Any]:
        with self._changed:
            self.route = {**self.route, **change, "version": self.route["version"] + 1, "updatedAt": _now()}
            self._changed.notify_all()
        return self.route

    def start(self) -> None:
        self._closing.clear()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                if self.path != "/v1/outcomes" or self.headers.get("authorization") != f"Bearer {INGEST}":
                    return self._json(401, {"error": "unauthorized"})
                fake.batches.append({"auth": self.headers.get("authorization"), "body": body})
                self._json(202, {"accepted": len(body["outcomes"])})

            def do_GET(self) -> None:
                u = urlparse(self.path)
                if self.headers.get("authorization") != f"Bearer {TOKEN}":
                    return self._json(401, {"error": "unauthorized"})
                base = f"/v1/routes/{fake.route['id']}"
                if u.path == f"{base}/events":
                    if not fake.sse:
                        return self._json(404, {"error": "not found"})
                    fake.hits["events"] += 1
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.end_headers()
                    sent = None
                    while not fake._closing.is_set():
                        with fake._changed:
                            if sent == fake.route["version"]:
                                fake._changed.wait(0.2)
                            route = fake.route
                        if sent != route["version"]:
                            try:
                                self.wfile.write(f"event: route\nid: {route['version']}\ndata: {json.dumps(route)}\n\n".encode())
                                self.wfile.flush()
                            except OSError:
                                return
                            sent = route["version"]
                    return
                if u.path == base:
                    fake.hits["polls"] += 1
                    wait = int(parse_qs(u.query).get("wait", ["0"])[0])
                    tag = lambda: f'"{fake.route["version"]}"'  # noqa: E731
                    if wait and self.headers.get("if-none-match") == tag():
                        deadline = time.monotonic() + wait
                        with fake._changed:
                            while self.headers.get("if-none-match") == tag() and time.monotonic() < deadline and not fake._closing.is_set():
                                fake._changed.wait(0.1)
                    if self.headers.get("if-none-match") == tag():
                        self.send_response(304)
                        self.send_header("etag", tag())
                        self.end_headers()
                        return
                    return self._json(200, fake.route, {"etag": tag()})
                self._json(404, {"error": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._server.allow_reuse_address = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        """lifeline down: streams end, the port refuses connections; start() brings it back."""
        self._closing.set()
        with self._changed:
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def outcomes(self) -> List[Dict[str, Any]]:
        return [o for b in self.batches for o in b["body"]["outcomes"]]


class FakeProvider:
    def __init__(self, name: str, mode: str = "ok"):
        self.name, self.mode, self.hits = name, mode, 0
        self._release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.hits += 1
                if fake.mode == "hang":
                    fake._release.wait(30)  # never answers in time: the attempt timeout must move on
                    return
                status = 503 if fake.mode == "503" else 200
                raw = json.dumps({"provider": fake.name}).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


def refused_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def seeded(seed: int) -> Callable[[], float]:
    return random.Random(seed).random


def until(cond: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
