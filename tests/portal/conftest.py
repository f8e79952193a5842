"""The patient link's tests start with fresh rate-limit counts (Flask-Limiter keeps them in memory, and
every test client comes from the same address)."""

from __future__ import annotations

import pytest

from tests.conftest import reset_rate_limits


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    reset_rate_limits()
    yield
    reset_rate_limits()
