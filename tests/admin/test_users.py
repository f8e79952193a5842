"""Staff accounts: create, roles and qualifications (with the stranding check), password reset,
deactivation (never deletion), API tokens."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.models import ApiToken, AuditEvent, User
from clinic.services import accounts
from tests.factories import PASSWORD

from .helpers import book_on_day, form_refusals, next_monday, refused_saving_nothing, text, warn_then_confirm

NEW = {
    "username": "m.schulz",
    "full_name": "Dr. Mira Schulz",
    "email": "m.schulz@example.org",
    "roles": ["radiologist"],
    "password": "a-long-password-1",
    "password_again": "a-long-password-1",
}


def _user(session, username: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


def test_an_account_is_created_with_roles_and_qualifications(session, clinic, admin, browser):
    prt = clinic.pt("PRT")
    response = admin.post(
        "/admin/users/new", {**NEW, "roles": ["radiologist", "nurse"], "qualifications": [str(prt.id)]}
    )
    assert response.status_code == 302
    user = _user(session, "m.schulz")
    assert user.roles == {"radiologist", "nurse"} and [p.code for p in user.qualifications] == ["PRT"]
    assert user.email == "m.schulz@example.org"
    page = text(admin.get(response.headers["Location"]))
    assert "Dr. Mira Schulz" in page and "a-long-password-1" not in page


@form_refusals(
    [
        ({"roles": []}, "Give the account at least one role."),
        ({"roles": ["janitor"]}, "is not a valid choice for this field."),
        ({"password_again": "another-password-1"}, "The two passwords differ."),
        ({"password": "short", "password_again": "short"}, "The password needs at least 12 characters."),
        ({"password": "", "password_again": ""}, "Give a password."),
        ({"username": "frontdesk"}, "The user name “frontdesk” is taken."),
        ({"username": "FrontDesk"}, "The user name “FrontDesk” is taken."),
        ({"username": "m schulz"}, "A user name is letters, digits, dots, dashes and underscores."),
        ({"username": ""}, "Give a user name."),
        ({"full_name": ""}, "Give the person&#39;s full name."),
        ({"email": "not-an-address"}, "This is not a valid email address"),
        ({"qualifications": ["999"]}, "is not a valid choice for this field."),
    ],
)
def test_account_form_errors_save_nothing(session, clinic, admin, change, message):
    refused_saving_nothing(session, admin, "/admin/users/new", {**NEW, **change}, message, User)


def test_roles_and_qualifications_are_edited(session, clinic, admin):
    nurse = clinic.staff["nurse"]
    data = {"full_name": "Jörg Weiß", "email": "", "roles": ["nurse", "front_desk"]}
    assert admin.post(f"/admin/users/{nurse.id}", data).status_code == 302
    assert _user(session, "nurse").roles == {"nurse", "front_desk"}
    refused = admin.post(f"/admin/users/{nurse.id}", {**data, "roles": []})
    assert refused.status_code == 422 and "Give the account at least one role." in text(refused)
    assert _user(session, "nurse").roles == {"nurse", "front_desk"}


def test_the_admin_cannot_take_away_their_own_admin_role(session, clinic, admin):
    me = clinic.staff["admin"]
    response = admin.post(f"/admin/users/{me.id}", {"full_name": me.full_name, "roles": ["nurse"]})
    assert response.status_code == 422 and "You cannot take away your own admin role" in text(response)
    assert _user(session, "admin").roles == {"admin"}


def _saved_after_warning(session, admin, radiologist, data, appointment, why: str, spared=()):
    """The radiologist's account saved with ``data``: first a warning of their appointment, then confirmed."""
    url = f"/admin/users/{radiologist.id}"
    reason = f"{radiologist.full_name} {why}"
    warn_then_confirm(session, admin, url, data, [appointment], spared=spared, reason=reason)


def test_taking_the_radiologist_role_away_warns_of_their_bookings(session, clinic, admin):
    rad1, rad2 = clinic.radiologists[:2]
    monday = next_monday()
    appointment = book_on_day(session, clinic, monday, radiologist=rad1)
    colleague = book_on_day(session, clinic, monday, radiologist=rad2)
    data = {"full_name": rad1.full_name, "roles": ["nurse"], "qualifications": [str(p.id) for p in rad1.qualifications]}
    _saved_after_warning(session, admin, rad1, data, appointment, "no longer has the radiologist role", [colleague])
    assert _user(session, "rad1").roles == {"nurse"}
    assert _user(session, "rad1").qualifications == []  # they went with the role


def test_only_a_radiologist_is_given_qualifications(session, clinic, admin):
    """Walk F-15: a nurse's new account with PRT ticked was created without a word."""
    prt = clinic.pt("PRT")
    only_nurse = {**NEW, "roles": ["nurse"], "qualifications": [str(prt.id)]}
    message = "Only a radiologist is qualified for procedures: give the account the radiologist role, or tick none."
    refused_saving_nothing(session, admin, "/admin/users/new", only_nurse, message, User)
    nurse = clinic.staff["nurse"]
    refused = admin.post(
        f"/admin/users/{nurse.id}", {"full_name": "Jörg Weiß", "roles": ["nurse"], "qualifications": [str(prt.id)]}
    )
    assert refused.status_code == 422 and message in text(refused)
    assert _user(session, "nurse").qualifications == []


