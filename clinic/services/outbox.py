"""The outbox: queue emails, hand them to one sender at a time, record what became of them.

Every change of state is a guarded UPDATE whose WHERE clause repeats the state it expects, and the
caller checks the row count. That is what makes the sender safe to restart and to run next to the
web screens: a message is claimed by at most one sender, marked sent only by the sender that holds
the claim, and resent only from a final state.

Delivery is at least once, never knowingly twice. The claim is committed before the SMTP
conversation and the "sent" mark right after the server's 250 reply, so a sender that dies in
between leaves a claimed message that is sent again once its lease runs out. The Message-ID stays
the same for those retries (it is derived from the outbox id and the resend count), so a duplicate
can be recognised by the recipient's mail system and by us. See ``clinic.jobs.mailer``.

No Flask here: the jobs and the admin screen pass the session, the clock's ``now`` and the actor.
Functions flush at most; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..core import audit
from ..core.errors import Conflict, InvalidInput, found
from ..core.messages import N_
from ..models import Appointment, AuditEvent, OutboxMessage
from ..models.vocab import OutboxStatus
from . import contact

RESEND_ACTION = "outbox.resend"
# The sender's result while SMTP_HOST is empty; the admin screen recognises it in the last job run and says it
# in its language (marked; the job run keeps the English, as the log does).
NOT_CONFIGURED = N_("mail not configured (SMTP_HOST is empty): messages stay queued")
OBJECT_TYPE = "outbox_messages"
MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a message that could not be delivered is tried again."""

    max_attempts: int = 8
    base_delay: dt.timedelta = dt.timedelta(minutes=1)
    max_delay: dt.timedelta = dt.timedelta(hours=1)
    # Longer than any one SMTP conversation can take (every step has a timeout), so a claim is only
    # ever taken over from a sender that has died, never from one that is still talking to the server.
    lease: dt.timedelta = dt.timedelta(minutes=10)

    def delay(self, attempts: int) -> dt.timedelta:
        """Exponential backoff: base, 2×base, 4×base … after the 1st, 2nd, 3rd failed attempt."""
        return min(self.base_delay * 2 ** max(attempts - 1, 0), self.max_delay)


@dataclass(frozen=True)
class Claim:
    """A message claimed for sending: what to send, and the claim time that proves it is ours."""

    id: int
    claimed_at: dt.datetime
    kind: str
    recipient: str
    subject: str
    body: str
    appointment_id: int | None
    dedupe_key: str | None
    attempts: int
    resends: int


# --- queueing ----------------------------------------------------------------------------------------


def queue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    now: dt.datetime,
    appointment_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Add a message to the outbox. With a ``dedupe_key`` that is already there, nothing is added and
    None is returned: queueing the same thing twice is harmless."""
    if dedupe_key is not None and _has_key(session, dedupe_key):
        return None
    # Exactly one address, checked as everywhere else: a stored "a@x.de, b@y.de" never reaches two people.
    recipient = contact.email_address(recipient) or ""
    if not recipient:
        raise InvalidInput(N_("A message needs an email address."))
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        appointment_id=appointment_id,
        dedupe_key=dedupe_key,
        status=OutboxStatus.QUEUED,
        attempts=0,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        # Another transaction queued the same key between our check and our insert.
        if dedupe_key is not None and _has_key(session, dedupe_key):
            return None
        raise
    return message


def _has_key(session: Session, dedupe_key: str) -> bool:
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None


# --- the sender's side ---------------------------------------------------------------------------------


def _claimable(now: dt.datetime, lease: dt.timedelta):
    return (
        OutboxMessage.status == OutboxStatus.QUEUED,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - lease),
    )


def claim_next(
    session: Session, now: dt.datetime, policy: RetryPolicy, *, skip: frozenset[int] = frozenset()
) -> Claim | None:
    """Claim the oldest message that is due. The caller commits at once, before sending."""
    candidates = session.scalars(
        select(OutboxMessage.id)
        .where(*_claimable(now, policy.lease), OutboxMessage.id.not_in(skip))
        .order_by(OutboxMessage.id)
        .limit(5)
    ).all()
    for message_id in candidates:
        taken = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *_claimable(now, policy.lease))
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            return _claim_of(session, message_id, now)
    return None


def _claim_of(session: Session, message_id: int, claimed_at: dt.datetime) -> Claim:
    row = session.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.appointment_id,
            OutboxMessage.dedupe_key,
            OutboxMessage.attempts,
        ).where(OutboxMessage.id == message_id)
    ).one()
    return Claim(message_id, claimed_at, *row, resends=resend_count(session, message_id))


def resend_count(session: Session, message_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.object_type == OBJECT_TYPE,
            AuditEvent.object_id == str(message_id),
            AuditEvent.action == RESEND_ACTION,
        )
    )


def _held(claim: Claim):
    """The guard of every update a sender makes: still queued, and still claimed by this sender."""
    return (
        OutboxMessage.id == claim.id,
        OutboxMessage.status == OutboxStatus.QUEUED,
        OutboxMessage.claimed_at == claim.claimed_at,
    )


def mark_sent(session: Session, claim: Claim, now: dt.datetime) -> bool:
    """False means the claim had been taken over (a sender outlived its lease): the message went out
    anyway, but the other claimant decides its state."""
    done = session.execute(
        update(OutboxMessage)
        .where(*_held(claim))
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=claim.attempts + 1,
            claimed_at=None,
            next_attempt_at=None,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def mark_failed(
    session: Session, claim: Claim, now: dt.datetime, error: str, policy: RetryPolicy, *, permanent: bool = False
) -> str:
    """Record a failed attempt: try again later with backoff, or give up (status failed) after the
    last attempt or at once when the server's answer was final (a 5xx reply). Returns the new status."""
    attempts = claim.attempts + 1
    give_up = permanent or attempts >= policy.max_attempts
    values: dict = {"attempts": attempts, "claimed_at": None, "last_error": error[:MAX_ERROR_LENGTH]}
    if give_up:
        values.update(status=OutboxStatus.FAILED, next_attempt_at=None)
    else:
        values.update(next_attempt_at=now + policy.delay(attempts))
    session.execute(
        update(OutboxMessage).where(*_held(claim)).values(**values).execution_options(synchronize_session=False)
    )
    return OutboxStatus.FAILED if give_up else OutboxStatus.QUEUED


