"""Helpers for the admin tests: real bookings through the scheduling engine, and what they look like."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from clinic.core.timefmt import local_instant, to_local
from clinic.models import Appointment, Booking, Closure
from clinic.scheduling.context import Settings
from clinic.services import stranding
from clinic.services.setup_resources import WEEKDAYS
from tests import factories
from tests.conftest import TODAY, ZONE
from tests.factories import Clinic, make_ready_referral
from tests.scheduling.helpers import first_candidates


def live_settings() -> Settings:
    """The app's clock (pinned to NOW in the tests): bookings made here are in the screens' future."""
    return Settings(zone=ZONE)


def next_monday(weeks_ahead: int = 1) -> dt.date:
    return TODAY + dt.timedelta(days=(7 - TODAY.weekday()) + 7 * weeks_ahead)


def book_on_day(
    session,
    clinic: Clinic,
    day: dt.date,
    *,
    room=None,
    radiologist=None,
    code: str = "PRT",
    not_before: dt.time | None = None,
) -> Appointment:
    """Book the first chain on ``day`` (optionally in a given room, with a given radiologist) and commit."""
    settings = live_settings()
    referral = make_ready_referral(session, clinic, code=code)
    prefs = {}
    if room is not None:
        prefs["room_id"] = room.id
    if radiologist is not None:
        prefs["radiologist_id"] = radiologist.id
    candidates = first_candidates(session, settings, referral, first_day=day, days=0, limit=60, **prefs)
    candidates = [
        c
        for c in candidates
        if to_local(c.table_start, ZONE).date() == day
        and (not_before is None or to_local(c.table_start, ZONE).time() >= not_before)
    ]
    assert candidates, f"no free chain on {day}"
    appointment = factories.book(session, settings, referral, candidates[0])
    session.commit()
    return appointment


def snapshot(session, appointment: Appointment) -> tuple:
    """Everything about a booking that a setup change must leave alone."""
    session.expire_all()
    fresh = session.get(Appointment, appointment.id)
    rows = session.scalars(
        select(Booking).where(Booking.appointment_id == fresh.id, Booking.active).order_by(Booking.id)
    ).all()
    return (
        fresh.status,
        fresh.table_start,
        fresh.table_end,
        fresh.obs_end,
        fresh.room_id,
        fresh.radiologist_id,
        fresh.bed_id,
        fresh.version,
        [(b.resource, b.starts_at, b.ends_at) for b in rows],
    )


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def form_refusals(cases):
    """Parametrizes a test by (change, message): a change to a valid form, and what the form then says."""
    return pytest.mark.parametrize(("change", "message"), cases)


def refused_saving_nothing(session, admin, url: str, data: dict, message: str, model) -> None:
    """The form sent with ``data`` is refused (422) with ``message``, and no ``model`` row is added."""
    before = count(session, model)
    response = admin.post(url, data)
    assert response.status_code == 422 and message in text(response)
    assert count(session, model) == before


def confirm_value(html: str) -> str:
    """The ids on the "save anyway" button of a stranding warning."""
    match = re.search(r'name="confirm_stranded"\s+value="([^"]*)"', html)
    assert match, "the page has no confirmation button"
    return match.group(1)


def text(response) -> str:
    return response.get_data(as_text=True)


def warn_then_confirm(session, admin, url: str, data: dict, stranded, *, form_page=None, reason=None, spared=()):
    """The stranding flow of one change: a warning that lists ``stranded`` (and not ``spared``) and saves
    nothing; then the confirmation, which saves and lists them for rescheduling; the bookings untouched.
    Returns the confirmed response."""
    before = [snapshot(session, a) for a in stranded]
    warned = admin.post(url, data, form_page=form_page)
    html = text(warned)
    assert warned.status_code == 409, html
    for appointment in stranded:
        assert appointment.reference in html
        assert WEEKDAYS[to_local(appointment.table_start, ZONE).weekday()] in html  # weekdays are named
    for appointment in spared:
        assert appointment.reference not in html
    if reason:
        assert reason in html
    done = admin.post(url, {**data, "confirm_stranded": confirm_value(html)}, form_page=form_page)
    assert done.status_code == 302 and "/admin/stranded" in done.headers["Location"], text(done)
    listed = text(admin.get(done.headers["Location"]))
    for appointment in stranded:
        assert appointment.reference in listed
        # The admin may not open an appointment (the front desk may, from the same list): no dead link.
        assert f"/desk/appointments/{appointment.id}" not in listed
    assert [snapshot(session, a) for a in stranded] == before
    return done


def strand_in_ct1(session, clinic, monday: dt.date):
    """A booking in CT 1 on ``monday``, one in CT 2, then CT 1 closed that day and saved anyway."""
    ct1 = clinic.rooms["CT 1"]
    stranded = book_on_day(session, clinic, monday, room=ct1)
    spared = book_on_day(session, clinic, monday, room=clinic.rooms["CT 2"])

    def close_ct1():
        session.add(
            Closure(
                scope="room",
                room_id=ct1.id,
                starts_at=local_instant(monday, dt.time(0), ZONE),
                ends_at=local_instant(monday + dt.timedelta(days=1), dt.time(0), ZONE),
                reason="Tube change",
            )
        )

    outcome = stranding.apply_change(session, live_settings(), close_ct1, confirmed=[stranded.id])
    assert outcome.saved and outcome.stranded_ids == [stranded.id]
    session.commit()
    return stranded, spared
