"""Browser: a procedure day as the roles that do each step — nurse checks in, radiologist prints and
records the consent, starts, documents, signs and ends; the nurse observes and discharges."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from clinic.models import Appointment, Consent, FollowUp, ObservationRecord, ProcedureRecord
from clinic.scheduling import booking
from clinic.scheduling.plan import ProcedurePlan
from tests.browser_fixtures import submit
from tests.factories import build_clinic, make_ready_referral
from tests.radiology.day_helpers import book, to_procedure
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
    assert "observed 0 of 30 planned minutes" in card.inner_text()  # what an early discharge would skip
    assert "leg strength (motor) not checked" in card.inner_text()
    nurse.screenshot("07-observation-board")
    shown = submit(board, card.locator("button:has-text('Discharge')"))
    assert "Discharge now needs a reason" in shown
    card = board.locator(".card", has_text=name)
    card.locator("input[name=reason][placeholder*=discharge]").fill("Transferred to the ward for the night")
    shown = submit(board, card.locator("button:has-text('Discharge')"))
    assert "discharged" in shown
    page = doctor.go(path)
    assert "Transferred to the ward for the night" in page.locator("[data-flagged-discharge]").inner_text()
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


def _in_procedure(session, settings, **kw):
    """An appointment today, checked in, consent signed, procedure started (through the services)."""
    clinic, appointment = book(session, settings, **kw)
    to_procedure(session, clinic, appointment)
    session.commit()
    return clinic, appointment.id


def test_a_refused_sign_keeps_the_saved_and_the_typed_record(session, settings, staff):
    _, appointment_id = _in_procedure(session, settings)
    session.close()
    doctor = staff("rad1")
    page = doctor.go(f"/radiology/appointments/{appointment_id}")
    page.fill("#record-approach", "transforaminal")
    page.fill("#record-pain_before", "8")
    page.fill("#record-pain_after", "2")
    page.select_option("#record-drugs-0-drug_option_id", label="Triamcinolone (mg)")
    page.fill("#record-drugs-0-dose", "40")
    page.fill("#record-note", "Good contrast spread")
    assert "Procedure record saved" in submit(page, "button:has-text('Save record')")
    page.fill("#record-complications", "none seen")  # typed, not saved
    submit(page, "button:has-text('Sign the record')")
    assert "Enter the end time before signing." in page.locator("#record-ended_at ~ .invalid-feedback").inner_text()
    assert page.locator(".alert-danger").count() == 1  # one banner
    doctor.screenshot("06a-procedure-refused-sign")
    assert page.input_value("#record-approach") == "transforaminal"
    assert page.input_value("#record-pain_before") == "8"
    assert page.input_value("#record-pain_after") == "2"
    assert page.input_value("#record-drugs-0-dose") == "40.00"
    assert page.input_value("#record-note") == "Good contrast spread"
    assert page.input_value("#record-complications") == "none seen"
    # Saving from the refused page keeps everything; then the end time lets the signature through.
    page.fill("#record-ended_at", "2026-11-23T07:18")
    assert "Record signed" in submit(page, "button:has-text('Sign the record')")
    assert doctor.console_errors == []
    session.expire_all()
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment_id))
    assert record.is_signed
    assert (record.approach, record.pain_before, record.pain_after, record.note, record.complications) == (
        "transforaminal",
        8,
        2,
        "Good contrast spread",
        "none seen",
    )
    assert [(d.drug_option.name, d.dose) for d in record.drugs] == [("Triamcinolone", Decimal("40.00"))]
