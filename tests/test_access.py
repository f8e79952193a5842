"""Every route in the URL map against every role: anonymous → login (401 for the API), wrong role →
403, right role → 200 for pages (and never 403 or a server error for actions). Generated from the URL
map, so a new route cannot escape: it needs a declared rule and, if it has arguments, a value below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from clinic.auth.access import ANY_STAFF, PUBLIC, access_rule
from clinic.models import (
    AnticoagulantRule,
    ApiToken,
    Closure,
    DocumentText,
    ObservationBed,
    ProcedureType,
    RedFlagAnswer,
    Room,
    RoomSession,
    RosterEntry,
    RosterException,
)
from clinic.models.vocab import Role
from clinic.services import accounts, procedure_day, uploads
from clinic.services.storage import FileStore
from tests.browser.files import pdf_letter
from tests.conftest import Browser
from tests.factories import add_to_waitlist, book, build_clinic, hold, make_ready_referral, make_referral, make_user

ROLES = [Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE, Role.ADMIN]
USERS = {Role.FRONT_DESK: "frontdesk", Role.RADIOLOGIST: "rad1", Role.NURSE: "nurse", Role.ADMIN: "admin"}
# GET routes that answer with a redirect by design.
# login: a logged-in user is sent to the start page; booking: the referral here is booked, so the page
# sends the desk to move that appointment instead (one active appointment per referral)
# The discharge sheet of an appointment whose procedure has not ended goes back to its page, saying why.
REDIRECTING = {"main.home", "auth.login", "frontdesk.book", "radiology.aftercare_sheet"}


@pytest.fixture
def world(app, session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic, medications=[("clopidogrel", "", None)])
    appointment = book(session, settings, referral)
    waiting = make_ready_referral(session, clinic)
    entry = add_to_waitlist(session, waiting)
    received = make_referral(session)
    received.red_flags.append(RedFlagAnswer(code="tumour", present=True))
    held_for = make_ready_referral(session, clinic)
    held = hold(session, settings, held_for, minutes=600)
    follow_ups = procedure_day.schedule_follow_ups(session, appointment, dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    # Spare objects for the admin routes: a POST with an empty form may really deactivate or delete
    # them, which must not disturb the routes checked after.
    spare_user = make_user(session, "spare", {Role.RADIOLOGIST}, "Spare Radiologist")
    spare_room = Room(name="Spare room", modality="CT", unit="Spare")
    spare_bed = ObservationBed(label="Spare bed", unit="Spare")
    spare_type = ProcedureType(
        code="SPARE",
        name_en="Spare",
        name_de="Reserve",
        modality="CT",
        table_minutes=15,
        observation_minutes=0,
        bleeding_class="low",
        needs_side=False,
        needs_levels=False,
    )
    session.add_all([spare_room, spare_bed, spare_type])
    session.flush()
    template = RoomSession(
        room_id=spare_room.id, weekday=5, start_time=dt.time(9), end_time=dt.time(10), valid_from=dt.date(2030, 1, 1)
    )
    roster = RosterEntry(
        radiologist_id=spare_user.id,
        weekday=5,
        start_time=dt.time(9),
        end_time=dt.time(10),
        valid_from=dt.date(2030, 1, 1),
    )
    exception = RosterException(radiologist_id=spare_user.id, on_date=dt.date(2030, 1, 7), kind="off")
    closure = Closure(
        scope="room",
        room_id=spare_room.id,
        starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 2, tzinfo=dt.UTC),
        reason="Spare",
    )
    session.add_all([template, roster, exception, closure])
    session.flush()
    store = FileStore(Path(app.config["UPLOAD_DIR"]))
    limits = uploads.limits_from_config(app.config)
    study = uploads.create_study(session, None, patient=referral.patient, referral=referral, modality="MR")
    [study_file] = uploads.add_files(session, None, store, limits, study=study, files=[("report.pdf", pdf_letter())])
    letter = uploads.add_referral_document(
        session, None, store, limits, referral=referral, name="letter.pdf", data=pdf_letter("Überweisung")
    )
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == spare_user.id))
    if token_id is None:
        accounts.issue_token(session, spare_user, "spare")
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == spare_user.id))
    session.commit()
    return {
        "patient_id": referral.patient_id,
        "referral_id": referral.id,
        "appointment_id": appointment.id,
        "entry_id": entry.id,
        "answer_id": received.red_flags[0].id,
        "follow_up_id": follow_ups[0].id,
        "token": held.token,
        "room_id": spare_room.id,
        "file_id": study_file.id,
        "document_id": letter.id,
        "message_id": 999999,
        "step_id": 999999,  # a scanner report (MPPS) that does not exist: the confirm action answers 404
        "user_id": spare_user.id,
        "token_id": token_id,
        "procedure_type_id": spare_type.id,
        "stage_rule_id": clinic.pt("RFA").stage_rules[0].id,
        "bed_id": spare_bed.id,
        "closure_id": closure.id,
        "session_template_id": template.id,
        "roster_entry_id": roster.id,
        "roster_exception_id": exception.id,
        "hold_rule_id": session.scalar(select(AnticoagulantRule.id).limit(1)),
        "text_id": session.scalar(select(DocumentText.id).limit(1)),
        "kind": "consent",
        "language": "de",
        "ident": str(appointment.id),  # a FHIR resource id
        "feed_id": 999999,
        "item": "contact",  # a question of the patient's link
        "drug_code": "clopidogrel",  # a drug of the booked appointment: no restart call before its end
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
        is_api = rule.rule.startswith(("/api/", "/fhir/"))
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
                response = browser.get(url) if method == "GET" else browser.post(url, {}, form_page="/")
                status = response.status_code
                if not allowed:
                    assert status == 403, f"{method} {url} as {role}: expected 403, got {status}"
                elif (
                    method == "GET"
                    and not is_api
                    and rule.endpoint not in REDIRECTING
                    and not hasattr(app.view_functions[rule.endpoint], "landing_of")  # a form's address: 303
                    and "token" not in rule.arguments
                ):
                    assert status == 200, f"{method} {url} as {role}: expected 200, got {status}"
                else:
                    assert status not in (401, 403) and status < 500, f"{method} {url} as {role}: {status}"
                if status == 302 and response.headers.get("Location", "").startswith("/login"):
                    browsers[role] = _login(app, role)  # the route logged us out (logout itself)
                checked += 1
    assert checked > 200
