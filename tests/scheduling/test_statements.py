"""How many statements a booking sends: the booking throughput of issue 3 rests on it (the figures are
measured in bench/, never asserted in tests). A new statement on this path should be a decision, so
the budget is counted here, on both databases."""

from __future__ import annotations

import pytest

from clinic.models import Referral
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments
from tests.factories import build_clinic, make_ready_referral

from .helpers import first_candidates, overlapping_active_bookings, recorded

# imaging files, stage rules, the chain's resources, the calendar, the busy window, the appointment,
# its event, its audit row, its bookings (one statement), the waitlist; PostgreSQL adds the SAVEPOINT
# and its RELEASE around the inserts (the exclusion constraints may refuse them).
# One more each since issue 15: the check that the referral has no active appointment yet; one more for a
# plan that gives a steroid (this PRT): the patient's steroid injections of the week around it; one more
# for the lock on the patient's row that keeps two desks from booking the same patient past that rule;
# one more for the referral's last discharged appointment (walk 23: a diagnostic stage done is not booked
# again while its outcome decides the next stage); one more for the blood thinners on the patient's other
# open referrals (walk 26: they did not keep this one's questionnaire open, and it was booked with no hold);
# one more for the referral's holds still live, let go by the booking (walk 26: the held time stayed blocked).
BUDGET = {"sqlite": 16, "postgresql": 18}


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def test_a_booking_sends_a_fixed_handful_of_statements(session, settings, clinic, backend):
    first, second = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    taken = first_candidates(session, settings, first)[0]
    appointments.book(session, settings, None, referral=first, plan=ProcedurePlan.from_referral(first), candidate=taken)
    candidate = first_candidates(session, settings, second)[0]
    referral_id = second.id
    session.commit()
    session.close()  # a new request: nothing loaded yet

    referral = session.get(Referral, referral_id)
    plan = ProcedurePlan.from_referral(referral)
    with recorded() as statements:
        appointment = appointments.book(session, settings, None, referral=referral, plan=plan, candidate=candidate)
    session.commit()

    assert appointment.table_start == candidate.table_start
    assert overlapping_active_bookings(session) == []
    assert len(statements) <= BUDGET[backend], "\n".join(statements)
