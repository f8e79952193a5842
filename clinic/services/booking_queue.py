"""What the front desk has to book: the accepted referrals with no appointment in hand, each sorted
into ready to book now, not bookable now (with the reason), or pre-registration still open. The list
is the clinic's open work, read in a fixed number of statements however long it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, defaultload, subqueryload

from ..database import among
from ..models import Appointment, PreRegistration, Referral, StageRule
from ..models.appointments import ACTIVE_STATUSES
from ..models.vocab import AppointmentStatus, Priority, ReferralStatus
from . import episodes, preregistration, stages

ENDED = (AppointmentStatus.DISCHARGED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


@dataclass(frozen=True)
class Waiting:
    referral: Referral
    missing: list[str] = field(default_factory=list)  # open pre-registration items
    blocked: str | None = None  # why it cannot be booked now although the checklist is complete
    last: Appointment | None = None  # the referral's last appointment that ended (cancelled, no-show, done)
    done: bool = False  # the planned stage is done; the next step waits for its outcome


@dataclass(frozen=True)
class Queue:
    ready: list[Waiting]
    blocked: list[Waiting]
    prepare: list[Waiting]


def _priority_order():
    return [Priority.URGENT, Priority.SOON, Priority.ROUTINE]


def queue(session: Session) -> Queue:
    active = select(Appointment.id).where(
        Appointment.referral_id == Referral.id, Appointment.status.in_(ACTIVE_STATUSES)
    )
    referrals = session.scalars(
        select(Referral)
        .where(Referral.status == ReferralStatus.ACCEPTED, ~active.exists())
        .order_by(Referral.received_on, Referral.id)
        .options(
            # The red flags and drugs of every referral waiting (the checklists read them): by this
            # statement as a subquery, not by a list of one parameter per referral (selectin's IN of
            # about 300 ids, a new statement text each request that the driver parses again).
            subqueryload(Referral.red_flags),
            defaultload(Referral.preregistration).subqueryload(PreRegistration.medications),
        )
    ).all()
    order = _priority_order()
    referrals = sorted(referrals, key=lambda r: order.index(r.priority) if r.priority in order else len(order))
    last: dict[int, Appointment] = {}
    if referrals:
        for appointment in session.scalars(
            select(Appointment)
            .where(among(session, Appointment.referral_id, [r.id for r in referrals]), Appointment.status.in_(ENDED))
            .order_by(Appointment.table_start, Appointment.id)
        ):
            last[appointment.referral_id] = appointment
    imaging = preregistration.imaging_statuses_by_patient(session, {r.patient_id for r in referrals})
    lists = preregistration.checklists(session, referrals, imaging=imaging)
    refused = stages.unmet_rules(session, referrals)
    leading = session.execute(select(StageRule.requires_procedure_type_id, StageRule.requires_stage)).all()

    def leads_on(appointment: Appointment) -> bool:
        return any(
            pt == appointment.procedure_type_id and (stage is None or stage == appointment.stage)
            for pt, stage in leading
        )

    ready, blocked, prepare = [], [], []
    for referral in referrals:
        ended = last.get(referral.id)
        if ended is not None and ended.status == AppointmentStatus.DISCHARGED and episodes.same_plan(referral, ended):
            if leads_on(ended):  # else the episode is over (a referral from before episodes closed)
                blocked.append(Waiting(referral, last=ended, done=True))
            continue
        missing = preregistration.missing(lists[referral.id])
        if missing:
            prepare.append(Waiting(referral, missing=missing, last=ended))
        elif referral.id in refused:
            blocked.append(Waiting(referral, blocked=refused[referral.id], last=ended))
        else:
            ready.append(Waiting(referral, last=ended))
    return Queue(ready, blocked, prepare)
