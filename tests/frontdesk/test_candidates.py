"""Booking candidates on the phone (issue 21, item 17): a few times per day across several days, with
weekday names, "more" for one day and "later days", instead of twenty rows five minutes apart."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from clinic.core.timefmt import to_local
from clinic.scheduling.finder import Preferences, SearchRequest, find_candidates
from clinic.scheduling.plan import ProcedurePlan
from tests.conftest import TODAY, ZONE
from tests.factories import at_front_desk, build_clinic
from tests.scheduling.helpers import recorded


def _rows(html: str) -> list[str]:
    return re.findall(r'name="table_start" value="([^"]+)"', html)


def test_the_booking_page_spreads_times_over_several_days(session, browser):
    _, referral = at_front_desk(session, browser)
    html = browser.get(f"/desk/referrals/{referral.id}/book").get_data(as_text=True)
    starts = _rows(html)
    days = {s[:10] for s in starts}
    assert 4 <= len(days) <= 5, days  # the five days the page shows; "Later days" for more
    for day in days:
        on_day = sorted(s for s in starts if s.startswith(day))
        assert len(on_day) <= 4
    for weekday in ("Monday", "Tuesday", "Wednesday"):
        assert weekday in html
    assert f"/desk/referrals/{referral.id}/book?day=2026-11-23" in html.replace("&amp;", "&")
    later = re.search(r'href="([^"]*earliest_date=[^"]*)"[^>]*>\s*Later days', html)
    assert later is not None
    one_day = browser.get(f"/desk/referrals/{referral.id}/book?day=2026-11-24").get_data(as_text=True)
    on_tuesday = _rows(one_day)
    assert len(on_tuesday) > 4 and {s[:10] for s in on_tuesday} == {"2026-11-24"}


def test_the_finder_keeps_times_of_a_day_apart(session, settings):
    clinic = build_clinic(session)
    plan = ProcedurePlan(clinic.pt("PRT"), "lumbar", "left", "L4/5")
    request = SearchRequest(plan, TODAY, TODAY, Preferences(), per_day=4, spacing_minutes=60)
    found = find_candidates(session, settings, request)
    assert len(found) == 4
    starts = [to_local(c.table_start, ZONE) for c in found]
    assert all((b - a).total_seconds() >= 3600 for a, b in itertools.pairwise(starts))


def _search(clinic, **options) -> SearchRequest:
    plan = ProcedurePlan(clinic.pt("PRT"), "lumbar", "left", "L4/5")
    return SearchRequest(plan, TODAY, TODAY + dt.timedelta(days=60), Preferences(), **options)


def test_the_finder_stops_once_it_has_the_days_the_page_shows(session, settings):
    clinic = build_clinic(session)
    every_day = find_candidates(session, settings, _search(clinic, limit=20, per_day=1))
    with recorded() as statements:
        five_days = find_candidates(session, settings, _search(clinic, limit=20, per_day=1, days=5))
    assert len({to_local(c.table_start, ZONE).date() for c in every_day}) == 20
    assert five_days == every_day[:5]
    # Five workdays lie within the first two rounds (three days, then what those say is needed), never
    # the four weeks a fixed fourth round would read.
    reads = [s for s in statements if "FROM bookings" in s]
    assert len(reads) <= 2, reads


def test_the_finder_misses_no_day_where_its_rounds_meet(session, settings):
    clinic = build_clinic(session)
    found = find_candidates(session, settings, _search(clinic, limit=30, per_day=1))
    days = [to_local(c.table_start, ZONE).date() for c in found]
    workdays = [TODAY + dt.timedelta(days=n) for n in range(60) if (TODAY + dt.timedelta(days=n)).weekday() < 5]
    assert days == workdays[:30]