def withdraw(session: Session, claim: Claim, reason: str) -> None:
    """Stop a message that must no longer go out (its appointment was moved or cancelled). It ends as
    failed, with the reason, so that the admin screen shows it and nobody wonders where it went."""
    session.execute(
        update(OutboxMessage)
        .where(*_held(claim))
        .values(status=OutboxStatus.FAILED, claimed_at=None, next_attempt_at=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )


# --- the admin's side ---------------------------------------------------------------------------------

RESENDABLE = (OutboxStatus.FAILED, OutboxStatus.SENT)


def resend(session: Session, actor, message_id: int) -> OutboxMessage:
    """Put a failed or sent message back in the queue, attempts reset, and audit it."""
    message = found(session, OutboxMessage, message_id, N_("There is no such message in the outbox."))
    before = {"status": message.status, "attempts": message.attempts, "sent_at": message.sent_at}
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(RESENDABLE))
        .values(
            status=OutboxStatus.QUEUED,
            attempts=0,
            next_attempt_at=None,
            claimed_at=None,
            sent_at=None,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict(N_("Only a failed or sent message can be sent again; this one is still queued."))
    patient_id = None
    if message.appointment_id is not None:
        patient_id = session.scalar(select(Appointment.patient_id).where(Appointment.id == message.appointment_id))
    audit.record(
        session,
        RESEND_ACTION,
        OBJECT_TYPE,
        message_id,
        summary={
            "status": [before["status"], OutboxStatus.QUEUED.value],
            "attempts": [before["attempts"], 0],
            "sent_at": before["sent_at"].isoformat() if before["sent_at"] else None,
            "recipient": message.recipient,
        },
        patient_id=patient_id,
        actor=actor,
    )
    session.flush()
    session.refresh(message)
    return message


@dataclass(frozen=True)
class OutboxFilter:
    status: str | None = None
    kind: str | None = None
    recipient: str | None = None  # contained in the address, any case
    since: dt.datetime | None = None  # created at or after
    until: dt.datetime | None = None  # created before


def statement(f: OutboxFilter) -> Select:
    stmt = select(OutboxMessage).options(selectinload(OutboxMessage.appointment))
    if f.status:
        stmt = stmt.where(OutboxMessage.status == f.status)
    if f.kind:
        stmt = stmt.where(OutboxMessage.kind == f.kind)
    if f.recipient:
        stmt = stmt.where(func.lower(OutboxMessage.recipient).contains(f.recipient.lower(), autoescape=True))
    if f.since:
        stmt = stmt.where(OutboxMessage.created_at >= f.since)
    if f.until:
        stmt = stmt.where(OutboxMessage.created_at < f.until)
    return stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


def kinds(session: Session) -> list[str]:
    return list(session.scalars(select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind)))


def counts(session: Session) -> dict[str, int]:
    """How many messages are in each state (every state present, zero when none)."""
    found = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return {status.value: found.get(status.value, 0) for status in OutboxStatus}
