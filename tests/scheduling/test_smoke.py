import datetime as dt

import pytest

from clinic.scheduling import booking
from clinic.scheduling.finder import SearchRequest, find_candidates
from clinic.scheduling.plan import ProcedurePlan
from tests.factories import build_clinic, make_ready_referral

MONDAY = dt.date(2026, 11, 23)


def test_first_candidate_is_eight_local_and_books(session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    plan = ProcedurePlan.from_referral(referral)
    found = find_candidates(session, settings, SearchRequest(plan, MONDAY, MONDAY + dt.timedelta(days=7), limit=3))
    assert [c.table_start for c in found] == [
        dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 7, 5, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 7, 10, tzinfo=dt.UTC),
    ]
    appointment = booking.book(session, settings, None, referral=referral, plan=plan, candidate=found[0])
    session.commit()
    assert len([b for b in appointment.bookings if b.active]) == 4
    other = make_ready_referral(session, clinic)
    same = booking.Candidate(found[0].room_id, found[0].radiologist_id, found[0].bed_id, found[0].table_start,
                             found[0].table_end, found[0].obs_end)
    with pytest.raises(booking.SlotTaken) as taken:
        booking.book(session, settings, None, referral=other, plan=ProcedurePlan.from_referral(other), candidate=same)
    assert taken.value.candidates
