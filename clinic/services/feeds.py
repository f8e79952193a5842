"""Private calendar feeds: made, revoked and read back by their token. No Flask here.

A feed's URL carries a random token; only its SHA-256 is stored (as for API tokens), so the URL is
shown once when the feed is made. Revoking a feed makes its URL answer 404 from then on. What a feed
holds: the appointments of one radiologist or one room around today, each as the procedure code and
the appointment's reference, never the patient's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..core.errors import InvalidInput, NotFound, found
from ..core.messages import N_
from ..models import Appointment, CalendarFeed, Room, User
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, Role

DAYS_BACK = 14
DAYS_AHEAD = 120
# Fetches are recorded at most this often per feed: a phone polling every minute writes no row each time.
FETCH_NOTE_EVERY = dt.timedelta(hours=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, actor, *, radiologist_id: int | None = None, room_id: int | None = None) -> str:
    """A new feed for a radiologist or a room; returns the token (shown once)."""
    if (radiologist_id is None) == (room_id is None):
        raise InvalidInput(N_("A feed belongs to one radiologist or one room."))
    if radiologist_id is not None:
        user = session.get(User, radiologist_id)
        if user is None or not user.has_role(Role.RADIOLOGIST):
            raise NotFound(N_("There is no such radiologist."))
        label = user.full_name
    else:
        room = found(session, Room, room_id, N_("There is no such room."))
        label = f"Room {room.name}"
    token = "cf_" + secrets.token_urlsafe(32)
    feed = CalendarFeed(
        radiologist_id=radiologist_id,
        room_id=room_id,
        label=label[:80],
        prefix=token[:10],
        token_hash=_hash(token),
        created_by_id=getattr(actor, "id", None),
    )
    session.add(feed)
    session.flush()
    return token


def revoke(session: Session, feed_id: int) -> CalendarFeed:
    feed = found(session, CalendarFeed, feed_id, N_("There is no such feed."))
    feed.revoke(utcnow())
    session.flush()
    return feed


def listing(session: Session) -> list[CalendarFeed]:
    return list(
        session.scalars(
            select(CalendarFeed)
            .options(joinedload(CalendarFeed.radiologist), joinedload(CalendarFeed.room))
            .order_by(CalendarFeed.revoked_at.is_not(None), CalendarFeed.label, CalendarFeed.id)
        )
    )


def by_token(session: Session, token: str) -> CalendarFeed | None:
    """The live feed of a token; None for an unknown or revoked one (the caller answers 404)."""
    if not token or len(token) > 100:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None or feed.revoked_at is not None:
        return None
    return feed


@dataclass(frozen=True)
class FeedEvent:
    """One appointment as a feed shows it: no patient name, only the procedure and the reference."""

    uid: str
    sequence: int
    summary: str
    description: str
    location: str
    start: dt.datetime
    end: dt.datetime
    cancelled: bool
    modified: dt.datetime


def events(session: Session, feed: CalendarFeed, now: dt.datetime) -> list[FeedEvent]:
    """The feed's appointments from ``DAYS_BACK`` before to ``DAYS_AHEAD`` after now; cancelled ones
    stay in as cancelled, so subscribed calendars take them off. Records when it was last fetched."""
    stmt = (
        select(Appointment)
        .options(joinedload(Appointment.procedure_type), joinedload(Appointment.room), joinedload(Appointment.bed))
        .where(
            Appointment.table_start >= now - dt.timedelta(days=DAYS_BACK),
            Appointment.table_start < now + dt.timedelta(days=DAYS_AHEAD),
            Appointment.status != AppointmentStatus.NO_SHOW,
        )
        .order_by(Appointment.table_start, Appointment.id)
    )
    if feed.room_id is not None:
        stmt = stmt.where(Appointment.room_id == feed.room_id)
    else:
        stmt = stmt.where(Appointment.radiologist_id == feed.radiologist_id)
    if feed.last_fetched_at is None or now - feed.last_fetched_at >= FETCH_NOTE_EVERY:
        feed.last_fetched_at = now
    return [_event(a) for a in session.scalars(stmt)]


def _event(a: Appointment) -> FeedEvent:
    pt = a.procedure_type
    what = " ".join(w for w in (pt.code, a.region, a.side, a.levels) if w)
    bed = f"; observation follows on {a.bed.label}" if a.bed is not None else ""
    return FeedEvent(
        uid=f"appointment-{a.id}@pain-clinic",
        sequence=a.version,
        summary=f"{what} ({a.reference})",
        description=f"{pt.name_en}. Reference {a.reference}. The event is the table time{bed}.",
        location=a.room.name,
        start=a.table_start,
        end=a.table_end,
        cancelled=a.status == AppointmentStatus.CANCELLED,
        modified=a.updated_at,
    )
