"""The job bodies. Each one is idempotent and commits for itself.

Idempotent means: a guarded UPDATE whose WHERE clause says "not done yet" (``reminder_queued_at IS
NULL``, ``status = 'pending'`` …) and a check of the row count, so a job that runs twice, or is
killed and started again, neither repeats nor loses work. Each item is committed on its own or in a
small batch, so a crash loses at most the item in hand, which the next run picks up.

No Flask here: the runner (``clinic.jobs.runner``) hands each job a ``JobContext`` with its session,
settings and clock. Tests pass a fixed clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..core import audit
from ..core.errors import DomainError
from ..core.timefmt import local_midnight, to_local
from ..logsafe import log_error
from ..models import Appointment, FollowUp, JobRun, Patient, Referral
from ..models.vocab import AppointmentStatus, FollowUpStatus, OutboxStatus, ReferralStatus
from ..scheduling import ending, holds
from ..scheduling.context import Settings as SchedulingSettings
from ..services import outbox, portal_mail
from ..services import settings as clinic_settings
from . import reminders
from .mailer import DeliveryError, SmtpCourier, build_email
from .settings import JobSettings

log = logging.getLogger(__name__)

SCHEDULER = audit.Actor(None, "scheduler")


@dataclass
class JobContext:
    session: Session
    settings: JobSettings
    clock: Callable[[], dt.datetime]
    # Asked between items by long jobs, so that a stopping scheduler is not kept waiting for a batch.
    should_stop: Callable[[], bool] = field(default=lambda: False)

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        return to_local(self.now(), self.settings.zone).date()

    @property
    def scheduling(self) -> SchedulingSettings:
        return SchedulingSettings(zone=self.settings.zone, clock=self.clock)


IDLE = "nothing to do"


def summary(**counts: int) -> str:
    """The result a JobRun keeps, such as "queued 2, errors 1"; IDLE when nothing was done."""
    return ", ".join(f"{what.replace('_', ' ')} {n}" for what, n in counts.items() if n) or IDLE


def _record(session: Session, table: str, object_id: int, changes: dict, patient_id: int | None) -> None:
    """Guarded UPDATEs bypass the ORM, and with it the automatic audit: say what changed ourselves."""
    audit.record(session, f"{table}.update", table, object_id, summary=changes, patient_id=patient_id, actor=SCHEDULER)


# --- reminders ------------------------------------------------------------------------------------------


def queue_reminders(ctx: JobContext) -> str:
    """Booked appointments from now until the end of the local day ``reminder_days_before`` days ahead,
    of patients with an email address, get one reminder in the outbox."""
    session, now = ctx.session, ctx.now()
    days = clinic_settings.get_int(session, "reminder_days_before")
    horizon = local_midnight(ctx.today() + dt.timedelta(days=days + 1), ctx.settings.zone)
    due = session.scalars(
        select(Appointment.id)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.reminder_queued_at.is_(None),
            Appointment.table_start >= now,
            Appointment.table_start < horizon,
            Patient.email.is_not(None),
            Patient.email != "",
        )
        .order_by(Appointment.table_start)
    ).all()
    session.commit()
    queued = errors = 0
    for appointment_id in due:
        if ctx.should_stop():
            break
        try:
            queued += _queue_reminder(ctx, appointment_id)
        except Exception as error:
            # One appointment with bad data must not keep the others' reminders back.
            session.rollback()
            log_error(log, f"reminder for appointment {appointment_id} could not be queued", error)
            errors += 1
    return summary(queued=queued, errors=errors)


def _queue_reminder(ctx: JobContext, appointment_id: int) -> int:
    session, now = ctx.session, ctx.now()
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        return 0
    reminder = reminders.compose(session, appointment, ctx.settings.zone, now)
    # The guard and the message in one transaction: either both are there or neither.
    taken = session.execute(
        update(Appointment)
        .where(
            Appointment.id == appointment_id,
            Appointment.reminder_queued_at.is_(None),
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.table_start == appointment.table_start,
        )
        .values(reminder_queued_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        session.rollback()
        return 0
    message = outbox.queue(
        session,
        kind=reminders.KIND,
        recipient=reminder.recipient,
        subject=reminder.subject,
        body=reminder.body,
        appointment_id=appointment_id,
        dedupe_key=reminder.dedupe_key,
        now=now,
    )
    session.commit()
    return 1 if message is not None else 0


# --- the day's bookkeeping --------------------------------------------------------------------------------


def mark_no_shows(ctx: JobContext) -> str:
    """Booked appointments never checked in, once their local day is over, become no-shows: their
    bookings are freed and an AppointmentEvent records it (``ending.mark_no_show``)."""
    session = ctx.session
    day_start = local_midnight(ctx.today(), ctx.settings.zone)
    overdue = session.scalars(
        select(Appointment.id)
        .where(Appointment.status == AppointmentStatus.BOOKED, Appointment.table_start < day_start)
        .order_by(Appointment.table_start)
    ).all()
    session.commit()
    marked = 0
    for appointment_id in overdue:
        if ctx.should_stop():
            break
        appointment = session.get(Appointment, appointment_id)
        if appointment is None or appointment.status != AppointmentStatus.BOOKED:
            session.rollback()
            continue
        try:
            # The appointment's version column guards the update: a check-in by the front desk
            # between our read and our write makes it fail instead of being overwritten.
            ending.mark_no_show(session, ctx.scheduling, SCHEDULER, appointment)
            session.commit()
            marked += 1
        except (StaleDataError, DomainError):
            session.rollback()
    return summary(no_shows=marked)


def follow_ups_due(ctx: JobContext) -> str:
    """Pending follow-ups whose day has come go on the front desk's call list."""
    session, now = ctx.session, ctx.now()
    rows = session.execute(
        select(FollowUp.id, Appointment.patient_id)
        .join(Appointment, Appointment.id == FollowUp.appointment_id)
        .where(FollowUp.status == FollowUpStatus.PENDING, FollowUp.due_on <= ctx.today())
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    listed = 0
    for follow_up_id, patient_id in rows:
        done = session.execute(
            update(FollowUp)
            .where(FollowUp.id == follow_up_id, FollowUp.status == FollowUpStatus.PENDING)
            .values(status=FollowUpStatus.DUE, on_call_list_at=now)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 1:
            _record(session, "follow_ups", follow_up_id, {"status": ["pending", "due"]}, patient_id)
            listed += 1
    session.commit()
    return summary(on_call_list=listed)


def flag_ageing_referrals(ctx: JobContext) -> str:
    """Referrals still waiting for triage more than ``triage_ageing_days`` days after they came in."""
    session, now = ctx.session, ctx.now()
    days = clinic_settings.get_int(session, "triage_ageing_days")
    received_before = ctx.today() - dt.timedelta(days=days)
    rows = session.execute(
        select(Referral.id, Referral.patient_id).where(
            Referral.status == ReferralStatus.RECEIVED,
            Referral.ageing_flagged_at.is_(None),
            Referral.received_on < received_before,
        )
    ).all()
    flagged = 0
    for referral_id, patient_id in rows:
        done = session.execute(
            update(Referral)
            .where(
                Referral.id == referral_id,
                Referral.status == ReferralStatus.RECEIVED,
                Referral.ageing_flagged_at.is_(None),
            )
            .values(ageing_flagged_at=now)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 1:
            _record(session, "referrals", referral_id, {"ageing_flagged_at": [None, now.isoformat()]}, patient_id)
            flagged += 1
    session.commit()
    return summary(flagged=flagged)


def release_holds(ctx: JobContext) -> str:
    released = holds.release_expired_holds(ctx.session, ctx.now())
    ctx.session.commit()
    return summary(released=released)


def prune_job_runs(ctx: JobContext) -> str:
    """The sender alone records ~2,900 runs a day: keep a month of them."""
    cutoff = ctx.now() - ctx.settings.keep_job_runs
    done = ctx.session.execute(delete(JobRun).where(JobRun.started_at < cutoff))
    ctx.session.commit()
    return summary(deleted=done.rowcount)


# --- email ---------------------------------------------------------------------------------------------


def send_outbox(ctx: JobContext) -> str:
    """Deliver due messages one by one: claim (commit), send, mark sent or failed (commit)."""
    mail, policy, session = ctx.settings.mail, ctx.settings.retry, ctx.session
    if not mail.configured:
        return outbox.NOT_CONFIGURED
    sender_name = clinic_settings.get(session, "clinic_name")
    session.commit()
    tally = {"sent": 0, "retry": 0, "failed": 0, "withdrawn": 0}
    handled: set[int] = set()
    with SmtpCourier(mail) as courier:
        while len(handled) < ctx.settings.batch_size and not ctx.should_stop():
            claim = outbox.claim_next(session, ctx.now(), policy, skip=frozenset(handled))
            if claim is None:
                session.commit()
                break
            handled.add(claim.id)
            if claim.kind == reminders.KIND:
                reason = reminders.obsolete_reason(session, claim.appointment_id, claim.dedupe_key)
                if reason is not None:
                    outbox.withdraw(session, claim, reason)
                    session.commit()
                    tally["withdrawn"] += 1
                    continue
            if claim.kind == portal_mail.KIND:  # the patient's link is written in now, never stored
                claim, reason = portal_mail.prepare(session, claim, ctx.settings.secret_key)
                if reason is not None:
                    outbox.withdraw(session, claim, reason)
                    session.commit()
                    tally["withdrawn"] += 1
                    continue
            # The claim is committed before a byte goes to the server; no transaction stays open
            # while we talk to it (on SQLite an open transaction holds the database's write lock).
            session.commit()
            try:
                courier.deliver(build_email(claim, mail, sender_name))
            except DeliveryError as error:
                status = outbox.mark_failed(session, claim, ctx.now(), str(error), policy, permanent=error.permanent)
                session.commit()
                tally["failed" if status == OutboxStatus.FAILED else "retry"] += 1
                log.warning("outbox message %s not delivered (%s): %s", claim.id, status, error)
                if error.connection_lost:
                    break
                continue
            # Straight after the server's 250: this commit closes the duplicate window (see mailer).
            if not outbox.mark_sent(session, claim, ctx.now()):
                log.warning("outbox message %s was sent, but its claim had been taken over", claim.id)
            session.commit()
            tally["sent"] += 1
    return summary(**tally)


JOBS: dict[str, Callable[[JobContext], str]] = {
    "release_holds": release_holds,
    "mark_no_shows": mark_no_shows,
    "follow_ups_due": follow_ups_due,
    "flag_ageing_referrals": flag_ageing_referrals,
    "queue_reminders": queue_reminders,
    "send_outbox": send_outbox,
    "prune_job_runs": prune_job_runs,
}
