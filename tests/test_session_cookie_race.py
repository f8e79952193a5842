"""A response to a request the browser sent before it logged in must not undo the login.

The login page's browser fetches its icon (and other files) with the cookie it had before the login; when
such an answer arrives after the login's, a cookie it sets replaces the logged-in one, and the next page
sends the user back to the login (CI, 2026-12-05: two desks logging in, one bounced). An anonymous
request therefore leaves the session cookie alone."""

from __future__ import annotations

from tests.conftest import Browser
from tests.factories import build_clinic


def _set_cookies(response) -> list[str]:
    return [value for key, value in response.headers.items() if key.lower() == "set-cookie"]


def test_a_request_begun_before_the_login_does_not_undo_it(session, app):
    build_clinic(session, radiologists=1)
    session.commit()
    before = app.test_client()
    page = before.get("/login")
    assert page.status_code == 200
    cookie_before = before.get_cookie("session", domain="clinic.test")
    assert cookie_before is not None

    browser = Browser(app.test_client())
    browser.login("frontdesk")

    # The same anonymous cookie as the login page had, on the icon, a page and the login page again.
    for path in ("/static/favicon.svg", "/healthz", "/login"):
        late = app.test_client()
        late.set_cookie("session", cookie_before.value, domain="clinic.test")
        answer = late.get(path)
        assert answer.status_code == 200, path
        assert _set_cookies(answer) == [], (path, _set_cookies(answer))
