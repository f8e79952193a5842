"""Fixtures for the admin screens: a small clinic and a browser logged in as its admin."""

from __future__ import annotations

import pytest

from tests.factories import build_clinic


@pytest.fixture
def clinic(session):
    return build_clinic(session)


@pytest.fixture
def admin(session, clinic, browser):
    session.commit()
    response = browser.login("admin")
    assert response.status_code == 302
    return browser
