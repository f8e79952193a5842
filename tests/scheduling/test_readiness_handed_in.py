"""Booking asks the readiness check its caller hands in (scheduling imports no service): every operation
that books a chain asks it inside the booking's transaction, refuses before it writes, and the clinic's
operations (``services.appointments``) hand in the clinic's rules."""

from __future__ import annotations

import inspect

import pytest
from sqlalchemy import func, select

from clinic.models import Appointment, Booking, BookingHold
from clinic.scheduling import booking, ending, holds
from clinic.scheduling.booking import NotReady
from clinic.scheduling.context import Readiness
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments, readiness
from tests.factories import build_clinic, make_ready_referral

from .helpers import first_candidates


def _not_ready(asked):
    def check(session, settings, referral, plan):
        asked.append(referral.id)
        return Readiness(missing=["the check handed in says no"])

    return check


def _rows(session):
    return [session.scalar(select(func.count()).select_from(t)) for t in (Appointment, BookingHold, Booking)]


@pytest.fixture
def referral(session):
    return make_ready_referral(session, build_clinic(session))


def test_booking_and_holding_refuse_by_the_check_handed_in_before_writing(session, settings, referral):
    plan = ProcedurePlan.from_referral(referral)
    c = first_candidates(session, settings, referral)[0]
    before, asked = _rows(session), []
    with pytest.raises(NotReady, match="the check handed in says no"):
        booking.book(session, settings, None, referral=referral, plan=plan, candidate=c, readiness=_not_ready(asked))
    with pytest.raises(NotReady):
        holds.hold(session, settings, None, referral=referral, plan=plan, candidate=c, readiness=_not_ready(asked))
    assert asked == [referral.id, referral.id]
    assert _rows(session) == before


def test_confirming_a_hold_and_moving_ask_the_check_again(session, settings, referral):
    plan = ProcedurePlan.from_referral(referral)
    first, second = first_candidates(session, settings, referral, limit=2)
    held = appointments.hold(session, settings, None, referral=referral, plan=plan, candidate=first)
    asked = []
    with pytest.raises(NotReady):
        holds.confirm_hold(session, settings, None, held.token, readiness=_not_ready(asked))
    assert session.scalar(select(func.count()).select_from(Appointment)) == 0
    appointment = appointments.confirm_hold(session, settings, None, held.token)
    with pytest.raises(NotReady):
        booking.reschedule(session, settings, None, appointment, second, readiness=_not_ready(asked))
    assert asked == [referral.id, referral.id]
    assert appointment.table_start == first.table_start


def test_the_clinic_operations_hand_in_the_clinic_readiness():
    for operation in (
        appointments.book,
        appointments.hold,
        appointments.confirm_hold,
        appointments.cancel,
        appointments.freed_time_offers,
        appointments.moved_time_offers,
    ):
        assert operation.keywords == {"readiness": readiness.assess}
    # A move also lapses the medication plan's confirmation (walk 27), so it is a function of its own that hands
    # the same rules to the booking core.
    assert "readiness=assess" in inspect.getsource(appointments.reschedule)
    assert {appointments.cancel.func, appointments.freed_time_offers.func} == {ending.cancel, ending.freed_time_offers}
    assert appointments.moved_time_offers.func is ending.moved_time_offers
