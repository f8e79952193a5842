"""The printed documents, for the web views, the API and the jobs: each function returns PDF bytes.

Loads what a document needs (texts, settings, hold plan, the day's appointments) and hands it to the
renderers in ``clinic.documents``. Only ``print_pack_pdf`` writes (a Consent row, via ``print_consent``);
it flushes and leaves the commit to the caller.

The appointment letter confirms a time to the patient: ``letter_pdf`` and ``print_pack_pdf`` take the
scheduling settings (not only the zone) and refuse an appointment a setup change stranded
(``stranding.refuse_letter_if_stranded``), whoever calls them: the front desk, the API or a job.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..core.errors import InvalidInput
from ..core.messages import N_
from ..core.timefmt import day_bounds, local_instant, to_local
from ..documents import (
    LetterContext,
    render_consent,
    render_information_sheet,
    render_letter,
    render_print_pack,
    render_worklist,
)
from ..documents.consent import applies_to
from ..models import Appointment, DocumentText, Patient, PreRegistration, ProcedureType, Referral, Room
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, DocumentKind, Language
from ..scheduling.context import Settings
from . import medication, settings, stranding
from .consents import current_text, print_consent
from .medication import HoldPlan

PREVIEW_REFERENCE = "MUST-ER23"
PREVIEW_DAY = dt.date(2030, 1, 7)  # a fixed specimen date keeps previews reproducible


def information_sheet_pdf(session: Session, procedure_type: ProcedureType, language: str) -> bytes:
    text = current_text(session, procedure_type.id, DocumentKind.INFORMATION, language)
    return render_information_sheet(text, settings.contact(session, language))


def appointment_information_pdf(session: Session, appointment: Appointment) -> bytes:
    """The information sheet as printed for this appointment: the patient's language, the planned
    guidance and target (lines for other targets or guidance left out)."""
    language = appointment.patient.preferred_language
    text = current_text(session, appointment.procedure_type_id, DocumentKind.INFORMATION, language)
    return render_information_sheet(text, settings.contact(session, language), applies=applies_to(appointment))


def hold_plan_for(session: Session, appointment: Appointment, language: str | None = None) -> HoldPlan:
    """The medication hold plan of the appointment's referral, drug names in the patient's language
    (or the one given)."""
    prereg = appointment.referral.preregistration if appointment.referral else None
    language = language or appointment.patient.preferred_language
    if prereg is None:
        return HoldPlan(appointment.procedure_type.bleeding_class_for(appointment.region))
    return medication.plan_for(session, prereg, appointment.procedure_type, appointment.region, language)


def letter_context(
    session: Session,
    appointment: Appointment,
    zone: str,
    *,
    issued_on: dt.date | None = None,
    now: dt.datetime | None = None,
    portal_url: str | None = None,
) -> LetterContext:
    """``now`` is the moment of printing (the clock unless given); ``issued_on`` the letter's date
    (today in the clinic's zone unless given)."""
    now = now or utcnow()
    return LetterContext(
        appointment=appointment,
        hold_plan=hold_plan_for(session, appointment),
        clinic=settings.contact(session, appointment.patient.preferred_language),
        zone=zone,
        arrival_minutes=settings.get_int(session, "arrival_minutes_before"),
        issued_on=issued_on or to_local(now, zone).date(),
        now=now,
        portal_url=portal_url,
    )


def letter_pdf(session: Session, scheduling: Settings, appointment: Appointment, **when) -> bytes:
    """The appointment letter, in the clinic's zone (``scheduling.zone``); ``when`` are ``letter_context``'s
    ``issued_on`` (today in the clinic's zone unless given), ``now`` (the moment of printing, the clock
    unless given) and ``portal_url`` (the patient's link and its QR code). Refused (``DomainError``, code
    "stranded") for an appointment a setup change left outside the clinic's availability."""
    stranding.refuse_letter_if_stranded(session, scheduling, appointment)
    return render_letter(letter_context(session, appointment, scheduling.zone, **when))


def worklist_appointments(session: Session, day: dt.date, room: Room, zone: str) -> list[Appointment]:
    """The room's appointments on a local day, cancelled ones left out, in table order."""
    start, end = day_bounds(day, zone)
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.room_id == room.id,
                Appointment.table_start >= start,
                Appointment.table_start < end,
                Appointment.status != AppointmentStatus.CANCELLED,
            )
            .order_by(Appointment.table_start, Appointment.id)
            .options(
                selectinload(Appointment.patient),
                selectinload(Appointment.procedure_type),
                selectinload(Appointment.referral)
                .selectinload(Referral.preregistration)
                .selectinload(PreRegistration.medications),
            )
        )
    )


