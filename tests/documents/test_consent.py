"""The consent form and its record: current text version, sha256 of the printed bytes, the QR code."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from clinic.models import Consent, DocumentText
from clinic.services import documents
from clinic.services.consents import print_consent
from tests.conftest import ZONE, assert_shows
from tests.factories import make_patient

from .helpers import book_for, decode_qr, page_count, render_png, text_of


@pytest.fixture
def appointment(session, settings, clinic):
    patient = make_patient(session, family_name="Weiß-Dupré", given_name="Zoë", sex="female")
    appointment = book_for(
        session, settings, clinic, patient, code="SYMP", side="right", levels=None, stage="diagnostic"
    )
    appointment.target = "lumbar_chain"
    return appointment


def test_print_consent_records_the_text_version_and_the_hash_of_the_returned_bytes(session, clinic, appointment, zone):
    frontdesk = clinic.staff["frontdesk"]
    pdf, consent = print_consent(session, frontdesk, appointment, zone)
    assert consent.id is not None  # flushed
    assert consent.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert consent.appointment_id == appointment.id
    assert consent.printed_by_id == frontdesk.id
    assert consent.document_text.version_label == "SYMP-CONS-DE-v1"
    assert consent.signed_at is None
    # Flushed, never committed: the caller's rollback takes it away again.
    session.rollback()
    assert session.scalar(select(func.count(Consent.id))) == 0


def test_print_consent_uses_the_highest_version_in_the_patients_language(session, clinic, appointment, zone):
    old = session.scalars(
        select(DocumentText).filter_by(procedure_type_id=clinic.pt("SYMP").id, kind="consent", language="de")
    ).one()
    newer = DocumentText(
        procedure_type_id=old.procedure_type_id,
        kind="consent",
        language="de",
        version=2,
        title=old.title,
        body=old.body.replace("## Alternativen", "## Alternativen\n\nNeu in Version 2: Bitte fragen Sie nach."),
    )
    session.add(newer)
    session.flush()
    pdf, consent = print_consent(session, None, appointment, zone)
    assert consent.document_text_id == newer.id
    assert consent.printed_by_id is None
    text = text_of(pdf)
    assert "Neu in Version 2: Bitte fragen Sie nach." in text
    assert "SYMP-CONS-DE-v2" in text

    appointment.patient.preferred_language = "en"
    _pdf, consent = print_consent(session, None, appointment, zone)
    assert consent.document_text.version_label == "SYMP-CONS-EN-v1"


def test_consent_form_shows_who_what_and_where(session, appointment, zone):
    pdf, _consent = print_consent(session, None, appointment, zone)
    text = text_of(pdf)
    patient = appointment.patient
    assert_shows(
        text,
        "Weiß-Dupré, Zoë",
        patient.birth_date.strftime("%d.%m.%Y"),
        patient.clinic_number,
        "Sympathikolyse",
        "Zielort lumbaler Grenzstrang",
        "Lendenwirbelsäule",
        "rechts",
        "diagnostisch",
        "Bildsteuerung CT",
        "Strahlung Röntgenstrahlen in geringer Dosis",
        "Besondere Risiken dieses Eingriffs",
        "Strahlenbelastung",
        "Alternativen",
        "Ihre Fragen und Notizen aus dem Aufklärungsgespräch",
        "Erklärungen",
        "Aufklärungsgespräch und Unterschriften",
        "Gespräch geführt von (Name der Ärztin / des Arztes)",
        "Datum und Uhrzeit des Gesprächs",
        "Hamburg,",
        "Ort, Datum, Uhrzeit",
        "Unterschrift der Patientin / des Patienten",
        "Unterschrift der Ärztin / des Arztes",
        "Ich habe eine Kopie dieses Bogens erhalten.",
        appointment.reference,
    )
    assert "{clinic_" not in text


def test_mri_guided_consent_leaves_the_ct_radiation_section_out(session, appointment, zone):
    appointment.guidance = "MRI"
    text = text_of(print_consent(session, None, appointment, zone)[0])
    assert "keine, die MRT kommt ohne Röntgenstrahlen aus" in text
    assert "Strahlenbelastung" not in text


def test_consent_form_is_byte_identical_for_the_same_appointment_and_text(session, appointment, zone):
    first, a = print_consent(session, None, appointment, zone)
    second, b = print_consent(session, None, appointment, zone)
    assert first == second
    assert a.pdf_sha256 == b.pdf_sha256


def test_qr_code_reads_back_as_the_appointment_reference(session, appointment, zone, tmp_path):
    pdf, _consent = print_consent(session, None, appointment, zone)
    first_page = render_png(pdf, tmp_path, "consent", dpi=150)[0]
    assert decode_qr(first_page) == [appointment.reference]


def test_every_consent_text_fits_on_two_pages(session, clinic):
    """The admin's preview shows every target's lines at once: even so, two pages."""
    texts = session.scalars(select(DocumentText).filter_by(kind="consent")).all()
    assert len(texts) == 10
    for text in texts:
        assert page_count(documents.text_preview_pdf(session, text, zone=ZONE)) <= 2, text.version_label
