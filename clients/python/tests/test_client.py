"""The Python route client against a fake lifeline and fake providers on 127.0.0.1."""
import time

import httpx
import pytest
from fakes import INGEST, TOKEN, refused_url, seeded, until

from lifeline_route_client import AllAttemptsFailedError, RouteClient, RouteEmergencyError, plan_attempts, weighted_pick
from lifeline_route_client.sse import parse_sse


def via(urls):
    """fn for call(): a plain httpx request to the provider, the way an app would."""
    return lambda p, ctx: httpx.get(urls[p], timeout=ctx.timeout)


def test_weighted_pick_sends_about_the_weight():
    rand = seeded(42)
    n = 20_000
    picks = [weighted_pick({"a": 90, "b": 10, "c": 0}, ["a", "b", "c"], rand) for _ in range(n)]
    assert 0.09 < picks.count("b") / n < 0.11
    assert "c" not in picks


def test_plan_skips_down_and_open_and_emergency_picks_nothing():
    route = {"id": "chat", "providers": ["a", "b", "c"], "weights": {"a": 50, "b": 50}, "mode": "normal", "version": 3, "down": ["a"]}
    for _ in range(200):
        assert plan_attempts(route, {"b"}, [], 0, 3, seeded(1)).order == ["c"]
    assert plan_attempts({**route, "mode": "emergency"}, set(), [], 0, 3, seeded(1)).emergency
    old = {"id": "chat", "weights": {"a": 0, "b": 100}, "mode": "normal", "version": 1}  # no providers/down
    assert plan_attempts(old, set(), [], 0, 3, seeded(1)).order == ["b", "a"]


def test_follows_the_streamed_route(lifeline, client):
    fake = lifeline(providers=["a", "b"], weights={"a": 75, "b": 25})
    c = client(fake)
    c.ready()
    assert c.stats()["transport"] == "sse"
    n = 4000
    share = sum(c.pick().provider == "b" for _ in range(n)) / n
    assert 0.22 < share < 0.28
    assert c.pick().source == "live"
    fake.set_route(weights={"b": 100}, hints={"b": ["use_backup_key"]})
    until(lambda: c.route["version"] == 2, "version 2 over the stream")
    p = c.pick()
    assert (p.provider, p.hints) == ("b", ["use_backup_key"])
    fake.set_route(mode="emergency", weights={})
    until(lambda: c.route["mode"] == "emergency", "emergency over the stream")
    assert c.pick().provider is None and c.pick().emergency
    with pytest.raises(RouteEmergencyError):
        c.call(lambda p, ctx: "never")


@pytest.mark.parametrize("fault", ["503", "refused", "hang"])
def test_failover_within_one_call(fault, lifeline, provider, client):
    a = refused_url() if fault == "refused" else provider("a", fault).url
    urls = {"a": a, "b": provider("b").url}
    fake = lifeline(providers=["a", "b"], weights={"a": 100})
    c = client(fake, attempt_timeout=0.3, outcomes={"flush_interval": 0.05})
    c.ready()
    started = time.monotonic()
    res = c.call(via(urls))
    assert res.json() == {"provider": "b"}
    assert time.monotonic() - started < 1.5
    until(lambda: len(fake.outcomes()) >= 2, "two outcomes")
    first, second = fake.outcomes()[:2]
    assert first["requestId"] == second["requestId"]
    assert (first["provider"], first["ok"], first["final"]) == ("a", False, False)
    assert first["errorType"] == {"503": "server_error", "refused": "connection", "hang": "timeout"}[fault]
    assert (second["provider"], second["ok"], second["status"], second["final"]) == ("b", True, 200, True)


def test_client_error_is_returned_without_failover(lifeline, client):
    fake = lifeline(providers=["a", "b"], weights={"a": 100})
    c = client(fake, outcomes=False)
    c.ready()
    tried = []
    res = c.call(lambda p, ctx: (tried.append(p), httpx.Response(400))[1])
    assert res.status_code == 400 and tried == ["a"]


def test_bounded_attempts(lifeline, client):
    fake = lifeline(providers=["a", "b", "c"], weights={"a": 100})
    c = client(fake, max_attempts=2, outcomes=False)
    c.ready()
    tried = []
    with pytest.raises(AllAttemptsFailedError) as e:
        c.call(lambda p, ctx: (tried.append(p), httpx.Response(503))[1])
    assert tried == ["a", "b"]
    assert [(a.provider, a.status) for a in e.value.attempts] == [("a", 503), ("b", 503)]


def test_local_breaker_then_half_open_trial(lifeline, provider, client):
    a = provider("a", "503")
    urls = {"a": a.url, "b": provider("b").url}
    fake = lifeline(providers=["a", "b"], weights={"a": 100})
    c = client(fake, breaker_cool_down=3.0, trial_share=0.25, outcomes={"flush_interval": 0.05})
    c.ready()
    for _ in range(10):
        c.call(via(urls))
    assert a.hits == 1  # the route still says a: 100; the client no longer believes it
    assert c.stats()["breaker_open"] == ["a"]
    a.mode = "ok"
    until(lambda: not c.stats()["breaker_open"], "cool-down over", timeout=10)
    for _ in range(40):
        if a.hits >= 2:
            break
        c.call(via(urls))
    assert a.hits == 2
    until(lambda: any(o.get("trial") for o in fake.outcomes()), "trial outcome")
    trial = next(o for o in fake.outcomes() if o.get("trial"))
    assert (trial["provider"], trial["ok"], trial["final"]) == ("a", True, True)
    for _ in range(5):
        assert c.call(via(urls)).json() == {"provider": "a"}


