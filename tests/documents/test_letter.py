"""The appointment letter: clinic time zone and format, names, window position, hold dates."""

from __future__ import annotations

import datetime as dt
import io
import math

import pytest
from pypdf import PdfReader

from clinic.defaults import HOLD_RULES
from clinic.models.vocab import BleedingClass, HoldAction
from clinic.scheduling.context import Settings
from clinic.services.documents import letter_pdf
from clinic.timefmt import fmt_long_date, fmt_time, to_local
from tests.conftest import ZONE
from tests.factories import add_roster, add_weekly_sessions, make_patient
from tests.scheduling.helpers import chain, utc

from .helpers import book_for, page_count, text_of

ISSUED = dt.date(2026, 11, 23)


def _at(clinic, start: dt.datetime, table: int = 20, obs: int = 30):
    return chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], start, table, obs)


def test_german_letter_prints_the_clinic_time_and_the_names_intact(session, settings, clinic, zone):
    patient = make_patient(session, family_name="Søren-Müller", given_name="Łukasz", sex="male")
    appointment = book_for(session, settings, clinic, patient, candidate=_at(clinic, utc(2026, 11, 24, 7, 20)))
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "24.11.2026 08:20" in text
    assert "Dienstag, 24. November 2026" in text
    assert "07:50 Uhr (30 Minuten vor dem Eingriff" in text  # arrival: 30 minutes before by default
    assert "Łukasz Søren-Müller" in text
    assert "Sehr geehrter Herr Søren-Müller," in text
    assert "23.11.2026" in text  # the letter's own date
    assert appointment.reference in text


def test_english_letter_follows_the_patients_language(session, settings, clinic, zone):
    patient = make_patient(session, family_name="Weiß-Dupré", given_name="Zoë", sex="female", preferred_language="en")
    appointment = book_for(session, settings, clinic, patient, candidate=_at(clinic, utc(2026, 11, 24, 7, 20)))
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "Tuesday, 24 November 2026" in text
    assert "24/11/2026 08:20" in text
    assert "Dear Ms Weiß-Dupré," in text
    assert "Zoë Weiß-Dupré" in text
    assert "health insurance card" in text
    assert "must not drive" in text


def test_arrival_time_follows_the_setting(session, settings, clinic, zone):
    from clinic.services import settings as clinic_settings

    clinic_settings.put(session, "arrival_minutes_before", "45")
    appointment = book_for(session, settings, clinic, candidate=_at(clinic, utc(2026, 11, 24, 9, 0)))
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "09:15 Uhr (45 Minuten vor dem Eingriff" in text


def test_where_to_go_uses_the_rooms_location_hint_or_reception(session, settings, clinic, zone):
    appointment = book_for(session, settings, clinic, candidate=_at(clinic, utc(2026, 11, 24, 9, 0)))
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "Bitte melden Sie sich am Empfang. Ihr Eingriff findet im Raum CT 1 statt." in text
    clinic.rooms["CT 1"].location_hint = "Haus B, Erdgeschoss, Anmeldung Radiologie (Schild „CT“)"
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "Haus B, Erdgeschoss, Anmeldung Radiologie" in text


def test_letter_without_blood_thinners_says_so(session, settings, clinic, zone):
    appointment = book_for(session, settings, clinic)
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "keine blutverdünnenden Medikamente" in text


def test_address_sits_in_the_window_of_a_din_5008_b_envelope(session, settings, clinic, zone):
    patient = make_patient(session, family_name="Søren-Müller", given_name="Łukasz", city="Lübeck")
    appointment = book_for(session, settings, clinic, patient)
    page = PdfReader(io.BytesIO(letter_pdf(session, appointment, zone, issued_on=ISSUED))).pages[0]
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.setdefault(text.strip(), (tm[4], tm[5]))

    page.extract_text(visitor_text=visit)
    height_mm = float(page.mediabox.height) / 72 * 25.4
    for line in ("Łukasz Søren-Müller", "Hauptstraße 1", "20095 Lübeck"):
        x, y = (v / 72 * 25.4 for v in found[line])
        from_top = height_mm - y
        assert 20 <= x <= 105 and 62.7 <= from_top <= 90, (line, x, from_top)
    sender = next(k for k in found if k.startswith("Schmerzzentrum am Stadtpark ·"))
    x, y = (v / 72 * 25.4 for v in found[sender])
    assert x >= 20 and 45 <= height_mm - y <= 62.7  # the sender line: above the address, inside the window


def _hold_cases():
    """Every seeded rule that holds a drug, at the bleeding class it holds for."""
    for code, _en, _de, dose, by_class, _inr, _evidence, _note in HOLD_RULES:
        for bleeding, (action, hold_hours, restart_hours) in by_class.items():
            if action == HoldAction.HOLD:
                yield pytest.param(code, dose, bleeding, hold_hours, restart_hours, id=f"{code}-{dose}-{bleeding}")


# How to reach each bleeding class: the procedure (and whether the patient's bleeding risk is raised).
REACH = {
    BleedingClass.LOW: {"code": "FACET", "stage": "diagnostic"},
    BleedingClass.INTERMEDIATE: {"code": "PRT"},
    BleedingClass.HIGH: {"code": "PRT", "prereg": {"raised_bleeding_risk": True}},
}


def _restart_text(restart: dt.datetime) -> str:
    return f"{fmt_long_date(restart, 'de_DE', ZONE)}, {fmt_time(restart, ZONE)} Uhr"


