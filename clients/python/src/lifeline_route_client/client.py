"""RouteClient: follows one chain's route from lifeline and runs each request on the provider it picks,
failing over along the chain within the same call. See README.md for the behaviour in full."""
from __future__ import annotations

import random as _random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, TypeVar, Union

from .breaker import LocalBreaker
from .classify import Verdict, classify_error, classify_result
from .outcomes import OutcomeReporter
from .pick import plan_attempts
from .route_source import RouteSource
from .types import Route, chain_of

T = TypeVar("T")


class RouteEmergencyError(Exception):
    """The route is in emergency mode (no healthy provider), or nothing is known: serve from cache/static."""

    def __init__(self, route: Optional[Route]):
        super().__init__(
            f"chain {route['id']} is in emergency mode: use the cache/static tier" if route else "no route known: use the cache/static tier"
        )
        self.route = route


@dataclass
class AttemptRecord:
    provider: str
    trial: bool
    ok: bool
    latency_ms: int
    status: Optional[int] = None
    error_type: Optional[str] = None
    error: Optional[BaseException] = None


class AllAttemptsFailedError(Exception):
    """Every attempt of one call failed (bounded by max_attempts and the providers available)."""

    def __init__(self, attempts: List[AttemptRecord]):
        super().__init__(
            f"all {len(attempts)} attempt(s) failed: " + ", ".join(f"{a.provider} {a.status or a.error_type}" for a in attempts)
        )
        self.attempts = attempts


@dataclass
class AttemptContext:
    request_id: str
    attempt: int
    trial: bool
    #: seconds left for this attempt: pass it to your HTTP client (e.g. httpx timeout=ctx.timeout)
    timeout: float
    #: lifeline's recovery hints for this provider (e.g. use_backup_key, throttle)
    hints: List[str] = field(default_factory=list)


@dataclass
class Picked:
    #: None: emergency (or nothing known): serve from the cache/static tier
    provider: Optional[str]
    trial: bool
    emergency: bool
    hints: List[str]
    order: List[str]
    route: Optional[Route]
    #: live | last-known (lifeline unreachable) | default (never reached yet) | none
    source: str


