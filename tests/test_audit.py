"""Invariant 10: every change and every opening of a patient's record leaves an audit event."""

from __future__ import annotations

import json

from sqlalchemy import select

from clinic.core import audit
from clinic.models import AuditEvent, User
from tests.conftest import Browser
from tests.factories import build_clinic, make_patient


def test_opening_a_patient_record_is_audited_with_the_actor(session, browser):
    build_clinic(session)
    patient = make_patient(session, family_name="Weiß", given_name="Zoë")
    session.commit()
    browser.login("nurse")
    assert browser.get(f"/patients/{patient.id}").status_code == 200
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.view"))
    assert (event.actor_name, event.patient_id, event.object_id) == ("nurse", patient.id, str(patient.id))
    assert event.actor_id == session.scalar(select(User.id).where(User.username == "nurse"))


def test_changes_are_audited_with_what_changed_but_not_secrets(session):
    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Groß", given_name="Jürgen")
    session.commit()
    audit.set_actor(session, clinic.staff["frontdesk"])
    patient.phone = "+49 40 999"
    clinic.staff["nurse"].password_hash = "changed"
    session.commit()
    update = session.scalar(select(AuditEvent).where(AuditEvent.action == "patients.update"))
    assert update.actor_name == "frontdesk" and update.patient_id == patient.id
    assert json.loads(update.summary)["phone"] == ["+49 40 555 0101", "+49 40 999"]
    user_update = session.scalar(select(AuditEvent).where(AuditEvent.action == "users.update"))
    assert json.loads(user_update.summary) == {"password_hash": "(changed)"}
    created = session.scalars(select(AuditEvent.object_type).where(AuditEvent.action.like("%.create"))).all()
    assert {"patients", "users", "rooms", "procedure_types"} <= set(created)


def test_admin_can_filter_the_audit_trail(app, session):
    build_clinic(session)
    patient = make_patient(session)
    session.commit()
    nurse, admin = Browser(app.test_client()), Browser(app.test_client())
    nurse.login("nurse")
    nurse.get(f"/patients/{patient.id}")
    admin.login("admin")
    page = admin.get(f"/admin/audit?actor=nurse&action=patient.view&patient_id={patient.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "patient.view" in html and "nurse" in html
    assert "users.create" not in html
    everything = admin.get("/admin/audit").get_data(as_text=True)
    assert "users.create" in everything
    bad = admin.get("/admin/audit?since=not-a-date")
    assert bad.status_code == 400 and "Not a valid date" in bad.get_data(as_text=True)


def test_the_audit_screen_shows_clinic_times_and_patient_names(app, session):
    """Issue 21, item 18: the audit screen showed UTC instants inside the JSON and patients as IDs."""
    import datetime as dt

    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Weiß", given_name="Zoë", clinic_number="P-424242")
    audit.record(
        session,
        "referral.hold_override",
        "referrals",
        1,
        summary={"signed_at": dt.datetime(2026, 11, 23, 6, 5, tzinfo=dt.UTC).isoformat(), "note": "x"},
        patient_id=patient.id,
        actor=clinic.radiologists[0],
    )
    session.commit()
    admin = Browser(app.test_client())
    admin.login("admin")
    html = admin.get("/admin/audit?action=referral.hold_override").get_data(as_text=True)
    assert "2026-11-23T06:05:00+00:00" not in html and "23.11.2026 07:05" in html  # Berlin, not UTC
    assert "Weiß, Zoë" in html and "P-424242" in html and f">#{patient.id}<" not in html
