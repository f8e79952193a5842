"""Property-based: whatever sequence of book, cancel and reschedule happens, no two active bookings
overlap, and every chain the finder offers can actually be booked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from clinic.models.vocab import AppointmentStatus
from clinic.scheduling import booking
from clinic.scheduling.finder import Preferences
from clinic.services import appointments
from clinic.services.candidates import candidates_for_referral
from tests.conftest import TODAY
from tests.factories import book, build_clinic, make_patient, make_ready_referral

from .helpers import overlapping_active_bookings

PROCEDURES = [
    ("PRT", "L4/5", "left", None),
    ("FACET", "L4/5, L5/S1", "bilateral", "diagnostic"),
    ("EPI", "L5/S1", None, None),
    ("SYMP", None, "left", "diagnostic"),
]

operation = st.tuples(
    st.sampled_from(["book", "book", "book", "cancel", "reschedule"]),
    st.integers(min_value=0, max_value=40),  # which candidate / appointment
    st.integers(min_value=0, max_value=3),  # which procedure, or which existing patient
    st.sampled_from(["any", "morning", "afternoon"]),
)


@pytest.fixture
def tight_clinic(session):
    """One CT room, two radiologists, two beds: lots of contention in a short window."""
    clinic = build_clinic(session, ct_rooms=1, radiologists=2, beds=2)
    patients = [make_patient(session) for _ in range(4)]
    session.commit()
    return clinic, patients


@hyp_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=st.lists(operation, min_size=1, max_size=14))
def test_random_operations_never_overlap_and_offers_are_bookable(session, settings, tight_clinic, ops):
    clinic, patients = tight_clinic
    made = []
    try:
        for op, pick, which, part in ops:
            window = {
                "first_day": TODAY,
                "last_day": TODAY + dt.timedelta(days=2),
                "preferences": Preferences(part_of_day=part),
                "limit": 41,
            }
            if op == "book":
                code, levels, side, stage = PROCEDURES[which]
                referral = make_ready_referral(
                    session, clinic, patients[which], code=code, levels=levels, side=side, stage=stage
                )
                ready, offered = candidates_for_referral(session, settings, referral, **window)
                assert ready.ready
                if offered:
                    chosen = offered[pick % len(offered)]
                    appointment = book(session, settings, referral, chosen)
                    made.append(appointment)
            else:
                live = [a for a in made if a.status == AppointmentStatus.BOOKED]
                if not live:
                    continue
                appointment = live[pick % len(live)]
                if op == "cancel":
                    appointments.cancel(session, settings, None, appointment, "changed plans")
                else:
                    ready, offered = candidates_for_referral(
                        session,
                        settings,
                        appointment.referral,
                        ignore_appointment_id=appointment.id,
                        plan=booking.plan_of(appointment),
                        **window,
                    )
                    if offered:
                        appointments.reschedule(session, settings, None, appointment, offered[pick % len(offered)])
            assert overlapping_active_bookings(session) == []
    finally:
        session.rollback()
