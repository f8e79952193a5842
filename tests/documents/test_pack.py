"""Print pack: letter, information sheet and consent form of one appointment in one PDF."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError
from clinic.documents import render_consent
from clinic.models import Consent
from clinic.services import documents
from tests.admin.helpers import next_monday, strand_in_ct1
from tests.conftest import TODAY
from tests.factories import make_patient

from .helpers import book_for, page_count, pages, text_of

ISSUED = TODAY  # the letters are issued today


def test_print_pack_holds_all_three_documents_and_records_the_consent(session, settings, clinic, zone, contact):
    patient = make_patient(session, family_name="Søren-Müller", given_name="Łukasz")
    appointment = book_for(session, settings, clinic, patient, medications=[("rivaroxaban", "", None)])
    actor = clinic.staff["frontdesk"]
    pack = documents.print_pack_pdf(session, settings, actor, appointment, issued_on=ISSUED)

    letter = documents.letter_pdf(session, settings, appointment, issued_on=ISSUED)
    sheet = documents.appointment_information_pdf(session, appointment)
    consent = session.scalars(select(Consent).filter_by(appointment_id=appointment.id)).one()
    form = render_consent(appointment, consent.document_text, contact, zone)
    # The consent form twice: the original for the record and the patient's copy (§630e BGB).
    assert page_count(pack) == page_count(letter) + page_count(sheet) + 2 * page_count(form)

    # The recorded hash is the consent form's own, which printing it again reproduces.
    assert consent.pdf_sha256 == hashlib.sha256(form).hexdigest()
    assert consent.printed_by_id == actor.id

    text = text_of(pack)
    assert "Ihr Termin am" in text and "Rivaroxaban: Ob und ab wann Sie es vor dem Eingriff pausieren" in text
    assert "PRT-INFO-DE-v1" in text and "PRT-CONS-DE-v1" in text
    assert "Original für die Patientenakte" in text and "Ausfertigung für die Patientin / den Patienten" in text
    assert "Łukasz Søren-Müller" in text
    # Each part counts its own pages.
    first_sheet_page = pages(pack)[page_count(letter)]
    assert f"Seite 1 von {page_count(sheet)}" in first_sheet_page


def test_print_pack_is_byte_identical_for_the_same_input(session, settings, clinic):
    appointment = book_for(session, settings, clinic)
    first = documents.print_pack_pdf(session, settings, None, appointment, issued_on=ISSUED)
    assert documents.print_pack_pdf(session, settings, None, appointment, issued_on=ISSUED) == first


def test_no_letter_or_pack_for_a_stranded_appointment_whoever_asks(session, settings, clinic):
    """The services refuse, not only the front desk's views: the API and any job get the same refusal."""
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    for print_it in (
        lambda a: documents.letter_pdf(session, settings, a, issued_on=ISSUED),
        lambda a: documents.print_pack_pdf(session, settings, None, a, issued_on=ISSUED),
    ):
        with pytest.raises(DomainError) as refusal:
            print_it(stranded)
        assert refusal.value.code == "stranded"
        assert print_it(spared).startswith(b"%PDF")
    assert session.scalars(select(Consent.appointment_id)).all() == [spared.id]
