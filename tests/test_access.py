"""Every route in the URL map against every role: anonymous → login (401 for the API), wrong role →
403, right role → 200 for pages (and never 403 or a server error for actions). Generated from the URL
map, so a new route cannot escape: it needs a declared rule and, if it has arguments, a value below."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app

from clinic.auth.access import ANY_STAFF, PUBLIC, access_rule
from clinic.models import RedFlagAnswer, WaitlistEntry
from clinic.models.vocab import Role
from clinic.scheduling import booking
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import daybook
from tests.conftest import Browser
from tests.factories import build_clinic, make_ready_referral, make_referral
from tests.scheduling.helpers import first_candidates

ROLES = [Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE, Role.ADMIN]
USERS = {Role.FRONT_DESK: "frontdesk", Role.RADIOLOGIST: "rad1", Role.NURSE: "nurse", Role.ADMIN: "admin"}
# GET routes that answer with a redirect by design.
REDIRECTING = {"main.home"}


@pytest.fixture
def world(app, session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic, medications=[("clopidogrel", "", None)])
    candidate = first_candidates(session, settings, referral)[0]
    appointment = booking.book(session, settings, None, referral=referral,
                               plan=ProcedurePlan.from_referral(referral), candidate=candidate)
    waiting = make_ready_referral(session, clinic)
    entry = WaitlistEntry(patient_id=waiting.patient_id, referral_id=waiting.id,
                          procedure_type_id=waiting.planned_procedure_type_id, earliest_date=dt.date(2026, 11, 23))
    session.add(entry)
    received = make_referral(session)
    received.red_flags.append(RedFlagAnswer(code="tumour", present=True))
    held_for = make_ready_referral(session, clinic)
    hold = booking.hold(session, settings, None, referral=held_for, plan=ProcedurePlan.from_referral(held_for),
                        candidate=first_candidates(session, settings, held_for)[0], minutes=600)
    follow_ups = daybook.schedule_follow_ups(session, appointment, dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    session.commit()
    return {
        "patient_id": referral.patient_id,
        "referral_id": referral.id,
        "appointment_id": appointment.id,
        "entry_id": entry.id,
        "answer_id": received.red_flags[0].id,
        "follow_up_id": follow_ups[0].id,
        "token": hold.token,
        "room_id": clinic.rooms["CT 1"].id,
        "file_id": 999999,  # downloads of a missing file answer 404 for the right role: still not 403
        "document_id": 999999,
        "user_id": clinic.staff["nurse"].id,
        "procedure_type_id": clinic.pt("PRT").id,
        "bed_id": clinic.beds[0].id,
        "message_id": 999999,
    }


def _rules():
    rules = [r for r in current_app.url_map.iter_rules() if r.endpoint != "static"]
    assert rules, "the URL map is empty"
    return sorted(rules, key=lambda r: r.rule)


def _url(rule, values) -> str:
    missing = [a for a in rule.arguments if a not in values]
    assert not missing, f"{rule.endpoint}: give a test value for {missing} in tests/test_access.py"
    from flask import url_for

    return url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})


def _login(app, role) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(USERS[role]).status_code == 302
    return browser


def test_every_route_declares_who_may_use_it(app):
    for rule in _rules():
        view = app.view_functions[rule.endpoint]
        assert access_rule(view) is not None, f"{rule.endpoint} has no access rule and is closed to everyone"


def test_every_route_against_every_role(app, world):
    browsers = {role: _login(app, role) for role in ROLES}
    anonymous = app.test_client()
    checked = 0
    for rule in _rules():
        rule_access = access_rule(app.view_functions[rule.endpoint])
        url = _url(rule, world)
        is_api = rule.rule.startswith("/api/")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            # Anonymous: sent to the login page (the API answers 401), unless the route is public.
            response = anonymous.open(url, method=method)
            if rule_access == PUBLIC:
                assert response.status_code < 500, f"{method} {url} public: {response.status_code}"
            elif is_api:
                assert response.status_code == 401, f"{method} {url} anonymous: {response.status_code}"
            else:
                assert response.status_code == 302, f"{method} {url} anonymous: {response.status_code}"
                assert response.headers["Location"].startswith("/login"), f"{method} {url}"
            for role in ROLES:
                browser = browsers[role]
                allowed = rule_access in (PUBLIC, ANY_STAFF) or role in rule_access
                if method == "GET":
                    response = browser.get(url)
                else:
                    response = browser.post(url, {}, form_page="/")
                status = response.status_code
                if not allowed:
                    assert status == 403, f"{method} {url} as {role}: expected 403, got {status}"
                elif method == "GET" and rule.endpoint not in REDIRECTING and "token" not in rule.arguments:
                    assert status == 200, f"{method} {url} as {role}: expected 200, got {status}"
                else:
                    assert status not in (401, 403) and status < 500, f"{method} {url} as {role}: {status}"
                if status == 302 and response.headers.get("Location", "").startswith("/login"):
                    browsers[role] = _login(app, role)  # the route logged us out (logout itself)
                checked += 1
    assert checked > 200
