"""Printing a consent form records what was printed: the text version and the PDF's sha256.

The form is byte-identical for the same appointment and text (see ``clinic.documents``), so the hash
can be checked later by printing the same version again. Flushes only; the caller commits.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, NotFound
from ..core.messages import N_, Phrase
from ..documents import render_consent
from ..models import Appointment, Consent, DocumentText
from ..models.vocab import AppointmentStatus, DocumentKind, Language
from ..scheduling.context import Settings
from . import settings, stranding, texts


def current_text(session: Session, procedure_type_id: int, kind: str, language: str) -> DocumentText:
    """The highest version of a text: the one that is printed from now on."""
    text = texts.current(session, procedure_type_id, kind, language)
    if text is None:
        raise NotFound(  # the kind and the language by their labels, which a screen shows in its language
            N_("There is no {kind} text in language '{language}' for this procedure yet."),
            kind=Phrase(DocumentKind(kind).label, lower=True),
            language=Phrase(Language(language).label) if language in Language.values() else language,
        )
    return text


def consent_text_for(session: Session, appointment: Appointment) -> DocumentText:
    language = appointment.patient.preferred_language
    return current_text(session, appointment.procedure_type_id, DocumentKind.CONSENT, language)


def print_consent(session: Session, actor, appointment: Appointment, zone: str) -> tuple[bytes, Consent]:
    """Render the consent form with the current text and record it (``actor`` may be None: the system).
    The same form printed again (same text, same appointment time: the same bytes) is the print already
    recorded, not a second one to sign: the reprint is kept in the audit trail only. Refused (code
    "stranded") for an appointment a setup change left outside the clinic's availability, as the letter and
    the print pack are, before anything is recorded; the check reads only the zone and the clock."""
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise DomainError(N_("No consent form for an appointment that has ended."), code="invalid_state")
    stranding.refuse_consent_if_stranded(session, Settings(zone=zone), appointment)
    text = consent_text_for(session, appointment)
    pdf = render_consent(appointment, text, settings.contact(session, text.language), zone)
    sha256 = hashlib.sha256(pdf).hexdigest()
    printed = session.scalar(
        select(Consent).where(
            Consent.appointment_id == appointment.id,
            Consent.pdf_sha256 == sha256,
            Consent.printed_for_start == appointment.table_start,
        )
    )
    if printed is not None:
        audit.record(
            session,
            "consent.reprinted",
            "consents",
            printed.id,
            summary={"appointment": appointment.id},
            patient_id=appointment.patient_id,
            actor=actor,
        )
        return pdf, printed
    consent = Consent(
        appointment_id=appointment.id,
        document_text_id=text.id,
        pdf_sha256=sha256,
        printed_by_id=audit.actor_of(actor).id,
        printed_for_start=appointment.table_start,
    )
    session.add(consent)
    session.flush()
    return pdf, consent
