"""Issue 14, findings 5, 6, 11, 12 and issue 21 item 10: what every letter says besides the medicines,
in natural German and plain English, legible (body text at 11 pt), breaking where a reader expects, and
an English letter with no German line."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from clinic.services import documents
from clinic.services import settings as clinic_settings
from tests.conftest import NOW
from tests.factories import make_patient
from tests.scheduling.helpers import chain, utc

from .helpers import book_for, page_count, pages, text_of

MM = 72 / 25.4


def _at(clinic, start: dt.datetime, table: int = 30, obs: int = 60):
    return chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], start, table, obs)


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_letter_names_the_warning_signs_before_the_appointment(session, settings, clinic, language):
    """Finding 5 (clinical facts §5 items 1-4): emergency care the same day, not only after-care advice."""
    patient = make_patient(session, preferred_language=language)
    text = text_of(documents.letter_pdf(session, settings, book_for(session, settings, clinic, patient)))
    if language == "de":
        assert "Warnzeichen vor dem Termin" in text
        for sign in ("neue Schwäche in einem Bein", "Wasserlassen oder beim Stuhlgang", "Taubheitsgefühl im Genital"):
            assert sign in text
        assert "noch am selben Tag in eine Notaufnahme" in text and "112" in text
    else:
        assert "Warning signs before the appointment" in text
        for sign in (
            "new weakness in a leg",
            "passing urine or controlling your bowels",
            "numbness around the genitals",
        ):
            assert sign in text
        assert "go to an emergency department the same day" in text


def test_eating_a_light_meal_or_fasting_from_the_procedures_setting(session, settings, clinic):
    """Finding 6 (clinical facts §2.1, §2.3): PRT allows a light meal; the sympathetic block fasts six
    hours, and the letter gives the moment (counted on instants, across the autumn change here)."""
    prt = book_for(session, settings, clinic)
    assert "Vor dem Eingriff dürfen Sie eine leichte Mahlzeit essen" in text_of(
        documents.letter_pdf(session, settings, prt)
    )

    assert clinic.pt("SYMP").fasting_hours == 6
    start = utc(2026, 12, 1, 7, 0)  # Tuesday 1 December, 08:00 in Berlin
    symp = book_for(
        session, settings, clinic, code="SYMP", target="lumbar_chain", stage="diagnostic", levels=None,
        candidate=_at(clinic, start),
    )  # fmt: skip
    text = text_of(documents.letter_pdf(session, settings, symp))
    assert (
        "Bitte essen Sie ab Dienstag, 1. Dezember 2026, um 02:00 Uhr nichts mehr (6 Stunden vor dem Eingriff)" in text
    )
    assert "leichte Mahlzeit" not in text


def test_german_letter_reads_naturally(session, settings, clinic):
    """Finding 11: the opening, "Ort" (not "Wohin"), the injection wording, no English word."""
    appointment = book_for(session, settings, clinic, code="EPI", target="caudal", side=None, levels=None)
    text = text_of(documents.letter_pdf(session, settings, appointment))
    assert "wir haben für Sie folgenden Termin vereinbart" in text
    assert "Ort " in text and "Wohin" not in text
    assert "Epidurale Steroidinjektion (interlaminär oder kaudal), kaudal (über den Hiatus sacralis)" in text
    assert "caudal" not in text and "Blutverdünnende" not in text


def test_an_english_letter_prints_no_german_line(session, settings, clinic):
    """Issue 21 item 10: the department and the room's location have a value per language."""
    room = clinic.rooms["CT 1"]
    room.location_hint = "Haus B, Erdgeschoss, Anmeldung Radiologie"
    english_patient = make_patient(session, preferred_language="en")
    appointment = book_for(session, settings, clinic, english_patient, room=room)
    text = text_of(documents.letter_pdf(session, settings, appointment))
    assert "Interventional Pain Therapy · Radiology" in text
    assert "Interventionelle" not in text and "Erdgeschoss" not in text
    assert "Please report to reception; your procedure takes place in room CT 1." in text  # no English hint yet

    room.location_hint_en = "Building B, ground floor, radiology reception"
    text = text_of(documents.letter_pdf(session, settings, appointment))
    assert "Building B, ground floor, radiology reception" in text
    german = book_for(session, settings, clinic, room=room)
    assert "Haus B, Erdgeschoss, Anmeldung Radiologie" in text_of(documents.letter_pdf(session, settings, german))

    clinic_settings.put(session, "clinic_department_en", "Pain Unit")
    assert "Pain Unit" in text_of(documents.letter_pdf(session, settings, appointment))


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_letter_is_signed_by_a_named_team_and_never_ends_on_a_page_of_its_own(session, settings, clinic, language):
    """Finding 12: the closing stays with the last section; a second page starts with a heading."""
    patient = make_patient(session, preferred_language=language)
    medications = [("clopidogrel", "", None), ("aspirin", "secondary", None), ("lmwh", "therapeutic", None)]
    medications += [("rivaroxaban", "", None), ("warfarin", "", None)]
    appointment = book_for(session, settings, clinic, patient, medications=medications, first_day=dt.date(2026, 12, 7))
    pdf = documents.letter_pdf(session, settings, appointment)
    assert 1 <= page_count(pdf) <= 2
    closing, last_heading = ("Mit freundlichen Grüßen", "Wenn Sie nicht kommen können")
    team = "Ihr Team der Interventionellen Schmerztherapie"
    if language == "en":
        closing, last_heading, team = "Kind regards", "If you cannot come", "Your interventional pain therapy team"
    [page] = [p for p in pages(pdf) if closing in p]
    assert last_heading in page and team in page


