"""Login, logout, lockout and CSRF."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.models import AuditEvent, ReferringPhysician, User
from tests.conftest import NOW
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
    for name in ("frontdesk", "nobody"):
        response = browser.login(name, "wrong-password")
        assert response.status_code == 401
        assert "Unknown user name or wrong password." in response.get_data(as_text=True)


def test_lockout_after_repeated_failed_logins(app, session, browser):
    build_clinic(session)
    session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        browser.login("frontdesk", "wrong-password")
    refused = browser.login("frontdesk")  # the right password, but the account is locked
    assert refused.status_code == 401
    assert "locked" in refused.get_data(as_text=True)
    user = session.scalar(select(User).where(User.username == "frontdesk"))
    session.refresh(user)
    assert user.locked_until is not None
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
    assert actions.count("login.failed") == 5 and "login.refused_locked" in actions
    user.locked_until = NOW - dt.timedelta(seconds=1)  # the lockout has run out
    session.commit()
    assert browser.login("frontdesk").status_code == 302


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
