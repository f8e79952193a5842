"""Daily worklist per room: the day's appointments in table order, readiness notes, repeated header."""

from __future__ import annotations

import datetime as dt
import re

from clinic.core.timefmt import to_local
from clinic.documents import worklist as worklist_document
from clinic.documents.worklist_text import WORDS
from clinic.models.vocab import AppointmentStatus
from clinic.services import appointments, documents
from tests.conftest import ZONE, assert_shows
from tests.factories import make_patient

from .helpers import book_for, page_sizes_mm, pages, render_png, text_of

DAY = dt.date(2026, 11, 24)


def test_worklist_lists_the_rooms_day_in_order_without_cancelled(session, settings, clinic, zone):
    room = clinic.rooms["CT 1"]
    booked = []
    for name in ("Ærø", "Bødker", "Çelik", "Dąbrowska"):
        patient = make_patient(session, family_name=name, given_name="Zoë")
        booked.append(book_for(session, settings, clinic, patient, first_day=DAY, room=room))
    appointments.cancel(session, settings, None, booked[2], "patient unwell")
    other_room = make_patient(session, family_name="Elsewhere", given_name="Eve")
    book_for(session, settings, clinic, other_room, first_day=DAY, room=clinic.rooms["CT 2"])
    next_day = make_patient(session, family_name="Tomorrow", given_name="Tim")
    book_for(session, settings, clinic, next_day, first_day=DAY + dt.timedelta(days=1), room=room)

    text = text_of(documents.worklist_pdf(session, DAY, room, zone))
    assert text.index("Ærø, Zoë") < text.index("Bødker, Zoë") < text.index("Dąbrowska, Zoë")
    assert "Çelik" not in text and "Elsewhere" not in text and "Tomorrow" not in text
    assert "08:00–08:20" in text  # local clinic time
    assert "3 Termine" in text  # in the clinic's language


def test_readiness_notes_come_from_the_pre_registration(session, settings, clinic, zone):
    stopped_long_ago = [("clopidogrel", "", dt.date(2026, 11, 1))]
    book_for(
        session,
        settings,
        clinic,
        first_day=DAY,
        allergies={"contrast"},
        allergy_other="Jod-Pflaster",
        conditions={"diabetes", "pregnancy_possible", "implant"},
        implant_note="Herzschrittmacher",
        medications=stopped_long_ago,
    )
    text = text_of(documents.worklist_pdf(session, DAY, clinic.rooms["CT 1"], zone))
    assert_shows(
        text,
        "Allergien: Kontrastmittel, Jod-Pflaster",
        "Diabetes",
        "Schwangerschaft möglich",
        "Implantat: Herzschrittmacher",
    )
    assert "Blutverdünner" not in text and "Blood thinners" not in text


def test_the_medication_column_says_what_the_team_must_check(session, settings, clinic, zone):
    """Issue 14, finding 4: per patient whether the hold is kept (by a recorded last dose) or must be asked,
    whether the plan is confirmed, INR for warfarin, a raised bleeding risk; ibuprofen is named as a drug
    that changes bleeding, not as a blood thinner."""
    medications = [("warfarin", "", dt.date(2026, 11, 17)), ("ibuprofen", "", None)]
    # Ibuprofen (24 h at the raised risk), still taken: the first day it allows is a day's notice later.
    first = book_for(session, settings, clinic, first_day=DAY, medications=medications, raised_bleeding_risk=True)
    day = to_local(first.table_start, ZONE).date()
    apixaban = make_patient(session, family_name="Zorn", given_name="Zoë")
    book_for(
        session, settings, clinic, apixaban, first_day=day + dt.timedelta(days=7), medications=[("apixaban", "", None)]
    )
    text = text_of(documents.worklist_pdf(session, day, clinic.rooms["CT 1"], zone))
    assert "Gerinnungsrelevante Medikamente" in text
    assert_shows(
        text,
        "Warfarin: Pause 120 h; letzte Dosis 17.11.2026, eingehalten; INR nötig",
        "Ibuprofen: Pause 24 h; letzte Dosis nicht erfasst: erfragen",  # raised risk: handled as high
        "Plan NICHT bestätigt (Rückruf offen)",
        "erhöhtes Blutungsrisiko",
    )
    later = text_of(documents.worklist_pdf(session, day + dt.timedelta(days=7), clinic.rooms["CT 1"], zone))
    assert "Apixaban: Pause 72 h; letzte Dosis nicht erfasst: erfragen" in later


