"""The discharge sheet ("Hinweise nach dem Eingriff"): the letter tells the patient "we will tell you after
the procedure when to start again"; this is where that is told. A paused drug's restart is the recorded end
of the procedure plus the rule's restart hours as elapsed time (procedures.md §4, "restart after procedure"),
written in Berlin time; without everything behind it the sheet asks the patient to speak with us, never a
guessed time. Printed only after the procedure ended, by nurses and radiologists."""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image
from sqlalchemy import select

from clinic.core import clock
from clinic.core.errors import Conflict
from clinic.models import AnticoagulantRule, AuditEvent, ObservationCheck, ProcedureRecord
from clinic.models.vocab import Language, Role
from clinic.scheduling.context import Settings
from clinic.services import aftercare, consents, hold_rules, medication, procedure_day
from tests.conftest import NOTICE, NOW, ZONE, assert_shows
from tests.factories import add_roster, add_weekly_sessions, build_clinic, make_patient, make_user
from tests.radiology.day_helpers import day_appointment, to_observation, to_procedure
from tests.scheduling.helpers import chain, utc

from .helpers import page_count, page_sizes_mm, render_png, text_of

RIVAROXABAN = [("rivaroxaban", "", dt.date(2026, 11, 19))]  # keeps the 72-hour hold before 23 November


def sign_off(session, drug: str) -> None:
    """A physician signs off the drug's rules: only then is a restart printed as a time (invariant 6)."""
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == drug)):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)


def observed(session, settings, clinic=None, *, language=Language.DE, medications=RIVAROXABAN, confirm=False, **kw):
    """A patient (PRT: intermediate bleeding risk unless ``code`` says otherwise) with rivaroxaban's rules
    signed off, through the procedure today (``confirm``: the radiologist confirms the plan first, as a shared
    assessment needs), ended at 06:20 UTC (07:20 in Berlin), now in observation."""
    if clinic is None:
        clinic = build_clinic(session, texts=True)
        sign_off(session, "rivaroxaban")
    patient = make_patient(session, preferred_language=language)
    _, appointment = day_appointment(session, settings, clinic, patient=patient, medications=medications, **kw)
    if confirm:
        medication.confirm_plan(session, clinic.radiologists[0], appointment.referral, ZONE)
    to_observation(session, clinic, appointment)
    return clinic, appointment


def test_a_paused_drug_is_restarted_its_hours_after_the_recorded_end(session, settings):
    _, appointment = observed(session, settings)
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert_shows(
        text,
        "Hinweise nach dem Eingriff",
        appointment.patient.display_name,
        "Periradikuläre Therapie",
        "Ende des Eingriffs Montag, 23. November 2026, um 07:20 Uhr",
        "Rivaroxaban: Wieder einnehmen frühestens am Dienstag, 24. November 2026, um 07:20 Uhr. Das ist 24 "
        "Stunden nach dem Ende des Eingriffs (Montag, 23. November 2026, um 07:20 Uhr).",
    )
    assert "Uhr umgestellt" not in text
    assert "Wir rufen Sie an" not in text


def test_the_restart_follows_the_end_as_the_radiologist_corrected_it(session, settings):
    _, appointment = observed(session, settings)
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    record.ended_at = utc(2026, 11, 23, 6, 45)  # 07:45 in Berlin
    session.flush()
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert "frühestens am Dienstag, 24. November 2026, um 07:45 Uhr" in text


def test_across_the_end_of_daylight_saving_the_restart_counts_elapsed_hours(session, app):
    """Ended Saturday 24 October 2026 at 16:00 (CEST, 14:00 UTC); restart after 24 hours: the clocks go back
    in the night, so 24 hours later is Sunday 14:00 UTC, 15:00 on the wall clock (CET). Not 16:00: that would
    be 25 hours, one more than the rule (procedures.md §4 counts hours since the procedure). The sheet says the
    clocks change in between."""
    morning = utc(2026, 10, 24, 8, 0)  # the Saturday, 10:00 in Berlin
    clock.pin(morning)
    settings = Settings(zone=ZONE, clock=lambda: morning, notice=NOTICE)
    clinic = build_clinic(session, texts=True)
    sign_off(session, "rivaroxaban")
    room, radiologist, bed = clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0]
    add_weekly_sessions(session, room, (5,), dt.time(8), dt.time(18))  # a Saturday list
    add_roster(session, radiologist, (5,), dt.time(8), dt.time(18))
    start = utc(2026, 10, 24, 13, 30)  # 15:30 in Berlin
    _, appointment = day_appointment(
        session,
        settings,
        clinic,
        candidate=chain(room, radiologist, bed, start, 20, 30),
        medications=[("rivaroxaban", "", dt.date(2026, 10, 20))],
    )
    procedure_day.check_in(session, None, appointment, at=morning, zone=ZONE)
    consents.print_consent(session, radiologist, appointment, ZONE)
    procedure_day.record_consent(
        session,
        radiologist,
        appointment,
        taken_by_id=radiologist.id,
        explained_by_id=radiologist.id,
        explained_at=morning - dt.timedelta(days=3),
        signed_at=morning,
        zone=ZONE,
    )
    procedure_day.start_procedure(session, radiologist, appointment, at=start, zone=ZONE)
    procedure_day.end_procedure(session, None, appointment, at=utc(2026, 10, 24, 14, 0))
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=utc(2026, 10, 24, 15, 0)))
    assert_shows(
        text,
        "Ende des Eingriffs Samstag, 24. Oktober 2026, um 16:00 Uhr",
        "Rivaroxaban: Wieder einnehmen frühestens am Sonntag, 25. Oktober 2026, um 15:00 Uhr. Das ist 24 Stunden "
        "nach dem Ende des Eingriffs (Samstag, 24. Oktober 2026, um 16:00 Uhr). Dazwischen wird die Uhr "
        "umgestellt; die Uhrzeit oben ist bereits die neue Uhrzeit.",
    )
    assert "um 16:00 Uhr. Das ist" not in text


