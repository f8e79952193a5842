"""Tokens from the command line, their revocation, and CSRF: exempt only for token-authenticated calls."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.models import ApiToken
from tests.api.conftest import PREFIX, Api
from tests.conftest import csrf_from

TOKEN = re.compile(r"^ct_[A-Za-z0-9_-]{40,}$")


def test_a_token_from_the_cli_is_printed_once_and_stored_hashed(app, session, clinic):
    result = app.test_cli_runner().invoke(args=["users", "token", "frontdesk", "--name", "referral portal"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert TOKEN.match(token)
    stored = session.scalars(select(ApiToken)).one()
    assert stored.name == "referral portal"
    assert token not in (stored.token_hash, stored.prefix) and stored.token_hash != token
    assert stored.prefix == token[:10]

    response = Api(app.test_client(), token).get("/procedure-types")
    assert response.status_code == 200
    assert [t["code"] for t in response.get_json()["items"]][:2] == ["PRT", "FACET"]


def test_a_revoked_token_is_401(app, session, clinic):
    runner = app.test_cli_runner()
    token = runner.invoke(args=["users", "token", "frontdesk"]).output.strip()
    api = Api(app.test_client(), token)
    assert api.get("/procedure-types").status_code == 200

    token_id = session.scalars(select(ApiToken.id)).one()
    result = runner.invoke(args=["users", "revoke-token", str(token_id)])
    assert result.exit_code == 0, result.output

    response = api.get("/procedure-types")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_token_of_a_deactivated_user_is_401(app, session, clinic, token_for):
    from clinic.services import accounts

    api = Api(app.test_client(), token_for(clinic.staff["frontdesk"]))
    accounts.deactivate(session, clinic.staff["frontdesk"])
    session.commit()
    assert api.get("/procedure-types").status_code == 401


def test_a_token_acts_with_its_users_roles(api_as):
    assert api_as("nurse").post("/patients", json={}).status_code == 403
    assert api_as("frontdesk").post("/patients", json={}).status_code == 400  # allowed; the body is empty


def test_a_token_authenticated_post_needs_no_csrf_token(api_as):
    response = api_as("frontdesk").post("/patients/search", json={"q": "Müller"})
    assert response.status_code == 200


def test_a_session_cookie_post_to_the_api_without_a_csrf_token_is_refused(browser, clinic):
    assert browser.login("frontdesk").status_code == 302
    response = browser.client.post(PREFIX + "/patients/search", json={"q": "Müller"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf"


def test_a_session_cookie_post_with_its_csrf_token_is_accepted(browser, clinic):
    assert browser.login("frontdesk").status_code == 302
    token = csrf_from(browser.get("/patients/").get_data(as_text=True))
    response = browser.client.post(PREFIX + "/patients/search", json={"q": "Müller"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_a_bearer_header_on_a_screen_does_not_skip_csrf(app, browser, clinic, token_for):
    """Tokens are for the API only: on a screen the header is ignored, so it cannot bypass CSRF."""
    token = token_for(clinic.staff["frontdesk"])
    response = app.test_client().post("/patients/", data={"q": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
