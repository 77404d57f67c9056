"""Which providers one request tries, in which order. Weighted random (not "top weight wins"), so a 10 %
failback step really sends 10 %. Pure: tests drive it with a seeded random source."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, List, Mapping, Optional, Set

from .types import Route, chain_of


def weighted_pick(weights: Mapping[str, float], eligible: Iterable[str], rand: Callable[[], float]) -> Optional[str]:
    pool = [p for p in eligible if (weights.get(p) or 0) > 0]
    total = sum(weights[p] for p in pool)
    if total <= 0:
        return None
    r = rand() * total
    for p in pool:
        r -= weights[p]
        if r < 0:
            return p
    return pool[-1]


@dataclass
class Plan:
    order: List[str]
    trial: bool
    emergency: bool


def plan_attempts(
    route: Route,
    blocked: Set[str],
    trial_candidates: Iterable[str],
    trial_share: float,
    max_attempts: int,
    rand: Callable[[], float],
) -> Plan:
    """The picked provider first, then the rest of the chain; never one lifeline holds ``down`` nor one the
    local breaker has open, unless that would leave nothing (then the route's own view decides)."""
    if route.get("mode") == "emergency":
        return Plan([], False, True)
    down = set(route.get("down") or [])
    chain = [p for p in chain_of(route) if p not in down]
    eligible = [p for p in chain if p not in blocked] or chain
    if not eligible:
        return Plan([], False, True)
    weights = route.get("weights") or {}
    first = weighted_pick(weights, eligible, rand)
    order = [first] + [p for p in eligible if p != first] if first else eligible
    trials = [p for p in trial_candidates if p not in down and p != first]
    trial = False
    if trials and rand() < trial_share:
        t = trials[int(rand() * len(trials))]
        order = [t] + [p for p in order if p != t]
        trial = True
    return Plan(order[: max(1, max_attempts)], trial, False)