def test_an_english_patient_gets_the_sheet_in_english(session, settings):
    _, appointment = observed(session, settings, language=Language.EN)
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert_shows(
        text,
        "After your procedure",
        "Rivaroxaban: take it again no earlier than Tuesday, 24 November 2026, 07:20. That is 24 hours after the "
        "end of the procedure (Monday, 23 November 2026, 07:20).",
        "When to seek help at once",
        "Do not drive on the day of the procedure.",
    )
    assert "Wieder" not in text and "Eingriff" not in text


def test_the_warning_signs_and_after_care_come_from_the_procedures_information_text(session, settings):
    _, appointment = observed(session, settings)
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert_shows(
        text,
        "Nach dem Eingriff",
        "Fahren Sie am Tag des Eingriffs nicht selbst Auto.",
        "Wann Sie sofort Hilfe holen sollten",
        "Fieber oder Schüttelfrost",
        "Probleme mit Blase oder Darm",
        "Fragen zum Eingriff oder zu diesen Hinweisen: Telefon",
    )
    assert "Risiken und Nebenwirkungen" not in text and "Vor Ihrem Termin" not in text


CALL = (
    "Rivaroxaban: Wir rufen Sie an, um den Wiederbeginn mit Ihnen abzusprechen. Bitte sprechen Sie mit uns, bevor "
    "Sie Rivaroxaban wieder einnehmen (Telefon"
)
IF_PAUSED = "Rivaroxaban: Falls Sie es für den Eingriff pausiert haben: Bitte sprechen Sie mit uns, bevor Sie es"


@pytest.mark.parametrize("missing", ["restart_hours", "end", "sign_off"])
def test_without_everything_behind_a_time_we_call_instead_of_guessing(session, settings, missing):
    _, appointment = observed(session, settings)
    if missing == "sign_off":  # a physician withdraws the rule's sign-off after the procedure
        for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "rivaroxaban")):
            hold_rules.unverify(session, None, rule)
    if missing == "restart_hours":
        for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "rivaroxaban")):
            rule.restart_hours = None
    if missing == "end":
        record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
        record.ended_at = None
    session.flush()
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert "frühestens" not in text and "24. November" not in text
    assert (IF_PAUSED if missing == "sign_off" else CALL) in text
    if missing == "end":
        assert "Ende des Eingriffs nicht erfasst" in text


def test_a_drug_left_to_the_prescriber_is_never_told_to_stop_or_start(session, settings):
    """FACET is low risk: rivaroxaban is a shared assessment there, not a routine pause."""
    medications = [("rivaroxaban", "", None)]
    _, appointment = observed(
        session, settings, code="FACET", stage="diagnostic", medications=medications, confirm=True
    )
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert IF_PAUSED in text
    assert "Haben Sie es nicht pausiert, nehmen Sie es wie verordnet weiter." in text


def test_a_drug_that_was_not_paused_is_not_mentioned(session, settings):
    """Ibuprofen needs no pause before a PRT (intermediate risk)."""
    _, appointment = observed(session, settings, medications=[("ibuprofen", "", None)], confirm=True)
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert "Ibuprofen" not in text and "Blutgerinnung" not in text


def test_refused_before_the_procedure_ended(session, settings):
    clinic = build_clinic(session, texts=True)
    sign_off(session, "rivaroxaban")
    _, appointment = day_appointment(session, settings, clinic, medications=RIVAROXABAN, to=to_procedure)
    with pytest.raises(Conflict, match="once the procedure has ended"):
        aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW)
    assert clinic