class RouteClient:
    def __init__(
        self,
        url: str,
        token: str,
        chain: str,
        *,
        ingest_token: Optional[str] = None,
        app: Optional[str] = None,
        default_route: Optional[Route] = None,
        attempt_timeout: float = 2.0,
        max_attempts: int = 3,
        trial_share: float = 0.05,
        recovering_trial_share: float = 0.25,
        breaker_threshold: int = 1,
        breaker_cool_down: float = 10.0,
        poll_interval: float = 1.0,
        long_poll_seconds: int = 25,
        stream_retry: float = 10.0,
        stream_idle: float = 45.0,
        request_timeout: float = 3.0,
        outcomes: Union[bool, Dict[str, Any]] = True,
        max_workers: int = 32,
        random: Optional[Callable[[], float]] = None,
        on_route: Optional[Callable[[Route], None]] = None,
        on_error: Optional[Callable[[BaseException], None]] = None,
    ):
        url = url.rstrip("/")
        self._chain = chain
        self._attempt_timeout = attempt_timeout
        self._max_attempts = max_attempts
        self._trial_share = trial_share
        # lifeline's failback waits for trial evidence at a provider it let go of `down`: send it quickly.
        self._recovering_trial_share = recovering_trial_share
        self._random = random or _random.random
        self._breaker = LocalBreaker(breaker_threshold, breaker_cool_down)
        self._fallback: Optional[Route] = {"id": chain, "mode": "normal", "version": 0, **default_route} if default_route else None
        self._live: Optional[Route] = None
        self._recovering: set = set()
        self._first = threading.Event()
        self._on_route = on_route
        # Attempts run here so a per-attempt timeout holds even when fn blocks past it.
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="lifeline-attempt")
        cfg = {} if outcomes is True else outcomes
        self._reporter = (
            OutcomeReporter(
                url,
                ingest_token or token,
                app,
                batch_size=cfg.get("batch_size", 100),
                flush_interval=cfg.get("flush_interval", 1.0),
                max_queue=cfg.get("max_queue", 10_000),
                timeout=request_timeout,
            )
            if cfg is not False
            else None
        )
        self._source = RouteSource(
            url,
            token,
            chain,
            self._route_changed,
            poll_interval=poll_interval,
            long_poll_seconds=long_poll_seconds,
            stream_retry=stream_retry,
            stream_idle=stream_idle,
            request_timeout=request_timeout,
            on_error=on_error,
        )

    def _route_changed(self, route: Route) -> None:
        down = route.get("down") or []
        weights = route.get("weights") or {}
        # Replaced, never mutated: pick() may be iterating the old set in another thread.
        self._recovering = {p for p in (self._recovering | set(down)) if not (weights.get(p) or 0) > 0}
        self._breaker.route_changed(route["version"], down)
        self._live = route
        self._first.set()
        if self._on_route:
            self._on_route(route)

    @property
    def route(self) -> Optional[Route]:
        return self._live or self._fallback

    def ready(self, timeout: float = 10.0) -> Route:
        """Waits for the first route from lifeline."""
        if not self._first.wait(timeout):
            raise TimeoutError(f"no route for {self._chain} within {timeout} s")
        assert self._live is not None
        return self._live

    def pick(self) -> Picked:
        route = self.route
        source = ("live" if self._source.connected else "last-known") if self._live else ("default" if self._fallback else "none")
        if route is None:
            return Picked(None, False, True, [], [], None, source)
        chain = chain_of(route)
        half_open = [p for p in chain if self._breaker.is_half_open(p)]
        blocked = {p for p in chain if self._breaker.is_open(p)} | set(half_open)
        candidates = [p for p in dict.fromkeys([*self._recovering, *half_open]) if not self._breaker.is_open(p)]
        down = set(route.get("down") or [])
        released = any(p not in down and not self._breaker.is_open(p) for p in self._recovering)
        share = self._recovering_trial_share if released else self._trial_share
        plan = plan_attempts(route, blocked, candidates, share, self._max_attempts, self._random)
        provider = plan.order[0] if plan.order else None
        hints = list((route.get("hints") or {}).get(provider, [])) if provider else []
        return Picked(provider, plan.trial, plan.emergency, hints, plan.order, route, source)

    def _attempt(self, fn: Callable[[str, AttemptContext], T], provider: str, ctx: AttemptContext):
        future = self._pool.submit(fn, provider, ctx)
        try:
            result = future.result(timeout=self._attempt_timeout)
            return classify_result(result), result, None
        except FutureTimeout as err:
            future.cancel()
            return classify_error(err, timed_out=True), None, err
        except Exception as err:  # noqa: BLE001 - classified, then re-raised or failed over
            return classify_error(err), None, err

    def call(self, fn: Callable[[str, AttemptContext], T]) -> T:
        """Runs ``fn(provider, ctx)`` on the picked provider; on a connection error, 429/5xx or the attempt
        timeout, on the next provider of the chain at once (bounded by max_attempts)."""
        picked = self.pick()
        if picked.emergency:
            raise RouteEmergencyError(picked.route)
        route = picked.route or {}
        request_id = str(uuid.uuid4())
        attempts: List[AttemptRecord] = []
        for i, provider in enumerate(picked.order):
            trial = picked.trial and i == 0
            ctx = AttemptContext(request_id, i, trial, self._attempt_timeout, list((route.get("hints") or {}).get(provider, [])))
            started = time.perf_counter()
            verdict, result, error = self._attempt(fn, provider, ctx)
            latency_ms = round((time.perf_counter() - started) * 1000)
            final = verdict.ok or not verdict.retryable or i == len(picked.order) - 1
            self._report(request_id, provider, latency_ms, verdict, final, trial)
            attempts.append(AttemptRecord(provider, trial, verdict.ok, latency_ms, verdict.status, verdict.error_type, error))
            if verdict.ok or not verdict.retryable:
                if verdict.ok or verdict.error_type == "client_error":
                    self._breaker.success(provider)
                if error is not None:
                    raise error
                return result  # type: ignore[return-value]
            self._breaker.failure(provider, int(route.get("version", 0)))
        raise AllAttemptsFailedError(attempts)

    def _report(self, request_id: str, provider: str, latency_ms: int, v: Verdict, final: bool, trial: bool) -> None:
        if not self._reporter:
            return
        o: Dict[str, Any] = {
            "requestId": request_id,
            "chain": self._chain,
            "provider": provider,
            "at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "latencyMs": latency_ms,
            "ok": v.ok,
            "final": final,
        }
        if v.status is not None:
            o["status"] = v.status
        if v.error_type:
            o["errorType"] = v.error_type
        if trial:
            o["trial"] = True
        self._reporter.add(o)

    def stats(self) -> Dict[str, Any]:
        return {
            "transport": self._source.transport,
            "connected": self._source.connected,
            "version": self._live["version"] if self._live else None,
            "outcomes_sent": self._reporter.sent if self._reporter else 0,
            "outcomes_dropped": self._reporter.dropped if self._reporter else 0,
            "breaker_open": self._breaker.open(),
        }

    def close(self) -> None:
        """Stops following the route, flushes queued outcomes."""
        self._source.close()
        if self._reporter:
            self._reporter.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> "RouteClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
