"""Daily worklist per room: the day's appointments in table order, readiness notes, repeated header."""

from __future__ import annotations

import datetime as dt

from clinic.scheduling import booking
from clinic.services import documents
from tests.factories import make_patient

from .helpers import book_for, page_sizes_mm, pages, text_of

DAY = dt.date(2026, 11, 24)


def test_worklist_lists_the_rooms_day_in_order_without_cancelled(session, settings, clinic, zone):
    room = clinic.rooms["CT 1"]
    booked = []
    for name in ("Ærø", "Bødker", "Çelik", "Dąbrowska"):
        patient = make_patient(session, family_name=name, given_name="Zoë")
        booked.append(book_for(session, settings, clinic, patient, first_day=DAY, room=room))
    booking.cancel(session, settings, None, booked[2], "patient unwell")
    other_room = make_patient(session, family_name="Elsewhere", given_name="Eve")
    book_for(session, settings, clinic, other_room, first_day=DAY, room=clinic.rooms["CT 2"])
    next_day = make_patient(session, family_name="Tomorrow", given_name="Tim")
    book_for(session, settings, clinic, next_day, first_day=DAY + dt.timedelta(days=1), room=room)

    text = text_of(documents.worklist_pdf(session, DAY, room, zone))
    assert text.index("Ærø, Zoë") < text.index("Bødker, Zoë") < text.index("Dąbrowska, Zoë")
    assert "Çelik" not in text and "Elsewhere" not in text and "Tomorrow" not in text
    assert "08:00–08:20" in text  # local clinic time
    assert "3 appointments" in text


def test_readiness_notes_come_from_the_pre_registration(session, settings, clinic, zone):
    prereg = {
        "allergy_contrast": True,
        "allergy_other": "Jod-Pflaster",
        "diabetes": True,
        "pregnancy_possible": True,
        "implant": True,
        "implant_note": "Herzschrittmacher",
    }
    stopped_long_ago = [("clopidogrel", "", dt.date(2026, 11, 1))]
    book_for(session, settings, clinic, first_day=DAY, prereg=prereg, medications=stopped_long_ago)
    text = text_of(documents.worklist_pdf(session, DAY, clinic.rooms["CT 1"], zone))
    for note in (
        "Allergies: Contrast medium, Jod-Pflaster",
        "Diabetes",
        "Pregnancy possible",
        "Implant: Herzschrittmacher",
        "Blood thinners: Clopidogrel",
    ):
        assert note in text, note


def test_long_worklist_repeats_its_header_and_numbers_its_pages(session, settings, clinic, zone):
    room = clinic.rooms["CT 1"]
    for n in range(32):  # a full day from 08:00 to 16:00 in 15-minute slots
        patient = make_patient(session, family_name=f"Øster-Weiß{n}", given_name="Zoë")
        book_for(session, settings, clinic, patient, first_day=DAY, room=room, code="FACET", stage="diagnostic")
    pdf = documents.worklist_pdf(session, DAY, room, zone)
    texts = pages(pdf)
    assert len(texts) >= 2
    for number, page in enumerate(texts, start=1):
        assert "Readiness notes" in page and "Patient" in page  # the header row, on every page
        assert f"Page {number} of {len(texts)}" in page
    assert set(page_sizes_mm(pdf)) == {(297, 210)}  # landscape A4


def test_empty_worklist_says_so(session, clinic, zone):
    text = text_of(documents.worklist_pdf(session, DAY, clinic.rooms["CT 2"], zone))
    assert "No appointments in this room on this day." in text
    assert "Page 1 of 1" in text
