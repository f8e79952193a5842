"""Episodes: a referral stays open while a stage of it is still to be booked, and closes when its
episode ends (DESIGN.md §2 step 7): the planned procedure was done and no later stage depends on it,
or staff close it (the patient declines further treatment, a diagnostic stage was negative, …).
A closed referral leaves the front desk's lists; its patient link ends with it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, InvalidInput
from ..core.messages import N_, Phrase
from ..models import Appointment, AuditEvent, Referral, StageRule, WaitlistEntry
from ..models.appointments import ACTIVE_STATUSES
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, ReferralStatus, Stage

CLOSED_EVENT = "referral.closed"
PROCEDURE_DONE = N_("The planned procedure is done.")  # the reason when a discharge ends the episode


@dataclass(frozen=True)
class Closing:
    """Who closed a referral, when, and why (a ``Phrase`` for the clinic's own reason)."""

    by: str
    at: dt.datetime
    reason: str


def leads_to_a_later_stage(session: Session, procedure_type_id: int, stage: str | None) -> bool:
    """Whether another procedure (or stage) needs this one first: a diagnostic stage, a diagnostic block."""
    stmt = select(StageRule.id).where(StageRule.requires_procedure_type_id == procedure_type_id)
    if stage is None:
        stmt = stmt.where(StageRule.requires_stage.is_(None))
    else:
        stmt = stmt.where((StageRule.requires_stage.is_(None)) | (StageRule.requires_stage == stage))
    return session.scalar(stmt.limit(1)) is not None


def same_plan(referral: Referral, appointment: Appointment) -> bool:
    """The appointment did what the referral still plans: no new stage planned since, and the same one not
    planned again after it ended (a radiologist who saves the plan again after a diagnostic block has
    decided on a second, comparative block: procedures.md §2.2: comparative medial branch blocks on separate
    days)."""
    planned_again = referral.triaged_at is not None and referral.triaged_at > appointment.status_changed_at
    return (
        not planned_again
        and referral.planned_procedure_type_id == appointment.procedure_type_id
        and (referral.planned_stage or None) == (appointment.stage or None)
    )


def awaiting_outcome(session: Session, referral: Referral) -> Appointment | None:
    """The referral's last discharged appointment when it did the plan as it stands and a later stage may
    follow from it: the outcome decides what comes next (a radiologist plans the next stage, or staff close
    the referral), and the same plan is not booked again meanwhile. (Walk 23: only the start page knew;
    the referral page and the booking booked the diagnostic block again, and a cancelled repeat then
    hid that the stage was done.)"""
    done = session.scalar(
        select(Appointment)
        .where(Appointment.referral_id == referral.id, Appointment.status == AppointmentStatus.DISCHARGED)
        .order_by(Appointment.table_start.desc(), Appointment.id.desc())
        .limit(1)
    )
    if done is None or not same_plan(referral, done):
        return None
    return done if leads_to_a_later_stage(session, done.procedure_type_id, done.stage) else None


def stage_done_phrase(appointment: Appointment, day: str) -> Phrase:
    """Why the referral waits (``awaiting_outcome``), as the start page says it; ``day`` formatted."""
    if appointment.stage:
        done = Phrase(
            N_("{code} {stage} stage done on {day}"),
            code=appointment.procedure_type.code,
            stage=Stage(appointment.stage).word,
            day=day,
        )
    else:
        done = Phrase(N_("{code} done on {day}"), code=appointment.procedure_type.code, day=day)
    return Phrase(
        N_("{done}: the outcome decides the next stage (a radiologist plans it, or close the referral)"), done=done
    )


def after_discharge(session: Session, actor, appointment: Appointment) -> None:
    """The planned procedure is done: the episode ends unless a later stage may follow from it (then
    the outcome decides, and a radiologist plans the next stage or staff close the referral)."""
    referral = appointment.referral
    if referral is None or referral.status != ReferralStatus.ACCEPTED or not same_plan(referral, appointment):
        return
    if leads_to_a_later_stage(session, appointment.procedure_type_id, appointment.stage):
        return
    _close(session, actor, referral, PROCEDURE_DONE)


def close(session: Session, actor, referral: Referral, reason: str | None) -> Referral:
    """Staff end an episode by hand, with the reason."""
    if referral.status != ReferralStatus.ACCEPTED:
        raise DomainError(N_("Only an accepted referral can be closed."), code="invalid_state")
    if not (reason or "").strip():
        raise InvalidInput(N_("Give the reason the episode ends."), details={"field": "reason"})
    active = session.scalar(
        select(Appointment.id).where(Appointment.referral_id == referral.id, Appointment.status.in_(ACTIVE_STATUSES))
    )
    if active is not None:
        raise DomainError(
            N_("This referral has an appointment that is not over yet: cancel it first."), code="invalid_state"
        )
    _close(session, actor, referral, reason.strip())
    return referral


def _close(session: Session, actor, referral: Referral, reason: str) -> None:
    referral.status = ReferralStatus.CLOSED
    session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.referral_id == referral.id, WaitlistEntry.active)
        .values(active=False, resolved_at=utcnow())
    )
    audit.record(
        session,
        CLOSED_EVENT,
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"reason": reason},
        actor=actor,
    )
    session.flush()


def closing(session: Session, referral: Referral) -> Closing | None:
    """The closing of ``referral`` as its audit event recorded it (the last one), or None."""
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "referrals",
            AuditEvent.object_id == str(referral.id),
            AuditEvent.action == CLOSED_EVENT,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    try:
        reason = str(json.loads(event.summary or "{}").get("reason") or "")
    except (ValueError, AttributeError):
        reason = ""
    return Closing(
        by=event.actor.full_name if event.actor is not None else event.actor_name,
        at=event.at,
        reason=Phrase(reason) if reason == PROCEDURE_DONE else reason,
    )
