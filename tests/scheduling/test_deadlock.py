"""Two bookings of one time at the same instant, on PostgreSQL: the exclusion constraints can make each
wait on the other, and the deadlock detector cancels one (SQLSTATE 40P01). The last CI check saw it as
an HTTP 500 in the outage test's three bookers. The cancelled booking is a time taken meanwhile (409
with the next free times), never a server error, and leaves no row behind.

The race is built on purpose: another transaction holds an uncommitted radiologist row of the same time;
the booking writes its room row and waits on that radiologist row; the other then writes a room row of
the same time and waits on the booking. The other transaction waits longer before it looks for a
deadlock, so the detector cancels the booking, as it would cancel either of two desks."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from clinic.models import Booking
from clinic.scheduling.booking import SlotTaken
from tests.conftest import TODAY
from tests.factories import book, build_clinic, make_ready_referral
from tests.jobs.conftest import wait_until

from .helpers import first_candidates


def test_a_booking_the_deadlock_detector_cancels_is_a_time_taken_meanwhile(app, session, settings, backend):
    if backend != "postgresql":
        pytest.skip("the exclusion constraints (and their deadlocks) are PostgreSQL's; SQLite takes a write lock")
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    c = first_candidates(session, settings, referral)[0]
    # The rival's rows belong to another appointment, a week later.
    other = book(
        session, settings, make_ready_referral(session, clinic), first_day=TODAY + dt.timedelta(days=7), limit=1
    )
    session.commit()

    engine = create_engine(session.get_bind().url)
    rival, watcher = engine.connect(), engine.connect()
    rival.execute(text("SET deadlock_timeout = '10s'"))  # the booking's detector runs first
    row = {"appointment_id": other.id, "starts_at": c.table_start, "ends_at": c.table_end, "active": True}
    insert = Booking.__table__.insert()
    rival.execute(insert.values(radiologist_id=c.radiologist_id, **row))  # uncommitted

    outcome: dict[str, object] = {}

    desk_session = session()  # the test's Session itself, used by one thread at a time

    def desk() -> None:
        try:
            with app.app_context():  # Flask-SQLAlchemy's Session finds its engine through the app
                outcome["booked"] = book(desk_session, settings, referral, c)
        except SlotTaken as refused:
            outcome["refused"] = refused

    def waiting() -> int:
        return watcher.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar()

    thread = threading.Thread(target=desk)
    thread.start()
    try:
        wait_until(lambda: waiting() >= 1, "the booking to wait on the rival's radiologist row", 30)
        rival.execute(insert.values(room_id=c.room_id, **row))  # waits on the booking's room row: a deadlock
    finally:
        thread.join(timeout=60)
        rival.rollback()
        rival.close()
        watcher.close()
        engine.dispose()

    assert not thread.is_alive()
    assert "booked" not in outcome, "the detector cancelled the rival instead of the booking"
    refused = outcome["refused"]
    assert refused.http_status == 409 and "was being booked by someone else at the same moment" in refused.message
    assert refused.candidates, "the refusal offers the next free times"
    session.rollback()
    assert session.scalar(select(func.count(Booking.id)).where(Booking.patient_id == referral.patient_id)) == 0
