"""Races: many workers book at the same moment. Exactly the right number win, the rest are told the
time is taken (never a server error), and no two active bookings overlap afterwards."""

from __future__ import annotations

import threading
from collections import Counter

from clinic.extensions import db
from clinic.models import Referral
from clinic.scheduling import booking
from clinic.scheduling.booking import SlotTaken
from clinic.scheduling.plan import ProcedurePlan
from tests.factories import build_clinic, make_ready_referral

from .helpers import chain, first_candidates, overlapping_active_bookings, utc


def _race(app, settings, jobs: list[tuple[int, booking.Candidate]]) -> Counter:
    """Run one booking per (referral id, candidate) in its own thread, all released at once."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(referral_id: int, candidate: booking.Candidate) -> None:
        with app.app_context():
            session = db.session
            try:
                barrier.wait(timeout=30)
                referral = session.get(Referral, referral_id)
                booking.book(
                    session,
                    settings,
                    None,
                    referral=referral,
                    plan=ProcedurePlan.from_referral(referral),
                    candidate=candidate,
                )
                session.commit()
                outcome = "booked"
            except SlotTaken as taken:
                session.rollback()
                outcome = "taken" if taken.candidates else "taken-without-alternatives"
            except Exception as exc:  # any other error is a failure we want to see
                session.rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return Counter(outcomes)


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
