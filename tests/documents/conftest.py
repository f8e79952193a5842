"""Fixtures for the printed documents: a small clinic with its texts."""

from __future__ import annotations

import pytest

from clinic.services import settings as clinic_settings
from tests.conftest import ZONE
from tests.factories import build_clinic


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


@pytest.fixture
def zone() -> str:
    return ZONE


@pytest.fixture
def contact(session) -> dict[str, str]:
    return clinic_settings.contact(session)
