"""The wire shapes of lifeline's HTTP contract. Routes stay plain dicts (unknown fields tolerated;
``providers`` and ``down`` may be missing on an older server)."""
from __future__ import annotations

from typing import Any, Dict, List

Route = Dict[str, Any]

ERROR_TYPES = ("timeout", "connection", "rate_limit", "server_error", "client_error", "other")


def chain_of(route: Route) -> List[str]:
    """Chain order: the route's ``providers``, else its weights' keys (older servers), heaviest first."""
    providers = route.get("providers")
    if providers:
        return list(providers)
    weights = route.get("weights") or {}
    return sorted(weights, key=lambda p: -(weights.get(p) or 0))
