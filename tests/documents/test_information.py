"""Information sheets: one per procedure and language, at most two pages, version label in the footer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.core.errors import NotFound
from clinic.models import DocumentText
from clinic.services import documents

from .helpers import page_count, pages, text_of

CODES = ("PRT", "FACET", "SYMP", "RFA", "EPI")


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_information_sheet_fits_on_two_pages_with_its_version_label(session, clinic, language):
    for code in CODES:
        pdf = documents.information_sheet_pdf(session, clinic.pt(code), language)
        assert page_count(pdf) <= 2, code
        label = f"{code}-INFO-{language.upper()}-v1"
        assert all(label in page for page in pages(pdf)), f"{label} missing from a footer"


def test_placeholders_are_filled_from_the_clinic_settings(session, clinic):
    text = text_of(documents.information_sheet_pdf(session, clinic.pt("PRT"), "de"))
    assert "{" not in text
    assert "Schmerzzentrum am Stadtpark, Parkallee 12, 20144 Hamburg, Telefon +49 40 1234 5670" in text
    assert "ärztlicher Bereitschaftsdienst 116 117 oder die nächste Notaufnahme" in text
    assert "bei neuer Lähmung oder Atemnot die 112" in text
    assert "Periradikuläre Therapie (PRT): Informationen für Patientinnen und Patienten" in text


def test_a_new_version_replaces_the_old_one_in_print(session, clinic):
    pt = clinic.pt("FACET")
    old = session.scalars(select(DocumentText).filter_by(procedure_type_id=pt.id, kind="information", language="en"))
    old = old.one()
    session.add(
        DocumentText(
            procedure_type_id=pt.id,
            kind="information",
            language="en",
            version=2,
            title=old.title,
            body=old.body + "\nA sentence added in version two.\n",
        )
    )
    session.flush()
    text = text_of(documents.information_sheet_pdf(session, pt, "en"))
    assert "FACET-INFO-EN-v2" in text
    assert "A sentence added in version two." in text


def test_missing_text_is_a_clear_error(session, clinic):
    session.execute(DocumentText.__table__.delete().where(DocumentText.language == "en"))
    with pytest.raises(NotFound, match="no information text"):
        documents.information_sheet_pdf(session, clinic.pt("EPI"), "en")


def test_information_sheet_is_byte_identical_for_the_same_text(session, clinic):
    first = documents.information_sheet_pdf(session, clinic.pt("RFA"), "de")
    assert documents.information_sheet_pdf(session, clinic.pt("RFA"), "de") == first