def test_disqualifying_a_radiologist_warns_of_their_bookings(session, clinic, admin):
    rad1 = clinic.radiologists[0]
    appointment = book_on_day(session, clinic, next_monday(), radiologist=rad1)  # a PRT
    keep = [str(p.id) for p in rad1.qualifications if p.code != "PRT"]
    data = {"full_name": rad1.full_name, "roles": ["radiologist"], "qualifications": keep}
    _saved_after_warning(session, admin, rad1, data, appointment, "is no longer qualified for Periradicular therapy")
    assert "PRT" not in [p.code for p in _user(session, "rad1").qualifications]


def test_deactivating_a_radiologist_warns_then_ends_their_access(session, clinic, admin, app):
    rad1 = clinic.radiologists[0]
    appointment = book_on_day(session, clinic, next_monday(), radiologist=rad1)
    token = accounts.issue_token(session, rad1, "script")
    session.commit()
    other = app.test_client()
    from tests.conftest import Browser

    logged_in = Browser(other)
    assert logged_in.login("rad1").status_code == 302
    warn_then_confirm(
        session,
        admin,
        f"/admin/users/{rad1.id}/deactivate",
        {},
        [appointment],
        form_page=f"/admin/users/{rad1.id}",
        reason=f"{rad1.full_name}&#39;s account is deactivated",
    )
    user = _user(session, "rad1")
    assert user is not None and not user.active  # never deleted: the audit keeps the name
    assert logged_in.get("/radiology/worklist").status_code == 302  # the open session ended
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the login page follows the browser
    refused = Browser(client).login("rad1")
    assert refused.status_code == 401 and "deactivated" in text(refused)
    assert accounts.user_for_token(session, token) is None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "users.deactivated"))

    back = admin.post(f"/admin/users/{rad1.id}/reactivate", {}, form_page=f"/admin/users/{rad1.id}")
    assert back.status_code == 302 and _user(session, "rad1").active
    assert Browser(app.test_client()).login("rad1").status_code == 302


def test_the_admin_cannot_deactivate_themselves(session, clinic, admin):
    me = clinic.staff["admin"]
    response = admin.post(f"/admin/users/{me.id}/deactivate", {}, form_page=f"/admin/users/{me.id}")
    assert response.status_code == 302
    assert "You cannot deactivate your own account." in text(admin.get(response.headers["Location"]))
    assert _user(session, "admin").active


def test_a_password_reset_ends_old_sessions(session, clinic, admin, app):
    from tests.conftest import Browser

    nurse = Browser(app.test_client())
    assert nurse.login("nurse").status_code == 302
    assert nurse.get("/observation/").status_code in (200, 302)
    url = f"/admin/users/{clinic.staff['nurse'].id}/password"
    page = f"/admin/users/{clinic.staff['nurse'].id}"
    mismatch = admin.post(url, {"password": "new-password-22", "password_again": "new-password-23"}, form_page=page)
    assert mismatch.status_code == 422 and "The two passwords differ." in text(mismatch)
    short = admin.post(url, {"password": "short", "password_again": "short"}, form_page=page)
    assert short.status_code == 422 and "at least 12 characters" in text(short)

    done = admin.post(url, {"password": "new-password-22", "password_again": "new-password-22"}, form_page=page)
    assert done.status_code == 302
    assert nurse.get("/patients/").status_code == 302  # logged out by the reset
    assert Browser(app.test_client()).login("nurse", PASSWORD).status_code == 401
    assert Browser(app.test_client()).login("nurse", "new-password-22").status_code == 302


def test_api_tokens_are_shown_once_and_revoked(session, clinic, admin):
    rad1 = clinic.radiologists[0]
    page = f"/admin/users/{rad1.id}"
    empty = admin.post(f"{page}/tokens", {"name": " "}, form_page=page)
    assert empty.status_code == 422 and "Say what the token is for" in text(empty)

    issued = admin.post(f"{page}/tokens", {"name": "PACS worklist"}, form_page=page)
    html = text(issued)
    assert issued.status_code == 200 and "shown only this once" in html
    token = re.search(r"<code[^>]*>(ct_[^<]+)</code>", html).group(1)
    assert accounts.user_for_token(session, token).id == rad1.id
    assert token not in text(admin.get(page))  # never shown again
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == rad1.id))
    assert row.token_hash != token and row.prefix == token[:10]

    revoked = admin.post(f"{page}/tokens/{row.id}/revoke", {}, form_page=page)
    assert revoked.status_code == 302
    session.expire_all()
    assert accounts.user_for_token(session, token) is None
    assert "Revoked" in text(admin.get(page))


def test_user_list_filters(session, clinic, admin):
    assert "Dr. Radiologist 1" in text(admin.get("/admin/users?role=radiologist"))
    assert "Petra Möller" not in text(admin.get("/admin/users?role=radiologist"))
    assert "Petra Möller" in text(admin.get("/admin/users?q=möller"))
    assert "No account matches" in text(admin.get("/admin/users?q=nobody"))


def test_the_password_help_gives_the_length_the_rule_asks_for(session, clinic, admin):
    """Walk finding: the help under the password said "At least 10 characters" on the new-account and the
    reset form, and a 10-character password was refused with "needs at least 12"."""
    user = _user(session, "frontdesk")
    for page in (text(admin.get("/admin/users/new")), text(admin.get(f"/admin/users/{user.id}"))):
        assert f"At least {accounts.MIN_PASSWORD_LENGTH} characters" in page and "At least 10 characters" not in page
