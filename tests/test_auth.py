"""Login, logout, lockout and CSRF."""

from __future__ import annotations

from sqlalchemy import select

from clinic.models import ReferringPhysician
from tests.factories import build_clinic


def test_login_and_logout(session, browser):
    build_clinic(session)
    session.commit()
    assert browser.get("/patients/").status_code == 302
    response = browser.login("frontdesk")
    assert response.status_code == 302
    assert browser.get("/patients/").status_code == 200
    browser.post("/logout", form_page="/patients/")
    assert browser.get("/patients/").headers["Location"].startswith("/login")


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(session, browser):
    build_clinic(session)
    session.commit()
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the login page follows the browser
    for name in ("frontdesk", "nobody"):
        response = browser.login(name, "wrong-password")
        assert response.status_code == 401
        assert "Unknown user name or wrong password." in response.get_data(as_text=True)


def test_csrf_token_is_required_for_changes(session, browser):
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    response = browser.client.post("/logout")  # no token
    assert response.status_code == 400
    assert browser.get("/patients/").status_code == 200  # still logged in: nothing happened
    forged = browser.client.post("/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert session.scalar(select(ReferringPhysician.id)) is None