def test_an_english_worklist_on_request(session, settings, clinic, zone):
    book_for(session, settings, clinic, first_day=DAY, medications=[("apixaban", "", dt.date(2026, 11, 20))])
    text = text_of(documents.worklist_pdf(session, DAY, clinic.rooms["CT 1"], zone, "en"))
    assert "Drugs that change bleeding" in text and "Apixaban: hold 72 h; last dose 20/11/2026, kept" in text


def test_long_worklist_repeats_its_header_and_numbers_its_pages(session, settings, clinic, zone):
    room = clinic.rooms["CT 1"]
    for n in range(32):  # a full day from 08:00 to 16:00 in 15-minute slots
        patient = make_patient(session, family_name=f"Øster-Weiß{n}", given_name="Zoë")
        book_for(session, settings, clinic, patient, first_day=DAY, room=room, code="FACET", stage="diagnostic")
    pdf = documents.worklist_pdf(session, DAY, room, zone)
    texts = pages(pdf)
    assert len(texts) >= 2
    for number, page in enumerate(texts, start=1):
        assert "Hinweise" in page and "Patient/in" in page  # the header row, on every page
        assert f"Seite {number} von {len(texts)}" in page
    assert set(page_sizes_mm(pdf)) == {(297, 210)}  # landscape A4


def test_empty_worklist_says_so(session, clinic, zone):
    text = text_of(documents.worklist_pdf(session, DAY, clinic.rooms["CT 2"], zone))
    assert "Keine Termine in diesem Raum an diesem Tag." in text
    assert "Seite 1 von 1" in text


def test_no_status_word_is_broken_in_either_language(session, settings, clinic, zone, tmp_path):
    """Staff walk: the German status column broke "entlasse|n", "angemel|det"; every status word of both
    languages reads back whole, on one line of its cell."""
    room = clinic.rooms["CT 1"]
    shown = [s for s in AppointmentStatus if s is not AppointmentStatus.CANCELLED]
    for n, status in enumerate(shown):
        patient = make_patient(session, family_name=f"Status{n}", given_name="Zoë")
        book_for(session, settings, clinic, patient, first_day=DAY, room=room).status = status
    session.flush()
    for language in ("de", "en"):
        pdf = documents.worklist_pdf(session, DAY, room, zone, language)
        lines = {line.strip() for page in pages(pdf) for line in page.splitlines()}
        words = {w for status in shown for w in WORDS[language]["status_labels"][status.value].split()}
        assert len(words) > 6
        for w in words:
            assert w in lines or any(re.search(rf"(^|\s){re.escape(w)}(\s|$)", line) for line in lines), (language, w)
        assert render_png(pdf, tmp_path, f"worklist-{language}", dpi=80)


def test_a_worklist_printed_again_measures_no_cell_again(session, settings, clinic, zone):
    """Issue 20 (load test): each cell's text is broken to its column once per process, not on every list;
    the same list printed again is the same PDF and measures nothing anew."""
    for name in ("Ærø", "Bødker"):
        book_for(session, settings, clinic, make_patient(session, family_name=name), first_day=DAY)
    room = clinic.rooms["CT 1"]
    first = documents.worklist_pdf(session, DAY, room, zone)
    measured = worklist_document._wrapped.cache_info().misses
    assert documents.worklist_pdf(session, DAY, room, zone) == first
    assert worklist_document._wrapped.cache_info().misses == measured