@pytest.mark.parametrize(("drug", "dose", "bleeding", "hold_hours", "restart_hours"), list(_hold_cases()))
def test_hold_dates_are_counted_back_from_the_appointment(
    session, settings, clinic, zone, drug, dose, bleeding, hold_hours, restart_hours
):
    appointment = book_for(session, settings, clinic, medications=[(drug, dose, None)], **REACH[bleeding])
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    day = to_local(appointment.table_start, zone).date()
    last = day - dt.timedelta(days=max(1, math.ceil(hold_hours / 24)))
    assert f"letzte Einnahme am {fmt_long_date(last, 'de_DE')}" in text
    if restart_hours is None:
        assert "Wann Sie es wieder einnehmen, besprechen wir nach dem Eingriff" in text
    else:
        restart = appointment.table_end + dt.timedelta(hours=restart_hours)
        assert f"Wieder einnehmen ab {_restart_text(restart)}" in text
    # Agreeing it with the prescriber is always asked; an unverified rule is printed all the same.
    assert "abgestimmt haben, die oder der es Ihnen verordnet hat" in text
    assert "verifi" not in text.lower() and "geprüft" not in text


def test_clopidogrel_is_stopped_seven_days_before(session, settings, clinic, zone):
    start = utc(2026, 12, 8, 9, 0)  # Tuesday 8 December, 10:00 in Berlin
    appointment = book_for(
        session, settings, clinic, medications=[("clopidogrel", "", None)], candidate=_at(clinic, start)
    )
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "Clopidogrel: letzte Einnahme am Dienstag, 1. Dezember 2026." in text
    assert "Wieder einnehmen ab Mittwoch, 9. Dezember 2026, 10:20 Uhr." in text


def test_shared_assessment_asks_to_discuss_with_the_prescriber(session, settings, clinic, zone):
    appointment = book_for(session, settings, clinic, medications=[("aspirin", "secondary", None)])
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "Acetylsalicylsäure (ASS): Bitte besprechen Sie mit Ihrer verordnenden Ärztin" in text
    assert "letzte Einnahme" not in text


def test_english_hold_plan(session, settings, clinic, zone):
    patient = make_patient(session, preferred_language="en")
    start = utc(2026, 12, 8, 9, 0)
    appointment = book_for(
        session, settings, clinic, patient, medications=[("warfarin", "", None)], candidate=_at(clinic, start)
    )
    text = text_of(letter_pdf(session, appointment, zone, issued_on=ISSUED))
    assert "Warfarin: take the last dose on Thursday, 3 December 2026." in text
    assert "Take it again from Tuesday, 8 December 2026, 16:20." in text
    assert "INR" in text
    assert "agreed it with the doctor who prescribed" in text


def _weekend_clinic(session, clinic):
    """Saturday lists, so that a restart 24 hours later falls on the night the clocks change."""
    add_weekly_sessions(session, clinic.rooms["CT 1"], [5], dt.time(8), dt.time(16))
    add_roster(session, clinic.radiologists[0], [5], dt.time(8), dt.time(16))
    session.flush()


@pytest.mark.parametrize(
    ("clock", "start", "last_dose", "restart"),
    [
        # Monday after the spring change (CEST, UTC+2): hold dates reach back into winter time.
        (utc(2027, 3, 1, 6), utc(2027, 3, 29, 6, 0), "Montag, 22. März 2027", "Dienstag, 30. März 2027, 08:20 Uhr"),
        # Monday after the autumn change (CET, UTC+1).
        (
            utc(2026, 10, 1, 6),
            utc(2026, 10, 26, 7, 0),
            "Montag, 19. Oktober 2026",
            "Dienstag, 27. Oktober 2026, 08:20 Uhr",
        ),
        # Saturday before the spring change: 24 hours later the clock reads one hour later.
        (utc(2027, 3, 1, 6), utc(2027, 3, 27, 14, 0), "Samstag, 20. März 2027", "Sonntag, 28. März 2027, 16:20 Uhr"),
        # Saturday before the autumn change: 24 hours later the clock reads one hour earlier.
        (
            utc(2026, 10, 1, 6),
            utc(2026, 10, 24, 8, 0),
            "Samstag, 17. Oktober 2026",
            "Sonntag, 25. Oktober 2026, 09:20 Uhr",
        ),
    ],
    ids=["after-spring-change", "after-autumn-change", "restart-over-spring-change", "restart-over-autumn-change"],
)
def test_hold_dates_across_daylight_saving_changes(session, clinic, zone, clock, start, last_dose, restart):
    _weekend_clinic(session, clinic)
    settings = Settings(zone=ZONE, clock=lambda: clock)
    appointment = book_for(
        session, settings, clinic, medications=[("clopidogrel", "", None)], candidate=_at(clinic, start)
    )
    text = text_of(letter_pdf(session, appointment, zone, issued_on=clock.date()))
    assert f"Clopidogrel: letzte Einnahme am {last_dose}." in text
    assert f"Wieder einnehmen ab {restart}." in text


def test_letter_is_one_or_two_pages_even_with_several_drugs(session, settings, clinic, zone):
    medications = [("clopidogrel", "", None), ("aspirin", "secondary", None), ("lmwh", "therapeutic", None)]
    medications.append(("rivaroxaban", "", None))
    appointment = book_for(session, settings, clinic, medications=medications, first_day=dt.date(2026, 12, 7))
    for language in ("de", "en"):
        appointment.patient.preferred_language = language
        assert 1 <= page_count(letter_pdf(session, appointment, zone, issued_on=ISSUED)) <= 2


def test_letter_is_byte_identical_for_the_same_input(session, settings, clinic, zone):
    appointment = book_for(session, settings, clinic, medications=[("apixaban", "", None)])
    first = letter_pdf(session, appointment, zone, issued_on=ISSUED)
    assert letter_pdf(session, appointment, zone, issued_on=ISSUED) == first
