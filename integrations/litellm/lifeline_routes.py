"""lifeline routes inside a LiteLLM proxy, without a database.

LiteLLM's management API (POST /model/update, which lifeline's `publishers.litellm` pushes weights to)
only exists when the proxy stores its models in Postgres (STORE_MODEL_IN_DB and DATABASE_URL): a
DB-less proxy, the common way to run it from a config file, answers "No DB Connected". This callback
closes that gap from the other side: it follows lifeline's route for each chain (GET /v1/routes/:chain,
long-polled when the server supports `?wait=`, else polled) and, at every routing decision, keeps the
deployments the route sends traffic to, picking one by the route's weights (so a 10 % failback step
sends 10 %). A proxy restart loses nothing: the route is read again at start.

Deployments opt in through their model_info in the proxy config:

    model_list:
      - model_name: chat
        litellm_params: { model: openai/gpt-4o-mini, api_base: https://… }
        model_info: { id: dep-openai, lifeline_chain: chat, lifeline_provider: openai }
    litellm_settings:
      callbacks: lifeline_routes.proxy_handler_instance   # this file, next to the config

Environment: LIFELINE_URL (e.g. http://lifeline:8080), LIFELINE_TOKEN (a read-scoped token),
LIFELINE_POLL_MS (default 500: the pause between polls when the server cannot long-poll).
When lifeline cannot be reached the last route read stays in force; before any route is read, and
when the route leaves no candidate (every weighted deployment is in LiteLLM's cooldown, or the
route is in emergency with all weights 0), LiteLLM's own choice stands. Standard library only.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

try:  # inside the proxy; the pure helpers below also load without LiteLLM (for tests)
    from litellm.integrations.custom_logger import CustomLogger
except ImportError:  # pragma: no cover
    CustomLogger = object  # type: ignore[misc,assignment]

LONG_POLL_S = 20


def route_candidates(route, deployments):
    """The deployments the route sends traffic to, each with its weight (pure: tested on its own)."""
    weights = route.get("weights") or {}
    down = set(route.get("down") or [])
    out = []
    for d in deployments:
        info = d.get("model_info") or {}
        provider = info.get("lifeline_provider")
        if provider is None or provider in down:
            continue
        w = weights.get(provider, 0)
        if isinstance(w, (int, float)) and w > 0:
            out.append((d, float(w)))
    return out


class RouteFollower:
    """Keeps one chain's route fresh in a daemon thread."""

    def __init__(self, base_url, token, chain, poll_s):
        self.url = f"{base_url.rstrip('/')}/v1/routes/{urllib.parse.quote(chain, safe='')}"
        self.token = token
        self.poll_s = poll_s
        self.route = None
        self.etag = None
        threading.Thread(target=self._run, name=f"lifeline-route-{chain}", daemon=True).start()

    def _fetch(self):
        url, headers = self.url, {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if self.etag:
            headers["if-none-match"] = self.etag
            url = f"{url}?wait={LONG_POLL_S}"
        req = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=LONG_POLL_S + 10) as res:
                body = json.loads(res.read().decode("utf-8"))
                if isinstance(body, dict) and isinstance(body.get("weights"), dict):
                    self.route = body
                    self.etag = res.headers.get("etag")
        except urllib.error.HTTPError as e:
            if e.code != 304:
                raise

    def _run(self):
        while True:
            started = time.monotonic()
            try:
                self._fetch()
            except Exception:  # lifeline unreachable: keep the last route, try again after a pause
                time.sleep(self.poll_s)
                continue
            # A server without long-poll answers at once: pace the polls.
            if time.monotonic() - started < self.poll_s:
                time.sleep(self.poll_s)


class LifelineRoutes(CustomLogger):
    def __init__(self):
        super().__init__()
        self.base_url = os.environ.get("LIFELINE_URL", "")
        self.token = os.environ.get("LIFELINE_TOKEN")
        self.poll_s = float(os.environ.get("LIFELINE_POLL_MS", "500")) / 1000
        self.followers = {}
        self.lock = threading.Lock()

    def follower(self, chain):
        with self.lock:
            f = self.followers.get(chain)
            if f is None and self.base_url:
                f = self.followers[chain] = RouteFollower(self.base_url, self.token, chain, self.poll_s)
            return f

    async def async_filter_deployments(
        self, model, healthy_deployments, messages, request_kwargs=None, parent_otel_span=None
    ):
        chains = {(d.get("model_info") or {}).get("lifeline_chain") for d in healthy_deployments}
        chains.discard(None)
        if len(chains) != 1:
            return healthy_deployments  # not a lifeline-routed group (or an ambiguous one)
        f = self.follower(chains.pop())
        if f is None or f.route is None:
            return healthy_deployments
        candidates = route_candidates(f.route, healthy_deployments)
        if not candidates:
            return healthy_deployments
        picked = random.choices([d for d, _ in candidates], weights=[w for _, w in candidates])[0]
        return [picked]


proxy_handler_instance = LifelineRoutes()