def test_the_sheet_is_one_a4_page_and_not_blank(session, settings, tmp_path):
    _, appointment = observed(session, settings)
    pdf = aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW)
    assert page_count(pdf) == 1 and page_sizes_mm(pdf) == [(210, 297)]
    (png,) = render_png(pdf, tmp_path, "aftercare")
    with Image.open(png) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
        assert dark > 0.01 * grey.width * grey.height, "the page is (almost) blank"
        # nothing printed in the outer 5 mm at the right and the bottom: the text fits the page
        margin = round(grey.width * 5 / 210)
        right = grey.crop((grey.width - margin, 0, grey.width, grey.height))
        bottom = grey.crop((0, grey.height - margin, grey.width, grey.height))
        assert right.getextrema()[0] > 200 and bottom.getextrema()[0] > 200


# --- the route ----------------------------------------------------------------------------------------------


def test_the_nurse_prints_it_from_the_board_and_the_read_is_audited(session, settings, browser):
    _, appointment = observed(session, settings)
    session.commit()
    browser.login("nurse")
    board = browser.get("/observation/").get_data(as_text=True)
    path = f"/radiology/appointments/{appointment.id}/aftercare.pdf"
    assert f'href="{path}"' in board
    response = browser.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Wieder einnehmen frühestens am Dienstag, 24. November 2026, um 07:20 Uhr" in text_of(response.data)
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "patient.view", AuditEvent.actor_name == "nurse")
    )
    assert event.patient_id == appointment.patient_id and "radiology.aftercare_sheet" in event.summary


def test_the_radiologist_has_the_button_after_the_end_only(session, settings, browser):
    clinic = build_clinic(session, texts=True)
    sign_off(session, "rivaroxaban")
    _, appointment = day_appointment(session, settings, clinic, medications=RIVAROXABAN, to=to_procedure)
    session.commit()
    browser.login("rad1")
    page = f"/radiology/appointments/{appointment.id}"
    path = f"{page}/aftercare.pdf"
    assert f'href="{path}"' not in browser.get(page).get_data(as_text=True)
    response = browser.get(path)
    assert response.status_code == 303 and response.headers["Location"] == page
    assert "once the procedure has ended" in browser.get(page).get_data(as_text=True)
    procedure_day.end_procedure(session, None, appointment, at=NOW + dt.timedelta(minutes=20))
    session.commit()
    assert f'href="{path}"' in browser.get(page).get_data(as_text=True)
    assert browser.get(path).status_code == 200
    assert clinic


def test_the_front_desk_is_refused(session, settings, browser):
    _, appointment = observed(session, settings)
    session.commit()
    browser.login("frontdesk")
    response = browser.get(f"/radiology/appointments/{appointment.id}/aftercare.pdf")
    assert response.status_code == 403
    assert response.mimetype != "application/pdf"


def test_a_german_nurse_sees_the_button_and_the_refusal_in_german(session, settings, browser):
    clinic = build_clinic(session, texts=True)
    sign_off(session, "rivaroxaban")
    make_user(session, "jonas", {Role.NURSE}, "Jonas Keller", language="de")
    _, before = day_appointment(session, settings, clinic, medications=RIVAROXABAN, to=to_procedure)
    _, after = observed(session, settings, clinic)
    session.commit()
    browser.login("jonas")
    assert "Hinweise nach dem Eingriff (PDF)" in browser.get("/observation/").get_data(as_text=True)
    response = browser.get(f"/radiology/appointments/{before.id}/aftercare.pdf", follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert (
        "Die Hinweise nach dem Eingriff können erst gedruckt werden, wenn der Eingriff beendet ist."
        in response.get_data(as_text=True)
    )
    assert after


def test_after_discharge_the_radiologist_can_print_it_again_with_the_same_restart(session, settings, browser):
    """Discharge closes the referral's episode; the plan the patient was treated under still stands."""
    clinic, appointment = observed(session, settings)
    observation = procedure_day.observation_of(session, appointment)
    observation.checks.append(ObservationCheck(systolic=120, diastolic=70, pulse=60, motor_normal=True))
    procedure_day.set_discharge_checklist(
        session, appointment, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=NOW + dt.timedelta(minutes=60))
    session.commit()
    browser.login("rad1")
    page = f"/radiology/appointments/{appointment.id}"
    assert f'href="{page}/aftercare.pdf"' in browser.get(page).get_data(as_text=True)
    response = browser.get(f"{page}/aftercare.pdf")
    assert response.status_code == 200
    assert "Wieder einnehmen frühestens am Dienstag, 24. November 2026, um 07:20 Uhr" in text_of(response.data)
