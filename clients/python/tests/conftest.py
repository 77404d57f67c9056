import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakes import INGEST, TOKEN, FakeLifeline, FakeProvider, seeded  # noqa: E402

from lifeline_route_client import RouteClient  # noqa: E402


@pytest.fixture
def cleanup():
    items = []
    yield items
    for close in reversed(items):
        try:
            close()
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture
def lifeline(cleanup):
    def make(sse: bool = True, **route):
        fake = FakeLifeline(route, sse=sse)
        cleanup.append(fake.stop)
        return fake

    return make


@pytest.fixture
def provider(cleanup):
    def make(name: str, mode: str = "ok"):
        p = FakeProvider(name, mode)
        cleanup.append(p.close)
        return p

    return make


@pytest.fixture
def client(cleanup):
    def make(fake, **kw):
        kw.setdefault("random", seeded(7))
        c = RouteClient(fake.url if hasattr(fake, "url") else fake, TOKEN, "chat", ingest_token=INGEST, **kw)
        cleanup.append(c.close)
        return c

    return make
