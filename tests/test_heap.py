"""The server process keeps its start-up objects out of the garbage collector's walks (clinic.heap): once
the app is built, and again once it has served its first requests."""

from __future__ import annotations

import gc

import pytest

from clinic import create_app, heap


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the other tests' objects stay collectable


def test_the_app_is_frozen_when_built_and_again_once_warm(tmp_path, monkeypatch, unfrozen):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True})
    heap.install(app, warm_requests=3)
    built = gc.get_freeze_count()
    assert built > 0
    client = app.test_client()
    client.get("/healthz")
    client.get("/healthz")
    warm = [[n] for n in range(1000)]  # objects made after the build, alive when it is warm
    # Not warm yet: these are not frozen (the count moves by a few as frozen objects change).
    assert gc.get_freeze_count() < built + len(warm)
    client.get("/healthz")
    after = gc.get_freeze_count()
    assert after >= built + len(warm)
    for _ in range(5):
        client.get("/healthz")
        more = [[n] for n in range(1000)]
    assert gc.get_freeze_count() < after + len(more)  # only once
