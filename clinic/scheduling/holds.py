"""Holds: a chain kept for a few minutes while the front desk (or the patient, on the portal) confirms.

A hold takes the same checks and the same rows as a booking (``booking.BookingRequest``); confirming it
turns it into the appointment by moving its rows to the new owner, so nothing can slip in between.
Holds that lapse hold nothing: ``release_expired_holds`` (the job, and every booking that meets one)
frees their rows.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, NotFound
from ..core.messages import N_
from ..core.timefmt import fmt_time
from ..models import Appointment, Booking, BookingHold, ProcedureType, Referral
from ..models.appointments import CONFIRMED_FROM_HOLD_NOTE
from ..models.base import utcnow
from .booking import (
    BookingRequest,
    booked_columns,
    chain_of,
    live_holds,
    new_appointment,
    plan_of,
    release_expired_holds,
    release_holds,
    release_referral_holds,
    require_unbooked,
    resolve_waitlist,
)
from .context import ReadinessCheck, Settings
from .finder import Candidate
from .plan import ProcedurePlan

__all__ = ["confirm_hold", "hold", "live_holds", "release_expired_holds", "release_hold", "replaced_by"]


def hold(
    session: Session,
    settings: Settings,
    actor,
    *,
    referral: Referral,
    plan: ProcedurePlan,
    candidate: Candidate,
    readiness: ReadinessCheck,
    minutes: int | None = None,
) -> BookingHold:
    """Keep a chain for a few minutes while the front desk confirms with the patient. The referral must be
    ready by ``readiness`` (the clinic's rules, handed in), as for a booking."""
    plan.validate()
    require_unbooked(session, settings, referral)
    now = settings.now()
    # One live hold a referral: a new one releases the others. The patient's row is locked (``require_unbooked``),
    # so two desks holding for the same referral take turns; a refused new hold rolls back with its request and
    # leaves the old one live.
    release_referral_holds(session, referral.id, now)
    request = BookingRequest(plan, candidate, referral.patient_id, referral, readiness)
    request.check(session, settings)
    expires = now + dt.timedelta(minutes=minutes or settings.hold_minutes)
    held = BookingHold(
        token=secrets.token_urlsafe(18),
        patient_id=referral.patient_id,
        referral_id=referral.id,
        **booked_columns(plan, candidate),
        created_by_id=audit.actor_of(actor).id,
        created_at=now,
        expires_at=expires,
    )

    def add():
        session.add(held)
        session.flush()
        request.insert_bookings(session, hold_id=held.id, hold_expires_at=expires)

    request.insert(session, settings, add)
    return held


def confirm_hold(
    session: Session,
    settings: Settings,
    actor,
    token: str,
    note: str | None = None,
    *,
    readiness: ReadinessCheck,
) -> Appointment:
    """Turn a live hold into the appointment: its bookings simply change owner, so nothing can slip in.
    The referral's readiness is checked again by ``readiness`` (it may have changed while held)."""
    held = session.scalar(select(BookingHold).where(BookingHold.token == token))
    if held is None:
        raise NotFound(N_("There is no such hold."))
    # Decide on locked rows, taken in the order the releases take them (the hold's bookings, then the
    # hold), and before anything is written: a second request confirming the same hold (a double
    # click), or a release, waits here and then finds the rows moved or inactive (PostgreSQL reads a
    # locked row again once its holder commits). On SQLite the transaction holds the write lock.
    rows = session.scalars(select(Booking.id).where(Booking.hold_id == held.id, Booking.active).with_for_update()).all()
    session.refresh(held, with_for_update=True)
    if held.confirmed_appointment_id is not None:
        raise DomainError(N_("This hold has already been booked."), code="invalid_state")
    now = settings.now()
    if not rows or held.released_at is not None or held.expires_at <= now:
        referral = session.get(Referral, held.referral_id) if held.referral_id is not None else None
        if referral is not None:  # booked at another time meanwhile (its booking let this hold go): said so
            require_unbooked(session, settings, referral)
        newer = replaced_by(session, held)
        release_expired_holds(session, now)
        if newer is not None:  # walk 21: a colleague's newer hold released it, inside its time
            raise DomainError(
                N_("A newer hold for this referral replaced this one at {at}; open that one, or look for a time."),
                code="hold_lapsed",
                at=fmt_time(newer.created_at, settings.zone),
            )
        if held.released_at is not None and held.released_at < held.expires_at:  # let go by the desk
            raise DomainError(N_("This hold was released; look for a time again."), code="hold_lapsed")
        raise DomainError(N_("The hold has lapsed; look for a time again."), code="hold_lapsed")
    referral = session.get(Referral, held.referral_id)
    require_unbooked(session, settings, referral)
    plan = plan_of(held, session.get(ProcedureType, held.procedure_type_id))
    request = BookingRequest(plan, chain_of(held), held.patient_id, referral, readiness)
    request.check_ready(session, settings)
    request.check_interval(session, settings)  # another steroid injection booked while it was held
    appointment = new_appointment(
        plan, request.candidate, patient_id=held.patient_id, referral_id=held.referral_id, actor=actor, note=note
    )

    def add():
        session.add(appointment)
        appointment.record_booked(actor, utcnow(), note=CONFIRMED_FROM_HOLD_NOTE)
        session.flush()

    request.insert(session, settings, add)
    session.execute(
        update(Booking)
        .where(Booking.hold_id == held.id, Booking.active)
        .values(appointment_id=appointment.id, hold_id=None, hold_expires_at=None)
    )
    held.confirmed_appointment_id = appointment.id
    session.flush()
    session.refresh(appointment)
    resolve_waitlist(session, held.referral_id, appointment)
    return appointment


def replaced_by(session: Session, held: BookingHold) -> BookingHold | None:
    """The newer hold of the same referral that released ``held`` (``hold``), if one did."""
    if held.released_at is None:
        return None
    return session.scalars(
        select(BookingHold)
        .where(
            BookingHold.referral_id == held.referral_id,
            BookingHold.id > held.id,
            BookingHold.created_at <= held.released_at,
        )
        .order_by(BookingHold.id)
    ).first()


def release_hold(session: Session, token: str, at: dt.datetime | None = None) -> None:
    held = session.scalar(select(BookingHold).where(BookingHold.token == token))
    if held is None or held.released_at is not None or held.confirmed_appointment_id is not None:
        return
    release_holds(session, [held], at or utcnow())
