"""Shared helpers for scheduling tests."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager

from sqlalchemy import event, select

from clinic.core.intervals import overlaps
from clinic.extensions import db
from clinic.models import Booking
from clinic.scheduling.finder import Candidate, SearchRequest, find_candidates
from clinic.scheduling.plan import ProcedurePlan
from tests.conftest import TODAY


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@contextmanager
def recorded():
    """The statements sent inside the block, whitespace folded."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def first_candidates(
    session, settings, referral, *, days=14, limit=5, first_day=TODAY, ignore_appointment_id=None, **prefs
):
    """What the finder offers for a referral; falls back to the raw finder when the referral is not
    ready (so that tests can show that booking, not only the finder, refuses). ``ignore_appointment_id``:
    the appointment being moved, as the move screen searches (its own time and steroid week do not count)."""
    from clinic.scheduling.finder import Preferences
    from clinic.services.candidates import candidates_for_referral

    ready, found = candidates_for_referral(
        session,
        settings,
        referral,
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=days),
        preferences=Preferences(**prefs),
        limit=limit,
        ignore_appointment_id=ignore_appointment_id,
    )
    if ready.ready:
        return found
    plan = ProcedurePlan.from_referral(referral)
    request = SearchRequest(
        plan,
        first_day,
        first_day + dt.timedelta(days=days),
        preferences=Preferences(**prefs),
        patient_id=referral.patient_id,
        ignore_appointment_id=ignore_appointment_id,
        limit=limit,
    )
    return find_candidates(session, settings, request)


def chain(room, radiologist, bed, start: dt.datetime, table_minutes: int, obs_minutes: int) -> Candidate:
    table_end = start + dt.timedelta(minutes=table_minutes)
    return Candidate(
        room.id,
        radiologist.id,
        bed.id if bed else None,
        start,
        table_end,
        table_end + dt.timedelta(minutes=obs_minutes),
    )


def overlapping_active_bookings(session) -> list[tuple[Booking, Booking]]:
    """Every pair of active bookings of the same resource that overlap (should always be empty)."""
    by_resource = defaultdict(list)
    for row in session.scalars(select(Booking).where(Booking.active)):
        by_resource[row.resource].append(row)
    clashes = []
    for rows in by_resource.values():
        rows.sort(key=lambda b: b.starts_at)
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if b.starts_at >= a.ends_at:
                    break
                if overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at):
                    clashes.append((a, b))
    return clashes


def chain_json(c: Candidate) -> dict:
    """A chain as the API's JSON takes it."""
    return {
        "room_id": c.room_id,
        "radiologist_id": c.radiologist_id,
        "bed_id": c.bed_id,
        "table_start": c.table_start.isoformat(),
        "table_end": c.table_end.isoformat(),
        "obs_end": c.obs_end.isoformat(),
    }


def chain_form(c: Candidate, action: str = "book") -> dict:
    """A chain as the booking screen's form posts it."""
    return {**chain_json(c), "bed_id": c.bed_id or "", "action": action}
