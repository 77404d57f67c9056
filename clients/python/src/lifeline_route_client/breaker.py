"""The client's own breaker: drops a provider after ``threshold`` consecutive failed attempts without
waiting for lifeline. It closes when a trial succeeds after the cool-down (half-open), or when the route
catches up (a newer version holding the provider ``down``: the route excludes it now)."""
from __future__ import annotations

import threading
import time
from typing import Callable, Dict, Iterable, List


class LocalBreaker:
    def __init__(self, threshold: int, cool_down: float, now: Callable[[], float] = time.monotonic):
        self._threshold = threshold
        self._cool_down = cool_down
        self._now = now
        self._lock = threading.Lock()
        self._failures: Dict[str, int] = {}
        self._opened: Dict[str, tuple] = {}  # provider -> (opened at, route version)

    def success(self, p: str) -> None:
        with self._lock:
            self._failures.pop(p, None)
            self._opened.pop(p, None)

    def failure(self, p: str, version: int) -> None:
        with self._lock:
            self._failures[p] = self._failures.get(p, 0) + 1
            # A failed trial re-opens at once and restarts the cool-down.
            if self._failures[p] >= self._threshold or p in self._opened:
                self._opened[p] = (self._now(), version)

    def is_open(self, p: str) -> bool:
        o = self._opened.get(p)
        return o is not None and self._now() - o[0] < self._cool_down

    def is_half_open(self, p: str) -> bool:
        o = self._opened.get(p)
        return o is not None and self._now() - o[0] >= self._cool_down

    def route_changed(self, version: int, down: Iterable[str]) -> None:
        with self._lock:
            for p in down:
                o = self._opened.get(p)
                if o is not None and version > o[1]:
                    self._opened.pop(p, None)
                    self._failures.pop(p, None)

    def open(self) -> List[str]:
        return [p for p in list(self._opened) if self.is_open(p)]