def _sizes(pdf: bytes, top_mm: float) -> list[tuple[str, float]]:
    """(text, size in points) of each run in the body of each page: below ``top_mm`` on the first page
    (the letterhead and window), below the running head on later pages, above the footer."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        height = float(page.mediabox.height)
        limit = top_mm if number == 0 else 24

        def visit(text, cm, tm, font, size, height=height, limit=limit):
            y = tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1
            if text.strip() and 20 * MM < y < height - limit * MM:
                found.append((text.strip(), round(size * scale, 1)))

        page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("language", ["de", "en"])
def test_body_text_of_letters_and_sheets_is_at_least_11_pt(session, settings, clinic, language):
    """Finding 12: sentences a patient reads are set at 11 pt or more (labels and footers may be smaller)."""
    patient = make_patient(session, preferred_language=language)
    appointment = book_for(session, settings, clinic, patient, medications=[("apixaban", "", None)])
    letter = _sizes(documents.letter_pdf(session, settings, appointment), 98)
    sheet = _sizes(documents.appointment_information_pdf(session, appointment), 24)
    for runs in (letter, sheet):
        sentences = [(text, size) for text, size in runs if len(text) > 40]
        assert sentences
        assert all(size >= 11 for _text, size in sentences), [r for r in sentences if r[1] < 11][:3]


def test_letter_and_pack_are_byte_identical_at_the_same_moment(session, settings, clinic):
    appointment = book_for(session, settings, clinic, medications=[("apixaban", "", None)])
    first = documents.letter_pdf(session, settings, appointment, now=NOW)
    assert documents.letter_pdf(session, settings, appointment, now=NOW) == first


def test_rfa_table_time_of_the_catalogue_matches_its_sheet(session, clinic):
    """Finding 10: RFA 30-45 minutes on the table (one to four levels), as the sheet says."""
    rfa = clinic.pt("RFA")
    assert [rfa.table_minutes_for(levels) for levels in (1, 2, 3, 4)] == [30, 35, 40, 45]
    text = text_of(documents.information_sheet_pdf(session, rfa, "en"))
    assert "The time on the table is about 30 to 45 minutes" in text
    assert "Numbness or weakness for some hours is possible" in text
    german = text_of(documents.information_sheet_pdf(session, rfa, "de"))
    assert "Radiofrequenz-Denervation (Thermokoagulation) der Facettengelenke" in german
    assert "Neutralelektrode" in german and "Taubheit " not in german


def test_english_consent_sheet_and_pack_print_no_german_clinic_line(session, settings, clinic, zone):
    """Issue 21 item 10, the other printed documents: the consent form, the information sheet and the
    print pack of an English-speaking patient carry the department and the room in English."""
    from clinic.services import consents

    room = clinic.rooms["CT 1"]
    room.location_hint = "Haus B, Erdgeschoss, Anmeldung Radiologie"
    room.location_hint_en = "Building B, ground floor, radiology reception"
    appointment = book_for(session, settings, clinic, make_patient(session, preferred_language="en"), room=room)
    printed = {
        "consent": consents.print_consent(session, None, appointment, zone)[0],
        "sheet": documents.appointment_information_pdf(session, appointment),
        "pack": documents.print_pack_pdf(session, settings, None, appointment),
    }
    for name, pdf in printed.items():
        text = text_of(pdf if isinstance(pdf, bytes) else pdf[0])
        assert "Interventionelle" not in text and "Erdgeschoss" not in text, name
        assert "Interventional Pain Therapy" in text, name


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_fasting_patient_with_diabetes_is_asked_to_call_about_the_diabetes_medicines(
    session, settings, clinic, language
):
    """Walk finding: a sympathetic block (6 hours fasting) for a patient whose pre-registration records
    diabetes said when to stop eating and nothing about insulin or tablets. The letter now asks the patient
    to call us before the appointment to agree how to take them (no dose is guessed; no list of ours would
    make a call of ours happen, so the letter promises none); without fasting, or without diabetes, it says
    nothing of the kind."""
    start = utc(2026, 12, 1, 7, 0)
    symp = dict(code="SYMP", target="lumbar_chain", stage="diagnostic", levels=None, candidate=_at(clinic, start))
    patient = make_patient(session, preferred_language=language)
    text = text_of(
        documents.letter_pdf(
            session, settings, book_for(session, settings, clinic, patient, conditions={"diabetes"}, **symp)
        )
    )
    if language == "de":
        assert "Bitte essen Sie ab Dienstag, 1. Dezember 2026, um 02:00 Uhr nichts mehr" in text
        assert (
            "Sie haben uns mitgeteilt, dass Sie Diabetes haben. Da Sie vor dem Eingriff nichts essen dürfen, rufen "
            "Sie uns bitte vor dem Termin an, damit wir mit Ihnen besprechen, wie Sie Ihre Diabetes-Medikamente "
            "(Insulin oder Tabletten) an diesem Tag nehmen." in text
        )
    else:
        assert "please call us before the appointment so that we can agree with you how to take your diabetes" in text
    marker = "Diabetes-Medikamente" if language == "de" else "diabetes medicines"

    other = make_patient(session, preferred_language=language)
    no_diabetes = book_for(
        session, settings, clinic, other, **{**symp, "candidate": _at(clinic, start + dt.timedelta(hours=2))}
    )
    assert marker not in text_of(documents.letter_pdf(session, settings, no_diabetes))

    third = make_patient(session, preferred_language=language)
    light_meal = book_for(session, settings, clinic, third, conditions={"diabetes"})  # PRT: no fasting
    assert marker not in text_of(documents.letter_pdf(session, settings, light_meal))


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_reminder_email_asks_a_fasting_patient_with_diabetes_to_call_as_the_letter_does(
    session, settings, clinic, zone, language
):
    """Walk finding (4 December): the letter asked a fasting patient with diabetes to call us about the
    diabetes medicines; the reminder email, which repeats the letter's day, left the sentence out. It now
    says the letter's eating sentences (``letter.food_sentences``), as it says the letter's hold sentences."""
    from clinic.jobs import reminders

    start = utc(2026, 12, 1, 7, 0)
    symp = dict(code="SYMP", target="lumbar_chain", stage="diagnostic", levels=None, candidate=_at(clinic, start))
    diabetic = book_for(
        session, settings, clinic, make_patient(session, preferred_language=language), conditions={"diabetes"}, **symp
    )
    body = reminders.compose(session, diabetic, zone, now=NOW).body
    if language == "de":
        assert "Bitte essen Sie ab Dienstag, 1. Dezember 2026, um 02:00 Uhr nichts mehr" in body
        assert (
            "Sie haben uns mitgeteilt, dass Sie Diabetes haben. Da Sie vor dem Eingriff nichts essen dürfen, rufen "
            "Sie uns bitte vor dem Termin an, damit wir mit Ihnen besprechen, wie Sie Ihre Diabetes-Medikamente "
            "(Insulin oder Tabletten) an diesem Tag nehmen." in body
        )
    else:
        assert "please call us before the appointment so that we can agree with you how to take your diabetes" in body
    assert "<b>" not in body
    other = book_for(
        session,
        settings,
        clinic,
        make_patient(session, preferred_language=language),
        **{**symp, "candidate": _at(clinic, start + dt.timedelta(hours=2))},
    )
    marker = "Diabetes-Medikamente" if language == "de" else "diabetes medicines"
    assert marker not in reminders.compose(session, other, zone, now=NOW).body
