"""Holds, reschedule, cancel with waitlist offers, no-shows, and table time growth."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError, InvalidInput
from clinic.core.timefmt import to_local
from clinic.models import Booking, WaitlistEntry
from clinic.models.vocab import AppointmentStatus
from clinic.scheduling import booking, ending
from clinic.scheduling.booking import SlotTaken
from clinic.scheduling.context import Settings
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments
from tests.conftest import NOW, ZONE
from tests.factories import add_to_waitlist, book, build_clinic, hold, make_ready_referral

from .helpers import chain, first_candidates, overlapping_active_bookings, utc


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def _active(session, appointment_id):
    return session.scalars(select(Booking).where(Booking.appointment_id == appointment_id, Booking.active)).all()


def test_a_hold_keeps_the_chain_then_becomes_the_booking(session, settings, clinic):
    a, b = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    c = first_candidates(session, settings, a)[0]
    held = hold(session, settings, a, c)
    assert held.expires_at == NOW + dt.timedelta(minutes=5)
    with pytest.raises(SlotTaken):
        book(session, settings, b, c)
    assert c.table_start not in [
        x.table_start for x in first_candidates(session, settings, b, limit=3) if x.room_id == c.room_id
    ]
    appointment = appointments.confirm_hold(session, settings, None, held.token)
    assert appointment.status == AppointmentStatus.BOOKED
    assert len(_active(session, appointment.id)) == 4
    assert session.scalars(select(Booking).where(Booking.hold_id == held.id)).all() == []
    with pytest.raises(DomainError, match="already been booked"):
        appointments.confirm_hold(session, settings, None, held.token)


def test_booking_a_referral_at_another_time_lets_its_hold_go(session, settings, clinic):
    """Walk 26: "Vormerken" on one time, then "Termin vergeben" on another: the held time stayed blocked for
    everyone else and its page still offered to book it (then refused it, twice)."""
    a, b = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    held_chain = first_candidates(session, settings, a)[0]
    other = first_candidates(session, settings, a, first_day=dt.date(2026, 11, 25))[0]  # another day
    held = hold(session, settings, a, held_chain)
    appointment = book(session, settings, a, other)
    assert appointment.table_start == other.table_start
    assert held.released_at == NOW
    assert session.scalars(select(Booking).where(Booking.hold_id == held.id, Booking.active)).all() == []
    assert held_chain.table_start in [  # free for another patient at once
        x.table_start for x in first_candidates(session, settings, b, limit=5) if x.room_id == held_chain.room_id
    ]
    with pytest.raises(DomainError, match="already"):
        appointments.confirm_hold(session, settings, None, held.token)


def test_a_hold_lapses_by_itself(session, settings, clinic):
    a, b = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    tomorrow = dt.date(2026, 11, 24)  # not today's first time: six minutes on, the notice has passed it
    c = first_candidates(session, settings, a, first_day=tomorrow)[0]
    held = hold(session, settings, a, c)
    session.commit()
    later = Settings(zone=ZONE, clock=lambda: NOW + dt.timedelta(minutes=6), notice=settings.notice)
    assert c.table_start in [x.table_start for x in first_candidates(session, later, b, first_day=tomorrow, limit=1)]
    appointment = book(session, later, b, c)  # the lapsed hold is released in the same transaction
    session.commit()
    assert appointment.table_start == c.table_start
    with pytest.raises(DomainError, match="lapsed"):
        appointments.confirm_hold(session, later, None, held.token)
    assert overlapping_active_bookings(session) == []


def test_a_lapsed_hold_meeting_only_the_patient_is_released_too(session, settings, clinic):
    """The same patient at the same time in another room, with another radiologist and bed: only the
    patient's row meets the lapsed hold's, and it must not block (PostgreSQL's patient constraint would
    refuse it) nor stay beside the new booking as an overlap."""
    referral = make_ready_referral(session, clinic)
    held_chain = first_candidates(session, settings, referral, first_day=dt.date(2026, 11, 24))[0]
    held = hold(session, settings, referral, held_chain)
    session.commit()
    room = next(r for r in clinic.rooms.values() if r.modality == "CT" and r.id != held_chain.room_id)
    rad = next(r for r in clinic.radiologists if r.id != held_chain.radiologist_id)
    bed = next(b for b in clinic.beds if b.id != held_chain.bed_id)
    elsewhere = chain(room, rad, bed, held_chain.table_start, 20, 30)
    later = Settings(zone=ZONE, clock=lambda: NOW + dt.timedelta(minutes=6), notice=settings.notice)
    appointment = book(session, later, referral, elsewhere)
    session.commit()
    assert appointment.room_id == room.id
    session.refresh(held)
    assert held.released_at is not None
    assert session.scalars(select(Booking).where(Booking.hold_id == held.id, Booking.active)).all() == []
    assert overlapping_active_bookings(session) == []


def test_reschedule_moves_all_bookings(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    first, *_ = first_candidates(session, settings, referral)
    appointment = book(session, settings, referral, first)
    target = first_candidates(session, settings, referral, first_day=dt.date(2026, 11, 26), limit=1)[0]
    appointments.reschedule(session, settings, None, appointment, target)
    rows = _active(session, appointment.id)
    assert {r.starts_at for r in rows} == {target.table_start, target.table_end}
    assert appointment.table_start == target.table_start
    # the first time the finder offers today: 08:30, the clinic's notice (an hour) and the arrival (half an
    # hour) after 07:00
    assert appointment.events[-1].note.startswith("moved from 23.11.2026 08:30")


def test_reschedule_may_overlap_its_own_old_time(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    c = first_candidates(session, settings, referral)[0]
    appointment = book(session, settings, referral, c)
    ten_later = booking.Candidate(
        c.room_id,
        c.radiologist_id,
        c.bed_id,
        c.table_start + dt.timedelta(minutes=10),
        c.table_end + dt.timedelta(minutes=10),
        c.obs_end + dt.timedelta(minutes=10),
    )
    appointments.reschedule(session, settings, None, appointment, ten_later)
    assert appointment.table_start == ten_later.table_start
    assert overlapping_active_bookings(session) == []


def test_reschedule_into_a_taken_time_keeps_the_old_booking(session, settings, clinic):
    a, b = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    ca = first_candidates(session, settings, a)[0]
    first = book(session, settings, a, ca)
    second = book(session, settings, b, first_day=dt.date(2026, 11, 24), limit=1)
    session.commit()
    before = {(r.id, r.starts_at) for r in _active(session, second.id)}
    with pytest.raises(SlotTaken) as taken:
        appointments.reschedule(
            session,
            settings,
            None,
            second,
            chain(clinic.rooms["CT 1"], clinic.radiologists[2], clinic.beds[4], ca.table_start, 20, 30),
        )
    assert taken.value.candidates
    session.rollback()
    session.expire_all()
    assert {(r.id, r.starts_at) for r in _active(session, second.id)} == before
    assert first.status == AppointmentStatus.BOOKED


def test_cancel_frees_the_chain_and_offers_it_to_the_waitlist(session, settings, clinic):
    booked = make_ready_referral(session, clinic)
    c = first_candidates(session, settings, booked)[0]
    appointment = book(session, settings, booked, c)
    waiting = make_ready_referral(session, clinic)
    add_to_waitlist(session, waiting, dt.date(2026, 11, 20), part_of_day="morning")
    not_now = make_ready_referral(session, clinic)
    add_to_waitlist(session, not_now, dt.date(2026, 12, 1))
    session.flush()
    with pytest.raises(InvalidInput, match="reason"):
        appointments.cancel(session, settings, None, appointment, "  ")
    offers = appointments.cancel(session, settings, None, appointment, "Patient has a cold")
    assert appointment.status == AppointmentStatus.CANCELLED
    assert _active(session, appointment.id) == []
    assert [o.entry.referral_id for o in offers] == [waiting.id]
    offer = offers[0]
    assert c.table_start <= offer.candidate.table_start < c.obs_end
    taken = book(session, settings, waiting, offer.candidate)
    assert session.get(WaitlistEntry, offer.entry.id).active is False
    assert taken.table_start == offer.candidate.table_start


def test_no_show_only_after_the_time_and_only_when_never_checked_in(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral)
    with pytest.raises(DomainError, match="before its time"):
        ending.mark_no_show(session, settings, None, appointment)
    evening = Settings(zone=ZONE, clock=lambda: utc(2026, 11, 23, 20))
    ending.mark_no_show(session, evening, None, appointment)
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert _active(session, appointment.id) == []
    assert [e.to_status for e in appointment.events] == ["booked", "no_show"]


@pytest.mark.parametrize(
    ("code", "levels", "side", "minutes"),
    [
        ("FACET", "L4/5", "left", 15),
        ("FACET", "L3/4, L4/5, L5/S1", "bilateral", 30),  # 15 + 2 × 5 + 5
        ("PRT", "L4, L5", "bilateral", 35),  # 20 + 5 + 10
        ("RFA", "L2/3, L3/4, L4/5, L5/S1, S1, S2", "bilateral", 60),  # 30 + 50 + 15, capped at 60
    ],
)
def test_table_time_grows_with_levels_and_sides_up_to_an_hour(session, clinic, code, levels, side, minutes):
    plan = ProcedurePlan(clinic.pt(code), "lumbar", side, levels, "diagnostic" if code == "FACET" else None)
    assert plan.table_minutes == minutes


def test_preferences_filter_room_radiologist_and_part_of_day(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    rad = clinic.radiologists[2]
    room = clinic.rooms["CT 2"]
    offered = first_candidates(
        session,
        settings,
        referral,
        limit=10,
        radiologist_id=rad.id,
        room_id=room.id,
        part_of_day="afternoon",
        earliest_date=dt.date(2026, 11, 25),
    )
    assert offered
    for c in offered:
        assert (c.radiologist_id, c.room_id) == (rad.id, room.id)
        local = to_local(c.table_start, ZONE)
        assert local.hour >= 12 and local.date() >= dt.date(2026, 11, 25)
    assert offered == sorted(offered, key=lambda c: c.table_start)


@pytest.mark.parametrize(
    ("what", "words"),
    [
        (["the room"], "the room is taken"),
        (["the room", "the radiologist"], "the room and the radiologist are taken"),
        (
            ["the room", "the radiologist", "the observation bed", "the patient"],
            "the room, the radiologist and the observation bed are taken, and the patient has another appointment then",
        ),
        (["the patient"], "the patient has another appointment then"),
    ],
)
def test_a_conflict_says_in_words_what_is_taken(what, words):
    assert booking.taken_in_words(what) == words


def test_a_new_hold_for_a_referral_releases_its_earlier_hold(session, settings, clinic):
    """Walk 20: Back to the finder and a second "Vormerken" kept two times for one patient, each page
    saying nobody else could take it. A referral has one live hold: the newest."""
    a, b = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    first_choice = first_candidates(session, settings, a)[0]
    second_choice = first_candidates(session, settings, a, first_day=dt.date(2026, 11, 25))[0]  # apart
    first = hold(session, settings, a, first_choice)
    second = hold(session, settings, a, second_choice)
    assert first.released_at is not None and second.released_at is None
    assert session.scalars(select(Booking).where(Booking.hold_id == first.id, Booking.active)).all() == []
    assert book(session, settings, b, first_choice).table_start == first_choice.table_start  # free again
    with pytest.raises(DomainError, match="A newer hold for this referral replaced this one"):
        appointments.confirm_hold(session, settings, None, first.token)
    appointment = appointments.confirm_hold(session, settings, None, second.token)
    assert appointment.table_start == second_choice.table_start
    assert overlapping_active_bookings(session) == []
