"""Walk 27, item 3: the waiting list accepted 08.12.2026 as the earliest date while the medication hold allowed
17.12.2026 at the earliest. Refused with the hold's first day; offers from the waiting list respect the hold."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from clinic.core.errors import InvalidInput
from clinic.models import WaitlistEntry
from clinic.services import appointments, waitlist
from tests.conftest import TODAY
from tests.factories import add_to_waitlist, book, build_clinic, german_desk, make_ready_referral
from tests.scheduling.helpers import first_candidates

# Clopidogrel before a PRT: 168 hours from the end of the last dose's day. Last dose 22.11 (Berlin): the end of
# that day + 168 h is 30.11 00:00, the first day the hold allows.
LAST_DOSE = dt.date(2026, 11, 22)
FIRST_DAY = dt.date(2026, 11, 30)


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def test_the_waitlist_refuses_an_earliest_date_before_the_hold_allows(session, settings, clinic):
    referral = make_ready_referral(session, clinic, medications=[("clopidogrel", "", LAST_DOSE)])
    for too_early in (TODAY + dt.timedelta(days=1), FIRST_DAY - dt.timedelta(days=1)):
        with pytest.raises(InvalidInput, match=r"allows this procedure from 30\.11\.2026 at the earliest") as refused:
            waitlist.add(session, None, referral, earliest=too_early, latest=None, today=TODAY, settings=settings)
        assert refused.value.details["field"] == "earliest_date"
    assert session.scalar(select(func.count(WaitlistEntry.id))) == 0
    entry = waitlist.add(session, None, referral, earliest=FIRST_DAY, latest=None, today=TODAY, settings=settings)
    assert entry.earliest_date == FIRST_DAY


def test_the_desk_sees_the_refusal_in_german(session, browser, clinic):
    referral = make_ready_referral(session, clinic, medications=[("clopidogrel", "", LAST_DOSE)])
    german_desk(session, browser)
    data = {"wait-earliest_date": "2026-11-24", "wait-latest_date": "", "wait-part_of_day": "any"}
    path = f"/desk/referrals/{referral.id}"
    answer = browser.post(f"{path}/waitlist", data, form_page=path)
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)[:3000]
    assert "Die Medikamentenpausierung erlaubt diesen Eingriff frühestens ab 30.11.2026" in answer.get_data(
        as_text=True
    )
    assert session.scalar(select(func.count(WaitlistEntry.id))) == 0


def test_an_offer_from_the_waitlist_respects_the_hold(session, settings, clinic):
    """An entry written before the check (its earliest date 24.11) is not offered a time freed before 30.11."""
    booked = make_ready_referral(session, clinic)
    freed = first_candidates(session, settings, booked)[0]
    assert freed.table_start.date() < FIRST_DAY
    appointment = book(session, settings, booked, freed)
    held = make_ready_referral(session, clinic, medications=[("clopidogrel", "", LAST_DOSE)])
    add_to_waitlist(session, held, TODAY + dt.timedelta(days=1))
    free = make_ready_referral(session, clinic)
    add_to_waitlist(session, free, TODAY)
    session.flush()
    offers = appointments.cancel(session, settings, None, appointment, "Patient has a cold")
    assert [o.entry.referral_id for o in offers] == [free.id]
