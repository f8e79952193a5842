"""Issue 15, findings 1, 5, 9 and 10: where a login may lead, sessions that end, throttled logins that do
not tell which names exist, and passwords that are hard to guess."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from clinic.auth.redirects import safe_next
from clinic.core.errors import InvalidInput
from clinic.models import AuditEvent, User
from clinic.services import accounts
from tests.conftest import Browser, csrf_from
from tests.factories import PASSWORD, build_clinic

SITE = "http://clinic.test/"


def _clinic(session):
    clinic = build_clinic(session, radiologists=1)
    session.commit()
    return clinic


# --- 1. open redirect -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw_next",
    [
        "/%09/evil.example",  # the finding: the browser drops the tab and reads //evil.example
        "//evil.example",
        "/%5Cevil.example",  # a backslash is a slash to a browser
        "%5C%5Cevil.example",
        "https://evil.example/login",
        "%20//evil.example",
        "/%0d%0a/evil.example",  # a newline: was a 500, and the login went unaudited
        "/%0aSet-Cookie:%20x=1",
        "javascript:alert(1)",
        "http://clinic.test.evil.example/",
        "///evil.example",
    ],
)
def test_login_never_leads_off_the_site(session, client, raw_next):
    _clinic(session)
    page = client.get(f"/login?next={raw_next}")
    assert page.status_code == 200
    response = client.post(
        f"/login?next={raw_next}",
        data={"username": "frontdesk", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.netloc in ("", "clinic.test") and parts.scheme in ("", "http")
    assert parts.path.startswith("/") and not parts.path.startswith("//")
    assert "\n" not in location and "\r" not in location and "evil" not in parts.netloc
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "login.succeeded")) is not None


def test_login_returns_to_the_page_asked_for(session, client):
    _clinic(session)
    page = client.get("/login?next=/patients/%3Fq%3Dx")
    html = page.get_data(as_text=True)
    assert 'action="/login?next=' in html  # the form says where it posts, with the checked target
    response = client.post(
        "/login?next=/patients/%3Fq%3Dx",
        data={"username": "frontdesk", "password": PASSWORD, "csrf_token": csrf_from(html)},
    )
    assert response.headers["Location"] == "/patients/?q=x"


def test_safe_next_reads_targets_as_a_browser_would():
    assert safe_next("/desk/referrals/4?tab=prereg", SITE) == "/desk/referrals/4?tab=prereg"
    assert safe_next("patients/", SITE) == "/patients/"
    assert safe_next("/\t/evil.example", SITE) is None
    assert safe_next("\x01//evil.example", SITE) is None
    assert safe_next("/\\evil.example", SITE) is None
    assert safe_next("", SITE) is None and safe_next(None, SITE) is None


# --- 5. sessions end ----------------------------------------------------------------------------------


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session", domain="clinic.test")
    assert cookie is not None
    return cookie.value


def test_logout_ends_every_copy_of_the_session(session, app, browser):
    _clinic(session)
    browser.login("frontdesk")
    copied = _session_cookie(browser.client)
    elsewhere = Browser(app.test_client())  # the same login on a second machine
    elsewhere.login("frontdesk")
    assert elsewhere.get("/patients/").status_code == 200

    browser.post("/logout", form_page="/patients/")
    thief = app.test_client()
    thief.set_cookie("session", copied, domain="clinic.test")
    assert thief.get("/patients/").status_code == 302  # the copied cookie is worthless
    assert elsewhere.get("/patients/").status_code == 302  # and every other session of the login ended
    assert browser.login("frontdesk").status_code == 302  # logging in again works


def test_login_renews_the_csrf_secret(session, browser):
    _clinic(session)
    before = csrf_from(browser.get("/login").get_data(as_text=True))
    browser.login("frontdesk")
    planted = browser.client.post("/logout", data={"csrf_token": before})
    assert planted.status_code == 400  # a token from before the login is not accepted after it
    assert browser.get("/patients/").status_code == 200


def test_a_password_reset_revokes_the_accounts_api_tokens(session, app, browser):
    clinic = _clinic(session)
    nurse = clinic.staff["nurse"]
    token = accounts.issue_token(session, nurse, "script")
    session.commit()
    api = app.test_client()
    assert api.get("/api/v1/worklist", headers={"Authorization": f"Bearer {token}"}).status_code != 401
    browser.login("admin")
    page = f"/admin/users/{nurse.id}"
    done = browser.post(
        f"{page}/password",
        {"password": "Zebra-Kettle-Harbour-9", "password_again": "Zebra-Kettle-Harbour-9"},
        form_page=page,
    )
    assert done.status_code == 302
    followed = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 API token(s) were revoked" in followed
    assert api.get("/api/v1/worklist", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --- 9. throttled logins ----------------------------------------------------------------------------


def _attempt(client, username: str, password: str = "wrong-password-1"):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))},
    )


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_refusals_are_the_same_for_known_and_unknown_names(app, session):
    _clinic(session)
    known, unknown = _client(app, "203.0.113.10"), _client(app, "203.0.113.11")
    for client in (known, unknown):  # English browsers: the pages before login follow Accept-Language
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    limit = app.config["LOGIN_MAX_FAILURES"]
    for attempt in range(limit + 1):
        a, b = _attempt(known, "frontdesk"), _attempt(unknown, "nobody-here")
        assert a.status_code == b.status_code == (401 if attempt < limit else 429)
        body_a = a.get_data(as_text=True).replace("frontdesk", "NAME")
        body_b = b.get_data(as_text=True).replace("nobody-here", "NAME")
        assert _without_tokens(body_a) == _without_tokens(body_b)
        if attempt == limit:
            assert a.headers["Retry-After"] and b.headers["Retry-After"]
            assert "Too many attempts" in body_a


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'value="[^"]*"', "", re.sub(r'name="csrf_token"[^>]*', "", html))


def test_an_unknown_name_costs_the_same_password_check(app, session, monkeypatch):
    _clinic(session)
    calls = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    client = _client(app, "203.0.113.12")
    _attempt(client, "nobody-here")
    _attempt(client, "frontdesk")
    assert len(calls) == 2  # one hash check each: the time does not tell which name exists


def test_a_stranger_cannot_lock_the_admin_out(app, session):
    _clinic(session)
    stranger = _client(app, "203.0.113.20")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _attempt(stranger, "admin").status_code == 401
    assert _attempt(stranger, "admin", PASSWORD).status_code == 429  # this address is throttled for admin
    admin_desk = _client(app, "203.0.113.21")
    assert _attempt(admin_desk, "admin", PASSWORD).status_code == 302  # the admin at their desk is not
    failures = session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert len(failures) == app.config["LOGIN_MAX_FAILURES"]


def test_one_address_trying_many_names_is_throttled(app, session):
    _clinic(session)
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 4
    sprayer = _client(app, "203.0.113.30")
    for n in range(4):
        assert _attempt(sprayer, f"guess{n}").status_code == 401
    assert _attempt(sprayer, "frontdesk", PASSWORD).status_code == 429
    assert _attempt(_client(app, "203.0.113.31"), "frontdesk", PASSWORD).status_code == 302


def test_guessing_one_account_from_many_addresses_is_throttled(app, session):
    _clinic(session)
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 6
    for n in range(6):
        assert _attempt(_client(app, f"203.0.113.{40 + n}"), "nurse").status_code == 401
    assert _attempt(_client(app, "203.0.113.60"), "nurse", PASSWORD).status_code == 429


# --- 10. passwords ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "password12",
        "1234567890",
        "password1234",
        "qwertzuiop123",
        "frontdesk-2026",
        "Petra-Moeller-1",
        "schmerzzentrum1",
    ],
)
def test_guessable_passwords_are_refused(password):
    with pytest.raises(InvalidInput):
        accounts.check_password_strength(password, context=("frontdesk", "Petra Moeller", None))


def test_a_strong_password_is_accepted():
    accounts.check_password_strength("Zebra-Kettle-Harbour-9", context=("frontdesk", "Petra Moeller", None))
    accounts.check_password_strength(PASSWORD, context=("rad1", "Dr. Radiologist 1", None))  # the tests' own


def test_the_admin_screen_refuses_a_weak_password(session, browser):
    _clinic(session)
    browser.login("admin")
    form = {
        "username": "mschulz",
        "full_name": "Mira Schulz",
        "email": "",
        "roles": ["front_desk"],
        "password": "mschulz-2026!",
        "password_again": "mschulz-2026!",
    }
    refused = browser.post("/admin/users/new", form)
    assert refused.status_code == 422
    assert "must not contain the user name" in refused.get_data(as_text=True)
    common = browser.post("/admin/users/new", {**form, "password": "password1234", "password_again": "password1234"})
    assert common.status_code == 422 and "too easy to guess" in common.get_data(as_text=True)
    assert session.scalar(select(User).where(User.username == "mschulz")) is None


def test_the_command_line_refuses_a_weak_password(app, session):
    _clinic(session)
    runner = CliRunner()
    from clinic.cli import users

    result = runner.invoke(
        users, ["create", "mschulz", "--role", "front_desk"], input="1234567890ab\n1234567890ab\n", obj=app
    )
    assert result.exit_code != 0 and "too easy to guess" in result.output


def test_demo_logins_keep_their_demo_password(session):
    user = accounts.create_user(session, "frontdesk", "Front Desk", "demo", {"front_desk"}, demo=True)
    assert accounts.authenticate(session, "frontdesk", "demo") is user


def test_a_login_is_audited_once_as_a_login_not_as_a_change_of_the_user(app, session):
    """Walk 25: every login also wrote "User changed: Last login 07.12.2026 09:49 → 07.12.2026 09:49", and a
    refused one "Failed logins (changed)". The login events say it; a real change of the account still reads
    as one."""
    clinic = _clinic(session)
    before = session.scalar(select(func.max(AuditEvent.id)))
    desk = _client(app, "203.0.113.30")
    assert _attempt(desk, "frontdesk").status_code == 401
    assert _attempt(desk, "frontdesk", PASSWORD).status_code == 302
    user_id = str(clinic.staff["frontdesk"].id)
    of_user = (AuditEvent.id > before) & (AuditEvent.object_type == "users") & (AuditEvent.object_id == user_id)
    actions = session.scalars(select(AuditEvent.action).where(of_user)).all()
    assert sorted(actions) == ["login.failed", "login.succeeded"]

    user = session.get(User, clinic.staff["frontdesk"].id)
    user.full_name = "Petra Möller-Schmidt"
    session.commit()
    [changed] = session.scalars(select(AuditEvent).where(AuditEvent.action == "users.update")).all()
    assert "Möller-Schmidt" in changed.summary and "last_login_at" not in changed.summary