def worklist_pdf(session: Session, day: dt.date, room: Room, zone: str, language: str = "de") -> bytes:
    """The room's worklist for a day, in the clinic's language (German unless given)."""
    appointments = worklist_appointments(session, day, room, zone)
    plans = {a.id: hold_plan_for(session, a, language) for a in appointments if a.referral is not None}
    return render_worklist(appointments, room.name, day, zone, settings.contact(session, language), plans, language)


def print_pack_pdf(
    session: Session,
    scheduling: Settings,
    actor,
    appointment: Appointment,
    *,
    issued_on: dt.date | None = None,
    portal_url: str | None = None,
) -> bytes:
    """Letter, information sheet and consent form in one PDF. Records the consent as printed (flush only);
    the recorded hash is that of the consent form on its own, which printing it again reproduces. Refused
    as ``letter_pdf`` is for a stranded appointment, before anything is recorded."""
    stranding.refuse_letter_if_stranded(session, scheduling, appointment)
    zone = scheduling.zone
    language = appointment.patient.preferred_language
    information = current_text(session, appointment.procedure_type_id, DocumentKind.INFORMATION, language)
    _pdf, consent = print_consent(session, actor, appointment, zone)
    context = letter_context(session, appointment, zone, issued_on=issued_on, portal_url=portal_url)
    return render_print_pack(context, information, consent.document_text, context.clinic)


def text_preview_pdf(session: Session, document_text: DocumentText, zone: str) -> bytes:
    """An admin's preview of a text, saved or not. Consent texts are shown on a specimen patient, at a
    specimen time in the clinic's zone."""
    procedure_type = document_text.procedure_type or session.get(ProcedureType, document_text.procedure_type_id)
    if procedure_type is None:
        raise InvalidInput(N_("The text needs a procedure before it can be previewed."))
    label = _preview_label(document_text, procedure_type)
    clinic = settings.contact(session, document_text.language)
    if document_text.kind == DocumentKind.CONSENT:
        specimen = _specimen_appointment(procedure_type, document_text.language, zone)
        return render_consent(specimen, document_text, clinic, zone, label)
    return render_information_sheet(document_text, clinic, label)


def _preview_label(text: DocumentText, procedure_type: ProcedureType) -> str:
    kind = (text.kind or "")[:4].upper()
    version = text.version if text.version is not None else "?"
    word = "Vorschau" if text.language == Language.DE else "preview"
    return f"{procedure_type.code}-{kind}-{(text.language or '').upper()}-v{version} ({word})"


def _specimen_appointment(procedure_type: ProcedureType, language: str, zone: str) -> Appointment:
    """A transient appointment (never added to the session) for previews."""
    german = language == Language.DE
    patient = Patient(
        clinic_number="P-000000",
        birth_date=dt.date(1970, 1, 1),
        sex="unknown",
        preferred_language=language,
    )
    patient.set_names("Mustermann" if german else "Sample", "Erika" if german else "Alex")
    start = local_instant(PREVIEW_DAY, dt.time(9), zone)
    table_end = start + dt.timedelta(minutes=procedure_type.table_minutes)
    return Appointment(
        reference=PREVIEW_REFERENCE,
        patient=patient,
        procedure_type=procedure_type,
        region="lumbar",
        side="left" if procedure_type.needs_side else None,
        levels="L4/5" if procedure_type.needs_levels else None,
        stage="diagnostic" if procedure_type.needs_stage else None,
        guidance=procedure_type.modality,
        table_start=start,
        table_end=table_end,
        obs_end=table_end + dt.timedelta(minutes=procedure_type.observation_minutes),
    )
