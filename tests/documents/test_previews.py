"""Every document renders to PNG (poppler's pdftoppm). The pages are kept under /tmp/doc-previews for a
person to look at: address in the window, tables readable, nothing overlapping, umlauts visible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clinic.models import DocumentText
from clinic.services import documents
from clinic.services.consents import print_consent
from tests.conftest import ZONE
from tests.factories import make_patient

from .helpers import book_for, render_png

PREVIEWS = Path("/tmp/doc-previews")
MIN_PNG_BYTES = 2000  # a blank page at 50 dpi is smaller than this


@pytest.fixture
def appointment(session, settings, clinic):
    patient = make_patient(session, family_name="Søren-Müller", given_name="Łukasz", sex="male", city="Lübeck")
    return book_for(
        session,
        settings,
        clinic,
        patient,
        first_day=dt.date(2026, 12, 7),
        allergies={"contrast"},
        allergy_other="Pflaster (Zinkoxid)",
        conditions={"diabetes"},
        medications=[("clopidogrel", "", None), ("aspirin", "secondary", None), ("warfarin", "", None)],
    )


def _check(pdf: bytes, backend: str, name: str, dpi: int = 50) -> None:
    pngs = render_png(pdf, PREVIEWS / backend, name, dpi)
    assert pngs, f"pdftoppm wrote no page for {name}"
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > MIN_PNG_BYTES, f"{png.name} looks blank"


def test_letter_renders(session, settings, appointment, backend):
    _check(documents.letter_pdf(session, settings, appointment, issued_on=dt.date(2026, 11, 23)), backend, "letter-de")
    appointment.patient.preferred_language = "en"
    _check(documents.letter_pdf(session, settings, appointment, issued_on=dt.date(2026, 11, 23)), backend, "letter-en")


def test_consent_renders(session, appointment, zone, backend):
    pdf, _consent = print_consent(session, None, appointment, zone)
    _check(pdf, backend, "consent-de")


@pytest.mark.parametrize("language", ["de", "en"])
def test_information_sheets_render(session, clinic, backend, language):
    for code, procedure_type in clinic.procedures.items():
        _check(documents.information_sheet_pdf(session, procedure_type, language), backend, f"info-{code}-{language}")


NAMES = ["Weiß-Dupré", "Søren-Müller", "Ødegård", "Kowalczyk-Łęcka", "Öztürk"]


def test_worklist_renders(session, settings, clinic, zone, backend):
    room = clinic.rooms["CT 1"]
    for n in range(32):  # a full day of 15-minute facet blocks: the table runs onto a second page
        patient = make_patient(session, family_name=NAMES[n % len(NAMES)], given_name="Zoë")
        conditions = {"diabetes"} if n % 2 == 0 else set()
        if n % 5 == 0:
            conditions.add("implant")
        day = dt.date(2026, 11, 24)
        book_for(
            session,
            settings,
            clinic,
            patient,
            first_day=day,
            allergies={"latex"} if n % 3 == 0 else set(),
            conditions=conditions,
            implant_note="Herzschrittmacher" if "implant" in conditions else None,  # the checklist asks which
            room=room,
            code="FACET",
            stage="diagnostic",
        )
    _check(documents.worklist_pdf(session, dt.date(2026, 11, 24), room, zone), backend, "worklist")


def test_print_pack_renders(session, settings, appointment, backend):
    _check(
        documents.print_pack_pdf(session, settings, None, appointment, issued_on=dt.date(2026, 11, 23)), backend, "pack"
    )


def test_text_preview_renders(session, clinic, backend):
    draft = DocumentText(
        procedure_type_id=clinic.pt("RFA").id,
        kind="consent",
        language="de",
        title="Entwurf: Einwilligung",
        body="## Der Eingriff\n\nText mit **Fettdruck** und {clinic_name}.\n\n## Erklärungen\n\n- Ich willige ein.\n",
    )
    _check(documents.text_preview_pdf(session, draft, zone=ZONE), backend, "preview-consent")
