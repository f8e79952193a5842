"""Races: many workers book at the same moment. Exactly the right number win, the rest are told the
time is taken (never a server error), and no two active bookings overlap afterwards."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select

from clinic.core.errors import DomainError
from clinic.extensions import db
from clinic.models import Appointment, BookingHold, Referral
from clinic.scheduling import booking
from clinic.scheduling.booking import SlotTaken
from clinic.services import appointments
from tests.factories import book, build_clinic, hold, make_ready_referral

from .helpers import chain, first_candidates, overlapping_active_bookings, utc


def _at_once(app, calls: list[Callable]) -> Counter:
    """Run each call in its own thread with its own app context and session, all released at once, and
    count what they return; an exception no call expected counts as "error: ..."."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call) -> None:
        with app.app_context():
            session = db.session
            try:
                barrier.wait(timeout=30)
                outcome = call(session)
            except Exception as exc:  # any other error is a failure we want to see
                session.rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return Counter(outcomes)


def _race(app, settings, jobs: list[tuple[int, booking.Candidate]]) -> Counter:
    """Run one booking per (referral id, candidate) in its own thread, all released at once."""

    def attempt(referral_id: int, candidate: booking.Candidate):
        def call(session) -> str:
            try:
                referral = session.get(Referral, referral_id)
                book(session, settings, referral, candidate)
                session.commit()
                return "booked"
            except SlotTaken as taken:
                session.rollback()
                return "taken" if taken.candidates else "taken-without-alternatives"

        return call

    return _at_once(app, [attempt(*job) for job in jobs])


def test_32_workers_race_for_the_same_chain(app, session, settings):
    clinic = build_clinic(session)
    referrals = [make_ready_referral(session, clinic) for _ in range(32)]
    target = first_candidates(session, settings, referrals[0])[0]
    ids = [r.id for r in referrals]
    session.commit()

    outcomes = _race(app, settings, [(rid, target) for rid in ids])

    assert outcomes == Counter({"booked": 1, "taken": 31})
    session.expire_all()
    assert overlapping_active_bookings(session) == []


def test_six_beds_twenty_concurrent_bookings_with_overlapping_observation(app, session, settings):
    clinic = build_clinic(session, ct_rooms=20, radiologists=20, beds=6)
    referrals = [make_ready_referral(session, clinic) for _ in range(20)]
    rooms = [r for r in clinic.rooms.values() if r.modality == "CT"]
    start = utc(2026, 11, 23, 8, 0)  # 09:00 local; every observation is 09:20-09:50
    jobs = [
        (referrals[i].id, chain(rooms[i], clinic.radiologists[i], clinic.beds[i % 6], start, 20, 30)) for i in range(20)
    ]
    session.commit()

    outcomes = _race(app, settings, jobs)

    assert outcomes["booked"] <= 6
    assert outcomes["booked"] == 6, "one winner per bed"
    assert outcomes["taken"] == 14
    session.expire_all()
    assert overlapping_active_bookings(session) == []


def test_a_hold_confirmed_by_several_requests_at_once_books_once(app, session, settings):
    """A double-clicked "Confirm" (several requests for one hold at the same moment), five times over:
    each hold becomes exactly one appointment holding all its resources; the other requests are told
    and write nothing (the request boundary would commit whatever they had written)."""
    clinic = build_clinic(session)
    tokens = []
    for _ in range(5):
        referral = make_ready_referral(session, clinic)
        held = hold(session, settings, referral)
        tokens.append(held.token)
    session.commit()

    def confirm(token: str):
        def call(session) -> str:
            try:
                appointments.confirm_hold(session, settings, None, token)
                session.commit()
                return "booked"
            except DomainError as refused:
                session.commit()  # as the request boundary does for the redirect that follows
                return refused.code

        return call

    outcomes = Counter()
    for token in tokens:
        outcomes += _at_once(app, [confirm(token) for _ in range(6)])

    assert outcomes == Counter({"booked": 5, "invalid_state": 25})
    session.expire_all()
    booked = session.scalars(select(Appointment)).all()
    assert len(booked) == 5
    for appointment in booked:
        assert len([b for b in appointment.bookings if b.active]) == 4
    held_rows = session.scalars(select(BookingHold)).all()
    assert {h.confirmed_appointment_id for h in held_rows} == {a.id for a in booked}
    assert overlapping_active_bookings(session) == []


def test_two_desks_booking_one_patients_steroid_injections_three_days_apart_at_once(app, session, settings):
    """Steroid injections of one patient a week apart (scheduling/steroid.py) under a race: two desks book the
    same patient's two PRTs, three days apart, at the same moment. The interval is a rule across rows that no
    constraint holds, so the check itself must not be overtaken: exactly one is booked, the other is refused
    with the earliest day, never both. Three patients, three races: one race lost could be luck."""
    from clinic.scheduling.finder import SearchRequest, find_candidates
    from clinic.scheduling.plan import ProcedurePlan
    from clinic.scheduling.steroid import TooSoonForSteroid
    from tests.factories import make_patient

    clinic = build_clinic(session)
    days = [dt.date(2026, 11, 24), dt.date(2026, 11, 27)]

    def attempt(referral_id: int, candidate: booking.Candidate):
        def call(session) -> str:
            try:
                book(session, settings, session.get(Referral, referral_id), candidate)
                session.commit()
                return "booked"
            except TooSoonForSteroid:
                session.rollback()
                return "too soon"

        return call

    for _race in range(3):
        patient = make_patient(session)
        referrals = [make_ready_referral(session, clinic, patient) for _ in days]
        targets = [
            find_candidates(session, settings, SearchRequest(ProcedurePlan.from_referral(r), day, day, limit=1))[0]
            for r, day in zip(referrals, days, strict=True)
        ]
        calls = [attempt(r.id, target) for r, target in zip(referrals, targets, strict=True)]
        patient_id = patient.id
        session.commit()

        assert _at_once(app, calls) == Counter({"booked": 1, "too soon": 1})
        session.expire_all()
        assert len(session.scalars(select(Appointment.id).where(Appointment.patient_id == patient_id)).all()) == 1
