"""Browser: a procedure day as the roles that do each step — nurse checks in, radiologist prints and
records the consent, starts, documents, signs and ends; the nurse observes and discharges. The day runs
once with German staff and once with English staff (issue 17), each button and message found by its
words in that language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from clinic.core import clock
from clinic.models import FollowUp, ObservationRecord, ProcedureRecord
from tests.browser_fixtures import speak, submit
from tests.conftest import NOW
from tests.radiology.day_helpers import day_appointment, to_procedure

from .records import through_the_whole_day


@pytest.mark.parametrize("language", ["de", "en"])
def test_check_in_consent_start_end_observation_discharge(session, settings, staff, language):
    _clinic, appointment = day_appointment(session, settings)  # a clinic with texts, a ready referral booked
    appointment_id = appointment.id
    name = appointment.referral.patient.display_name
    session.commit()
    say = speak(session, language)
    session.close()
    path = f"/radiology/appointments/{appointment_id}"

    nurse = staff("nurse")
    page = nurse.go(path)
    submit(page, f"button:has-text('{say('Check in')}')")
    assert f'<html lang="{language}">' in page.content()
    assert say("%(patient)s is checked in.", patient=name) in page.inner_text("main")

    doctor = staff("rad1")
    page = doctor.go(path)
    submit(page, f"button:has-text('{say('Start procedure')}')")
    # invariant 7, on screen
    assert say("The procedure cannot start: no signed consent is recorded for this appointment.") in (
        page.inner_text("main")
    )
    with doctor.context.expect_page() as pdf_tab:
        page.click(f"button:has-text('{say('Print consent form')}')")
    pdf_tab.value.close()
    page = doctor.go(path)
    submit(page, f"button:has-text('{say('Patient has signed')}')")
    assert say("Signed consent recorded.") in page.inner_text("main")
    submit(page, f"button:has-text('{say('Start procedure')}')")
    assert say("Procedure started.") in page.inner_text("main")
    clock.pin(NOW + dt.timedelta(minutes=20))  # the record is written once the procedure is over
    page.fill("#record-ended_at", "2026-11-23T07:18")
    page.fill("#record-approach", "transforaminal")
    page.fill("#record-pain_before", "8")
    page.fill("#record-pain_after", "2")
    page.fill("#record-complications", say("none"))
    page.select_option("#record-drugs-0-drug_option_id", label=f"{say('Triamcinolone')} (mg)")
    page.fill("#record-drugs-0-dose", "40")
    submit(page, f"button:has-text('{say('Save record')}')")
    assert say("Procedure record saved.") in page.inner_text("main")
    submit(page, f"button:has-text('{say('Sign the record')}')")
    assert say("Record signed. Changes now go into addenda.") in page.inner_text("main")
    assert page.locator("#record-pain_after").count() == 0  # no edit form after signing
    submit(page, f"button:has-text('{say('End procedure → observation')}')")
    assert say("Procedure ended; the patient goes to observation.") in page.inner_text("main")
    doctor.screenshot(f"06-procedure-signed-{language}")

    board = nurse.go("/observation/")
    card = board.locator(".card", has_text=name)
    card.locator("input[name=systolic]").fill("128")
    card.locator("input[name=diastolic]").fill("80")
    card.locator("input[name=pulse]").fill("72")
    submit(board, card.locator(f"button:has-text('{say('Save check')}')"))
    assert say("Check recorded for %(name)s.", name=name) in board.inner_text("main")
    card = board.locator(".card", has_text=name)
    discharge = f"button:text-is('{say('Discharge')}')"
    assert card.locator(discharge).is_disabled()
    for item in ("stable", "can_walk", "escort_present", "instructions_given"):
        card.locator(f"input[name={item}]").check()
    submit(board, card.locator(f"button:has-text('{say('Update checklist')}')"))
    card = board.locator(".card", has_text=name)
    # what an early discharge would skip, in the nurse's language
    early = say("observed {stayed} of {planned} planned minutes").format(stayed=0, planned=30)
    assert early in card.inner_text()
    assert say("leg strength (motor) not checked") in card.inner_text()
    nurse.screenshot(f"07-observation-board-{language}")
    # an early discharge needs its reason: the browser says so before anything is sent or asked
    reason = card.locator("input[name=reason][id^=discharge-reason]")
    card.locator(discharge).click()
    assert reason.evaluate("el => !el.validity.valid && el.validationMessage !== ''")
    reason.fill("Transferred to the ward for the night")
    submit(board, card.locator(discharge))
    assert say("%(name)s discharged. Follow-up calls are scheduled.", name=name) in board.inner_text("main")
    page = doctor.go(path)
    assert "Transferred to the ward for the night" in page.locator("[data-flagged-discharge]").inner_text()
    assert nurse.console_errors == [] and doctor.console_errors == []

    through_the_whole_day(session, appointment_id)
    assert (
        session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment_id))
        .checks[0]
        .systolic
        == 128
    )
    assert len(session.scalars(select(FollowUp).where(FollowUp.appointment_id == appointment_id)).all()) == 2


def _in_procedure(session, settings, **kw):
    """An appointment today, checked in, consent signed, procedure started (through the services)."""
    clinic, appointment = day_appointment(session, settings, to=to_procedure, **kw)
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
    assert page.input_value("#record-drugs-0-dose") == "40"  # as the screens write a dose (no trailing zeros)
    assert page.input_value("#record-note") == "Good contrast spread"
    assert page.input_value("#record-complications") == "none seen"
    # Saving from the refused page keeps everything; then the end time lets the signature through.
    clock.pin(NOW + dt.timedelta(minutes=20))  # once the procedure is over
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
