"""What the scanner reports about a procedure (DICOM MPPS): started, completed, discontinued.

"In progress" moves a checked-in appointment into procedure through the same day book the screens
use, so invariant 7 holds here too: without a signed consent (or before check-in) the appointment
stays where it is, and the report is kept with a warning the worklist and the appointment screen
show until the staff have started the procedure themselves. "Completed" brings the times and the
dose (CTDIvol, DLP): proposals, which a radiologist takes into the procedure record (``confirm``).
Every report is kept, also one whose accession number matches no appointment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from ..core.messages import N_, Phrase, fill
from ..core.timefmt import fmt_time
from ..models import Appointment, PerformedStep, ProcedureRecord
from ..models.base import utcnow
from ..models.dicom import (
    STEP_ENDED,
    STEP_NO_ACCESSION,
    STEP_NO_APPOINTMENT,
    STEP_NO_CONSENT,
    STEP_NOT_CHECKED_IN,
    STEP_NOT_STARTED,
    StepStatus,
    shown_step_warning,
)
from ..models.vocab import AppointmentStatus, Role
from . import procedure_day
from .modality_worklist import appointment_by_accession

STARTED_OR_LATER = (AppointmentStatus.IN_PROCEDURE, AppointmentStatus.IN_OBSERVATION, AppointmentStatus.DISCHARGED)
WARN_WHILE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


@dataclass(frozen=True)
class StepReport:
    """One N-CREATE or N-SET, read from the scanner's message; None where the message says nothing."""

    sop_instance_uid: str
    station_ae_title: str
    status: StepStatus | None = None
    accession_number: str | None = None
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    ctdivol_mgy: Decimal | None = None
    dlp_mgycm: Decimal | None = None


class UnknownStep(NotFound):
    code = "unknown_step"


class DuplicateStep(Conflict):
    code = "duplicate_step"


class StepClosed(DomainError):
    code = "step_closed"


def _find(session: Session, sop_instance_uid: str) -> PerformedStep | None:
    return session.scalar(select(PerformedStep).where(PerformedStep.sop_instance_uid == sop_instance_uid))


def step_created(session: Session, actor, report: StepReport, zone: str) -> PerformedStep:
    """N-CREATE: the scanner began a step. Refused when the step exists or is not "in progress"."""
    if report.status is not StepStatus.IN_PROGRESS:
        raise InvalidInput(N_("A performed procedure step is created “in progress”."))
    if _find(session, report.sop_instance_uid) is not None:
        raise DuplicateStep(N_("This performed procedure step exists already."))
    step = PerformedStep(
        sop_instance_uid=report.sop_instance_uid,
        station_ae_title=report.station_ae_title[:16],
        accession_number=(report.accession_number or "").strip()[:16] or None,
        status=StepStatus.IN_PROGRESS,
        started_at=report.started_at,
        ended_at=report.ended_at,
        ctdivol_mgy=report.ctdivol_mgy,
        dlp_mgycm=report.dlp_mgycm,
    )
    session.add(step)
    try:
        # The step first: a second copy sent at the same moment waits here for the first one's
        # transaction and is then refused, before it can touch the appointment.
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise DuplicateStep(N_("This performed procedure step exists already.")) from exc
    appointment = appointment_by_accession(session, step.accession_number)
    if appointment is None:
        step.warning = (
            fill(STEP_NO_APPOINTMENT, {"accession": step.accession_number})
            if step.accession_number
            else STEP_NO_ACCESSION
        )
    else:
        step.appointment_id = appointment.id
        step.warning = _start(session, actor, appointment, report, zone)
    session.flush()
    return step


def _start(session: Session, actor, appointment: Appointment, report: StepReport, zone: str) -> str | None:
    """Move the appointment into procedure, or say why not (the warning the screens show)."""
    status = AppointmentStatus(appointment.status)
    if status in STARTED_OR_LATER:
        return None  # the staff started it on the screen first
    heard = {"scanner": report.station_ae_title.strip(), "time": fmt_time(report.started_at or utcnow(), zone)}
    if status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        return fill(STEP_ENDED, {**heard, "status": status.label.lower()})
    if status == AppointmentStatus.BOOKED:
        return fill(STEP_NOT_CHECKED_IN, heard)
    try:
        with session.begin_nested():
            procedure_day.start_procedure(session, actor, appointment, at=utcnow(), zone=zone)
    except DomainError as error:
        if error.code == "no_consent":
            return fill(STEP_NO_CONSENT, heard)
        return fill(STEP_NOT_STARTED, {**heard, "reason": error.message})
    return None


