"""The appointment letter: clinic time zone and format, names, window position, hold dates."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from clinic.documents.blocks import Paragraph
from clinic.documents.styles import styles
from clinic.services.documents import letter_pdf
from tests.conftest import TODAY
from tests.factories import make_patient
from tests.scheduling.helpers import chain, utc

from .helpers import book_for, page_count, text_of

ISSUED = TODAY  # the letters are issued today


def _at(clinic, start: dt.datetime, table: int = 20, obs: int = 30):
    return chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], start, table, obs)


def test_german_letter_prints_the_clinic_time_and_the_names_intact(session, settings, clinic):
    patient = make_patient(session, family_name="Søren-Müller", given_name="Łukasz", sex="male")
    appointment = book_for(session, settings, clinic, patient, candidate=_at(clinic, utc(2026, 11, 24, 7, 20)))
    text = text_of(letter_pdf(session, settings, appointment, issued_on=ISSUED))
    assert "24.11.2026 08:20" in text
    assert "Dienstag, 24. November 2026" in text
    assert "07:50 Uhr (30 Minuten vor dem Eingriff" in text  # arrival: 30 minutes before by default
    assert "Łukasz Søren-Müller" in text
    assert "Sehr geehrter Herr Søren-Müller," in text
    assert "23.11.2026" in text  # the letter's own date
    assert appointment.reference in text


def test_english_letter_follows_the_patients_language(session, settings, clinic):
    patient = make_patient(session, family_name="Weiß-Dupré", given_name="Zoë", sex="female", preferred_language="en")
    appointment = book_for(session, settings, clinic, patient, candidate=_at(clinic, utc(2026, 11, 24, 7, 20)))
    text = text_of(letter_pdf(session, settings, appointment, issued_on=ISSUED))
    assert "Tuesday, 24 November 2026" in text
    assert "24/11/2026 08:20" in text
    assert "Dear Ms Weiß-Dupré," in text
    assert "Zoë Weiß-Dupré" in text
    assert "health insurance card" in text
    assert "must not drive" in text


def test_arrival_time_follows_the_setting(session, settings, clinic):
    from clinic.services import settings as clinic_settings

    clinic_settings.put(session, "arrival_minutes_before", "45")
    appointment = book_for(session, settings, clinic, candidate=_at(clinic, utc(2026, 11, 24, 9, 0)))
    text = text_of(letter_pdf(session, settings, appointment, issued_on=ISSUED))
    assert "09:15 Uhr (45 Minuten vor dem Eingriff" in text


def test_where_to_go_uses_the_rooms_location_hint_or_reception(session, settings, clinic):
    appointment = book_for(session, settings, clinic, candidate=_at(clinic, utc(2026, 11, 24, 9, 0)))
    text = text_of(letter_pdf(session, settings, appointment, issued_on=ISSUED))
    assert "Ort Bitte melden Sie sich am Empfang; der Eingriff findet in Raum CT 1 statt." in text
    clinic.rooms["CT 1"].location_hint = "Haus B, Erdgeschoss, Anmeldung Radiologie (Schild „CT“)"
    text = text_of(letter_pdf(session, settings, appointment, issued_on=ISSUED))
    assert "Haus B, Erdgeschoss, Anmeldung Radiologie" in text


def test_letter_without_blood_thinners_says_so(session, settings, clinic):
    appointment = book_for(session, settings, clinic)
    text = text_of(letter_pdf(session, settings, appointment, issued_on=ISSUED))
    assert "keine Medikamente, die die Blutgerinnung beeinflussen" in text


def test_address_sits_in_the_window_of_a_din_5008_b_envelope(session, settings, clinic):
    patient = make_patient(session, family_name="Søren-Müller", given_name="Łukasz", city="Lübeck")
    appointment = book_for(session, settings, clinic, patient)
    page = PdfReader(io.BytesIO(letter_pdf(session, settings, appointment, issued_on=ISSUED))).pages[0]
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


def test_letter_is_one_or_two_pages_even_with_several_drugs(session, settings, clinic):
    medications = [("clopidogrel", "", None), ("aspirin", "secondary", None), ("lmwh", "therapeutic", None)]
    medications.append(("rivaroxaban", "", None))
    appointment = book_for(session, settings, clinic, medications=medications, first_day=dt.date(2026, 12, 7))
    for language in ("de", "en"):
        appointment.patient.preferred_language = language
        assert 1 <= page_count(letter_pdf(session, settings, appointment, issued_on=ISSUED)) <= 2


def test_letter_is_byte_identical_for_the_same_input(session, settings, clinic):
    appointment = book_for(session, settings, clinic, medications=[("apixaban", "", None)])
    first = letter_pdf(session, settings, appointment, issued_on=ISSUED)
    assert letter_pdf(session, settings, appointment, issued_on=ISSUED) == first


def test_a_paragraph_breaks_its_lines_once_per_width():
    """Issue 20: a section kept together is wrapped to measure it and again to place it, at the same width;
    the letter's paragraphs break their lines once for both (the second breaking was a tenth of its time)."""

    class Counted(Paragraph):
        breaks = 0

        def breakLines(self, width):
            Counted.breaks += 1
            return super().breakLines(width)

    text = Counted(
        "Bitte bringen Sie Ihre Versichertenkarte und die Bilder früherer Untersuchungen mit.", styles()["body"]
    )
    size = text.wrap(300, 800)
    assert text.wrap(300, 500) == size and Counted.breaks == 1
    narrower = text.wrap(120, 800)
    assert narrower[1] > size[1] and Counted.breaks == 2
