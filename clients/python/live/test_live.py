"""The Python client against a running lifeline (run by test/integration/python-client.test.ts, which starts
the service and passes its address; not collected by a plain `pytest`): it follows an operator failover
made through the API over the SSE stream, its calls go to the new provider, and its outcome reports are
accepted."""
import os
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from fakes import FakeProvider, until  # noqa: E402

from lifeline_route_client import RouteClient  # noqa: E402


def env(name: str) -> str:
    value = os.environ.get(name)
    assert value, f"{name} must be set (the jest test that runs this file sets it)"
    return value


def test_follows_an_operator_failover_against_the_running_service():
    url = env("LIFELINE_URL")
    providers = {name: FakeProvider(name) for name in ("openai", "anthropic")}
    urls = {name: p.url for name, p in providers.items()}
    client = RouteClient(url, env("LIFELINE_READ_TOKEN"), "chat", ingest_token=env("LIFELINE_INGEST_TOKEN"), poll_interval=0.1, outcomes={"flush_interval": 0.1})
    try:
        first = client.ready(30)
        assert first["weights"].get("openai") == 100 and first["mode"] == "normal"
        assert first["providers"] == ["openai", "anthropic"] and first["down"] == []
        assert client.stats()["transport"] == "sse"
        for _ in range(10):
            assert client.call(lambda p, ctx: httpx.get(urls[p], timeout=ctx.timeout)).json() == {"provider": "openai"}

        res = httpx.post(
            f"{url}/v1/routes/chat/failover",
            json={"from": "openai", "to": "anthropic", "mode": "immediate"},
            headers={"authorization": f"Bearer {env('LIFELINE_OPERATOR_TOKEN')}"},
        )
        assert res.status_code == 202, res.text
        until(lambda: (client.route["weights"].get("anthropic") or 0) == 100, "the client sees the failover", timeout=30)
        assert client.route["version"] > first["version"]

        before = providers["openai"].hits
        for _ in range(20):
            assert client.call(lambda p, ctx: httpx.get(urls[p], timeout=ctx.timeout)).json() == {"provider": "anthropic"}
        assert providers["openai"].hits == before
        assert providers["anthropic"].hits == 20
        # Every attempt was reported to POST /v1/outcomes and accepted, none dropped.
        until(lambda: client.stats()["outcomes_sent"] == 30, "outcomes accepted")
        assert client.stats()["outcomes_dropped"] == 0
    finally:
        client.close()
        for p in providers.values():
            p.close()