def step_updated(session: Session, actor, report: StepReport) -> PerformedStep:
    """N-SET: times, dose and the final status. A completed or discontinued step takes no more changes."""
    step = _find(session, report.sop_instance_uid)
    if step is None:
        raise UnknownStep(N_("No such performed procedure step."))
    if step.status != StepStatus.IN_PROGRESS:
        raise StepClosed(
            N_("This performed procedure step is {status}; it takes no changes."),
            status=Phrase(step.status_enum.label, lower=True),
        )
    if report.station_ae_title.strip() != step.station_ae_title.strip():
        raise StepClosed(N_("Only the scanner that created a performed procedure step may change it."))
    for name in ("started_at", "ended_at", "ctdivol_mgy", "dlp_mgycm"):
        value = getattr(report, name)
        if value is not None:
            setattr(step, name, value)
    if step.started_at and step.ended_at and step.ended_at < step.started_at:
        raise InvalidInput(N_("The step cannot end before it started."))
    for value in (step.ctdivol_mgy, step.dlp_mgycm):
        if value is not None and value < 0:
            raise InvalidInput(N_("A dose cannot be negative."))
    if report.status is not None:
        step.status = report.status
    session.flush()
    return step


def steps_for(session: Session, appointment: Appointment) -> list[PerformedStep]:
    return list(
        session.scalars(
            select(PerformedStep).where(PerformedStep.appointment_id == appointment.id).order_by(PerformedStep.id)
        )
    )


def warnings_for(session: Session, appointment_ids: list[int]) -> dict[int, list[str]]:
    """The scanner reports that could not move their appointment, while it has still not started (as
    staff read them: ``shown_step_warning``)."""
    if not appointment_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(PerformedStep.appointment_id, PerformedStep.warning)
        .join(Appointment, Appointment.id == PerformedStep.appointment_id)
        .where(
            PerformedStep.appointment_id.in_(appointment_ids),
            PerformedStep.warning.is_not(None),
            Appointment.status.in_(WARN_WHILE),
        )
        .order_by(PerformedStep.id)
    )
    for appointment_id, warning in rows:
        found.setdefault(appointment_id, []).append(shown_step_warning(warning))
    return found


def confirm(session: Session, actor, step: PerformedStep) -> ProcedureRecord:
    """A radiologist takes the scanner's times and dose into the (unsigned) procedure record."""
    if actor is None or not actor.has_role(Role.RADIOLOGIST):
        raise PermissionDenied(N_("Only a radiologist confirms the scanner's values."))
    if step.confirmed_at is not None:
        raise DomainError(N_("These values are already in the procedure record."), code="already_confirmed")
    if step.status != StepStatus.COMPLETED:
        raise DomainError(N_("The scanner has not reported this step as completed."), code="step_not_completed")
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == step.appointment_id))
    if record is None:
        raise DomainError(N_("Start the procedure first: the values go into its record."), code="no_record")
    if record.is_signed:
        raise DomainError(N_("The record is signed: add an addendum instead."), code="record_signed")
    started = step.started_at or record.started_at
    ended = step.ended_at or record.ended_at
    if ended is not None and ended < started:
        raise InvalidInput(N_("The scanner's end lies before the start in the record; enter the times by hand."))
    record.started_at = started
    record.ended_at = ended
    if step.dlp_mgycm is not None:
        record.dlp_mgycm = step.dlp_mgycm
    if step.ctdivol_mgy is not None:
        record.ctdivol_mgy = step.ctdivol_mgy
    step.confirmed_at = utcnow()
    step.confirmed_by_id = audit.actor_of(actor).id
    session.flush()
    return record
