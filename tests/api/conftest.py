"""API test fixtures: a small clinic, tokens for its staff, and a client that sends them."""

from __future__ import annotations

from typing import Any

import pytest

from clinic.models import User
from clinic.models.vocab import Role
from clinic.services import accounts
from tests.api.world import World, build_world
from tests.factories import Clinic, build_clinic, make_user

PREFIX = "/api/v1"


class Api:
    """A test client for the API: paths relative to /api/v1, the bearer token on every request."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, headers: dict | None) -> dict:
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return headers

    def get(self, path: str, headers: dict | None = None, **kwargs: Any):
        return self.client.get(PREFIX + path, headers=self._headers(headers), **kwargs)

    def post(self, path: str, json: Any = None, headers: dict | None = None, **kwargs: Any):
        return self.client.post(PREFIX + path, json=json, headers=self._headers(headers), **kwargs)


@pytest.fixture
def clinic(session) -> Clinic:
    clinic = build_clinic(session, texts=True)
    session.commit()
    return clinic


@pytest.fixture
def token_for(session):
    def issue(user: User) -> str:
        token = accounts.issue_token(session, user, "tests")
        session.commit()
        return token

    return issue


def users_of(clinic) -> dict[str, User]:
    """The test clinic's users by role: its front desk, nurse and admin, and its first radiologist."""
    return {**clinic.staff, "radiologist": clinic.radiologists[0]}


@pytest.fixture
def api_as(app, clinic, token_for):
    """``api_as("frontdesk")``: a client holding a token of that user of the test clinic."""
    users = users_of(clinic)

    def make(name: str) -> Api:
        return Api(app.test_client(), token_for(users[name]))

    return make


@pytest.fixture
def everyone(session) -> User:
    """A user holding every role, as an integration account for tests."""
    user = make_user(session, "integrator", set(Role.values()), "Integration Tests")
    session.commit()
    return user


@pytest.fixture
def api(app, everyone, token_for) -> Api:
    return Api(app.test_client(), token_for(everyone))


@pytest.fixture
def anonymous(app) -> Api:
    return Api(app.test_client(), None)


@pytest.fixture
def world(session, settings, clinic) -> World:
    return build_world(session, settings, clinic)
