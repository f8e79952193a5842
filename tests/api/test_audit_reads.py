"""Issue 15, finding 8: every read of patient data is audited, through one service (clinic.services.reads,
called by the request boundary), on screens and API alike: each page, PDF or JSON answer that names a
patient's record writes exactly one patient.view event for that patient, with the actor."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from sqlalchemy import func, select

from clinic.models import AuditEvent, Consent
from tests.conftest import Browser
from tests.factories import hold

# Pages the issue found unaudited, each of which must be among those checked.
FOUND_UNAUDITED = {
    "frontdesk.letter",
    "api.appointment_letter",
    "frontdesk.edit_patient",
    "api.get_preregistration",
    "frontdesk.book",
    "frontdesk.reschedule",
}


def _views(session, patient_id) -> int:
    session.expire_all()
    count = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "patient.view", AuditEvent.patient_id == patient_id)
    )
    session.commit()
    return count


def _arguments(world, hold_token):
    booked = world.appointments["booked"]
    ready = world.ready[0]
    return {
        "patient_id": (ready.patient_id, ready.patient_id),
        "referral_id": (ready.id, ready.patient_id),
        "appointment_id": (booked.id, booked.patient_id),
        "token": (hold_token, world.ready[1].patient_id),
    }


def test_every_page_that_shows_a_record_audits_its_reading(session, settings, world, everyone, app):
    referral = world.ready[1]
    held = hold(session, settings, referral, limit=1)
    values = _arguments(world, held.token)
    session.commit()
    browser = Browser(app.test_client())
    assert browser.login("integrator").status_code == 302
    api_token = _token(session, everyone)

    checked, unaudited = set(), []
    for rule in current_app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments or not rule.arguments <= set(values):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<[^>]*:?{name}>", str(values[name][0]), path)
        patient_id = values[next(iter(rule.arguments))][1]
        before = _views(session, patient_id)
        headers = {"Authorization": f"Bearer {api_token}"} if rule.endpoint.startswith("api.") else {}
        response = browser.client.get(path, headers=headers)
        if response.status_code != 200:
            continue
        checked.add(rule.endpoint)
        if _views(session, patient_id) != before + 1:
            unaudited.append(rule.endpoint)
    assert unaudited == []
    assert checked >= FOUND_UNAUDITED, FOUND_UNAUDITED - checked
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.view")).first()
    assert event.actor_name == "integrator" and "opened" in event.summary


def _token(session, user) -> str:
    from clinic.services import accounts

    token = accounts.issue_token(session, user, "audit test")
    session.commit()
    return token


def test_printing_a_consent_names_the_patient_in_the_audit(session, world, app):
    appointment = world.appointments["booked"]
    session.commit()
    browser = Browser(app.test_client())
    browser.login("frontdesk")
    printed = browser.post(
        f"/desk/appointments/{appointment.id}/consent.pdf", form_page=f"/desk/appointments/{appointment.id}"
    )
    assert printed.status_code == 200
    consent = session.scalars(select(Consent).where(Consent.appointment_id == appointment.id)).first()
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "consents", AuditEvent.object_id == str(consent.id))
    )
    assert event is not None and event.patient_id == appointment.patient_id


@pytest.mark.parametrize("path", ["/patients/{patient}", "/desk/appointments/{appointment}"])
def test_a_page_is_audited_once(session, world, app, path):
    appointment = world.appointments["booked"]
    session.commit()
    browser = Browser(app.test_client())
    browser.login("frontdesk")
    before = _views(session, appointment.patient_id)
    url = path.format(patient=appointment.patient_id, appointment=appointment.id)
    assert browser.get(url).status_code == 200
    assert _views(session, appointment.patient_id) == before + 1
