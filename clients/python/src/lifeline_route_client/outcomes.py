"""Outcome reports: queued per attempt, POSTed to /v1/outcomes in batches from a background thread (when a
batch is full or every ``flush_interval``), never blocking a request. When lifeline is down a batch is
dropped and counted; the queue is bounded so a long outage cannot grow memory."""
from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional

import httpx


class OutcomeReporter:
    def __init__(self, url: str, token: str, app: Optional[str], batch_size: int, flush_interval: float, max_queue: int, timeout: float):
        self._url = f"{url}/v1/outcomes"
        self._headers = {"authorization": f"Bearer {token}"}
        self._app = app
        self._batch_size = min(batch_size, 1000)
        self._flush_interval = flush_interval
        self._max_queue = max_queue
        self._queue: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._http = httpx.Client(timeout=timeout)
        self.sent = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="lifeline-outcomes", daemon=True)
        self._thread.start()

    def add(self, outcome: Dict[str, Any]) -> None:
        with self._lock:
            self._queue.append(outcome)
            over = len(self._queue) - self._max_queue
            if over > 0:
                del self._queue[:over]
                self.dropped += over
            full = len(self._queue) >= self._batch_size
        if full:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            woke = self._wake.wait(self._flush_interval)
            self._wake.clear()
            # A size-triggered wake sends full batches only; the interval sends what is there.
            self._flush(full_only=woke and not self._stop.is_set())
        self._flush(full_only=False)

    def _flush(self, full_only: bool) -> None:
        while True:
            with self._lock:
                if len(self._queue) < (self._batch_size if full_only else 1):
                    return
                batch = self._queue[: self._batch_size]
                del self._queue[: self._batch_size]
            body: Dict[str, Any] = {"outcomes": batch}
            if self._app:
                body["app"] = self._app
            try:
                ok = self._http.post(self._url, json=body, headers=self._headers).status_code == 202
            except httpx.HTTPError:
                ok = False
            if ok:
                self.sent += len(batch)
            else:
                self.dropped += len(batch)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self._http.close()