def test_newer_route_holding_provider_down_resets_breaker(lifeline, client):
    fake = lifeline(providers=["a", "b"], weights={"a": 100})
    c = client(fake, breaker_cool_down=60, outcomes=False)
    c.ready()
    c.call(lambda p, ctx: httpx.Response(503 if p == "a" else 200))
    assert c.stats()["breaker_open"] == ["a"]
    fake.set_route(weights={"b": 100}, down=["a"])
    until(lambda: not c.stats()["breaker_open"], "breaker reset by the route")
    assert c.pick().order == ["b"]


def test_trial_share_to_a_recovering_provider(lifeline, client):
    fake = lifeline(providers=["a", "b"], weights={"b": 100}, down=["a"])
    c = client(fake, trial_share=0.01, recovering_trial_share=0.1, outcomes=False)
    c.ready()
    assert c.pick().order == ["b"]
    fake.set_route(down=[])
    until(lambda: c.route["version"] == 2, "recovery seen")
    n = 4000
    trials = 0
    for _ in range(n):
        p = c.pick()
        if p.trial:
            trials += 1
            assert p.order == ["a", "b"]
        else:
            assert p.provider == "b"
    assert 0.08 < trials / n < 0.12
    fake.set_route(weights={"a": 10, "b": 90})
    until(lambda: c.route["version"] == 3, "failback step seen")
    assert not any(c.pick().trial for _ in range(500))


def test_lifeline_down_last_known_route_then_reconnect(lifeline, provider, client):
    urls = {"a": provider("a").url, "b": provider("b").url}
    fake = lifeline(providers=["a", "b"], weights={"b": 100})
    c = client(fake, poll_interval=0.05, stream_retry=0.2, outcomes={"flush_interval": 0.05})
    c.ready()
    fake.stop()
    until(lambda: not c.stats()["connected"], "client notices lifeline is gone")
    assert c.pick().source == "last-known"
    for _ in range(10):
        assert c.call(via(urls)).json() == {"provider": "b"}
    until(lambda: c.stats()["outcomes_dropped"] >= 10, "outcomes dropped and counted")
    fake.start()
    until(lambda: c.stats()["connected"], "reconnected")
    fake.set_route(weights={"a": 100})
    until(lambda: c.route["version"] == 2, "change after reconnect")
    assert c.call(via(urls)).json() == {"provider": "a"}


def test_default_route_when_lifeline_unreachable_from_start(provider, cleanup):
    urls = {"a": provider("a").url}
    c = RouteClient(refused_url(), TOKEN, "chat", default_route={"providers": ["a"], "weights": {"a": 100}}, poll_interval=0.05, outcomes=False)
    cleanup.append(c.close)
    p = c.pick()
    assert (p.provider, p.source) == ("a", "default")
    assert c.call(via(urls)).json() == {"provider": "a"}


def test_long_poll_when_the_server_has_no_stream(lifeline, client):
    fake = lifeline(sse=False, providers=["a", "b"], weights={"a": 100})
    c = client(fake, long_poll_seconds=5, outcomes=False)
    c.ready()
    assert c.stats()["transport"] == "poll"
    before = fake.hits["polls"]
    fake.set_route(weights={"b": 100})
    until(lambda: c.pick().provider == "b", "change through the long-poll")
    assert fake.hits["polls"] - before <= 2  # held, not hammered


def test_outcome_batches_contract_shape(lifeline, client):
    fake = lifeline(providers=["a", "b"], weights={"a": 100})
    c = client(fake, app="support-bot", outcomes={"batch_size": 5, "flush_interval": 60})
    c.ready()
    for _ in range(12):
        c.call(lambda p, ctx: httpx.Response(200))
    until(lambda: len(fake.batches) == 2, "two full batches without waiting for the interval")
    c.close()  # flushes the rest
    assert [len(b["body"]["outcomes"]) for b in fake.batches] == [5, 5, 2]
    for b in fake.batches:
        assert b["auth"] == f"Bearer {INGEST}"
        assert sorted(b["body"]) == ["app", "outcomes"] and b["body"]["app"] == "support-bot"
        for o in b["body"]["outcomes"]:
            assert sorted(o) == ["at", "chain", "final", "latencyMs", "ok", "provider", "requestId", "status"]
            assert (o["chain"], o["provider"], o["ok"], o["status"], o["final"]) == ("chat", "a", True, 200, True)
            assert len(o["requestId"]) == 36 and o["latencyMs"] >= 0 and o["at"].endswith("Z")
    assert c.stats()["outcomes_sent"] == 12 and c.stats()["outcomes_dropped"] == 0


def test_sse_parser():
    lines = [": ping", "event: route", "id: 4", 'data: {"a":', "data: 1}", "", ": ping", "", "event: route", "data: x", ""]
    events = [(e.event, e.id, e.data) for e in parse_sse(lines)]
    assert events == [("route", "4", '{"a":\n1}'), ("route", "4", "x")]


def test_recovering_trial_share_defaults_to_a_quarter(lifeline, client):
    fake = lifeline(providers=["a", "b"], weights={"b": 100}, down=["a"])
    c = client(fake, outcomes=False)
    c.ready()
    fake.set_route(down=[])
    until(lambda: c.route["version"] == 2, "recovery seen")
    n = 4000
    trials = sum(1 for _ in range(n) if c.pick().trial)
    assert 0.22 < trials / n < 0.28
