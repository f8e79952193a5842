"""Browser: a procedure day as the roles that do each step — nurse checks in, radiologist prints and
records the consent, starts, documents, signs and ends; the nurse observes and discharges."""

from __future__ import annotations

from sqlalchemy import select

from clinic.models import Appointment, Consent, FollowUp, ObservationRecord, ProcedureRecord
from clinic.scheduling import booking
from clinic.scheduling.plan import ProcedurePlan
from tests.browser_fixtures import submit
from tests.factories import build_clinic, make_ready_referral
from tests.scheduling.helpers import first_candidates


def test_check_in_consent_start_end_observation_discharge(session, settings, staff):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic)
    appointment_id = booking.book(
        session,
        settings,
        None,
        referral=referral,
        plan=ProcedurePlan.from_referral(referral),
        candidate=first_candidates(session, settings, referral)[0],
    ).id
    name = referral.patient.display_name
    session.commit()
    session.close()
    path = f"/radiology/appointments/{appointment_id}"

    nurse = staff("nurse")
    page = nurse.go(path)
    shown = submit(page, "button:has-text('Check in')")
    assert "is checked in" in shown

    doctor = staff("rad1")
    page = doctor.go(path)
    shown = submit(page, "button:has-text('Start procedure')")
    assert "no signed consent" in shown  # invariant 7, on screen
    with doctor.context.expect_page() as pdf_tab:
        page.click("button:has-text('Print consent form')")
    pdf_tab.value.close()
    page = doctor.go(path)
    shown = submit(page, "button:has-text('Patient has signed')")
    assert "Signed consent recorded" in shown
    shown = submit(page, "button:has-text('Start procedure')")
    assert "Procedure started" in shown
    page.fill("#record-ended_at", "2026-11-23T07:18")
    page.fill("#record-approach", "transforaminal")
    page.fill("#record-pain_before", "8")
    page.fill("#record-pain_after", "2")
    page.select_option("#record-drugs-0-drug_option_id", label="Triamcinolone (mg)")
    page.fill("#record-drugs-0-dose", "40")
    shown = submit(page, "button:has-text('Save record')")
    assert "Procedure record saved" in shown
    shown = submit(page, "button:has-text('Sign the record')")
    assert "Record signed" in shown
    assert page.locator("#record-pain_after").count() == 0  # no edit form after signing
    shown = submit(page, "button:has-text('End procedure')")
    assert "goes to observation" in shown
    doctor.screenshot("06-procedure-signed")

    board = nurse.go("/observation/")
    card = board.locator(".card", has_text=name)
    card.locator("input[name=systolic]").fill("128")
    card.locator("input[name=diastolic]").fill("80")
    card.locator("input[name=pulse]").fill("72")
    shown = submit(board, card.locator("button:has-text('Save check')"))
    assert "Check recorded" in shown
    card = board.locator(".card", has_text=name)
    assert card.locator("button:has-text('Discharge')").is_disabled()
    for item in ("stable", "can_walk", "escort_present", "instructions_given"):
        card.locator(f"input[name={item}]").check()
    submit(board, card.locator("button:has-text('Update checklist')"))
    card = board.locator(".card", has_text=name)
    nurse.screenshot("07-observation-board")
    shown = submit(board, card.locator("button:has-text('Discharge')"))
    assert "discharged" in shown
    assert nurse.console_errors == [] and doctor.console_errors == []

    appointment = session.get(Appointment, appointment_id)
    assert appointment.status == "discharged"
    assert [e.to_status for e in appointment.events] == [
        "booked",
        "checked_in",
        "in_procedure",
        "in_observation",
        "discharged",
    ]
    assert session.scalar(select(Consent).where(Consent.appointment_id == appointment_id)).signed_at is not None
    assert session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment_id)).is_signed
    assert (
        session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment_id))
        .checks[0]
        .systolic
        == 128
    )
    assert len(session.scalars(select(FollowUp).where(FollowUp.appointment_id == appointment_id)).all()) == 2
