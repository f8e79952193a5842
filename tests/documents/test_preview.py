"""The admin's preview of a text, saved or not yet saved."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic.models import Appointment, DocumentText, Patient
from clinic.services import documents
from tests.conftest import ZONE

from .helpers import text_of

BODY = """## Was ist das?

Text mit **Fettdruck** für {clinic_name}.

- Punkt eins
- Punkt zwei

## Erklärungen

- Ich willige ein.
"""


def _draft(clinic, kind: str) -> DocumentText:
    return DocumentText(
        procedure_type_id=clinic.pt("EPI").id, kind=kind, language="de", title="Entwurf für Jürgen", body=BODY
    )


def test_unsaved_information_text_previews_with_a_preview_label(session, clinic):
    text = text_of(documents.text_preview_pdf(session, _draft(clinic, "information"), zone=ZONE))
    assert "Entwurf für Jürgen" in text
    assert "Text mit Fettdruck für Schmerzzentrum am Stadtpark." in text
    assert "EPI-INFO-DE-v? (Vorschau)" in text


def test_unsaved_consent_text_previews_on_a_specimen_patient_and_writes_nothing(session, clinic):
    before = session.scalar(select(func.count(Patient.id)))
    text = text_of(documents.text_preview_pdf(session, _draft(clinic, "consent"), zone=ZONE))
    assert "Mustermann, Erika" in text
    assert "Ich willige ein." in text
    assert "EPI-CONS-DE-v? (Vorschau)" in text
    session.flush()
    assert session.scalar(select(func.count(Patient.id))) == before
    assert session.scalar(select(func.count(Appointment.id))) == 0


def test_saved_text_previews_with_its_version(session, clinic):
    saved = session.scalars(select(DocumentText).filter_by(kind="information", language="en")).first()
    text = text_of(documents.text_preview_pdf(session, saved, zone=ZONE))
    assert f"{saved.version_label} (preview)" in text
