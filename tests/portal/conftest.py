"""The patient link's tests start with fresh rate-limit counts (Flask-Limiter keeps them in memory, and
every test client comes from the same address)."""

from __future__ import annotations

import pytest

from clinic.extensions import limiter


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    limiter.reset()
    yield
    limiter.reset()
