"""What an attempt's result or exception means: ok, a failure worth the next provider (connection error,
429, 5xx, timeout), or the caller's own problem (4xx, an unknown exception) that no other provider fixes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import httpx


@dataclass
class Verdict:
    ok: bool
    retryable: bool
    status: Optional[int] = None
    error_type: Optional[str] = None


def by_status(status: int) -> Verdict:
    if status == 429:
        return Verdict(False, True, status, "rate_limit")
    if status >= 500:
        return Verdict(False, True, status, "server_error")
    if status >= 400:
        return Verdict(False, False, status, "client_error")
    return Verdict(True, False, status)


def _status_of(obj: Any) -> Optional[int]:
    for attr in ("status_code", "status"):
        v = getattr(obj, attr, None)
        if isinstance(v, int) and not isinstance(v, bool) and 100 <= v < 600:
            return v
    return None


def classify_result(result: Any) -> Verdict:
    """A resolved value: an httpx/requests response (anything with a numeric status) is judged by it."""
    status = _status_of(result)
    return by_status(status) if status is not None else Verdict(True, False)


def classify_error(err: BaseException, timed_out: bool = False) -> Verdict:
    if timed_out or isinstance(err, (httpx.TimeoutException, TimeoutError)):
        return Verdict(False, True, None, "timeout")
    status = _status_of(err) or _status_of(getattr(err, "response", None))
    if status is not None and status >= 400:
        return by_status(status)
    name = type(err).__name__
    if isinstance(err, (httpx.TransportError, ConnectionError)) or "Connection" in name:
        return Verdict(False, True, None, "timeout" if "Timeout" in name else "connection")
    if "Timeout" in name:
        return Verdict(False, True, None, "timeout")
    return Verdict(False, False, None, "other")
