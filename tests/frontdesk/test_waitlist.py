"""The waitlist (issue 21, item 12): sensible dates only, a marker for an incomplete pre-registration,
the telephone number with every offer, and an offer that holds the time first (as booking does)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from clinic.models import Appointment, BookingHold, WaitlistEntry
from tests.factories import (
    accept_referral,
    add_to_waitlist,
    at_front_desk,
    book,
    build_clinic,
    german_desk,
    make_patient,
    make_ready_referral,
    make_referral,
)
from tests.scheduling.helpers import first_candidates


@pytest.mark.parametrize(
    ("earliest", "latest", "message"),
    [
        ("1900-01-01", "", "earliest date lies in the past"),
        ("2026-11-22", "", "earliest date lies in the past"),
        ("2031-01-01", "", "more than a year ahead"),
        ("2026-12-01", "2099-01-01", "more than a year ahead"),
    ],
)
def test_the_waitlist_refuses_absurd_dates(session, browser, earliest, latest, message):
    _, referral = at_front_desk(session, browser)
    data = {"wait-earliest_date": earliest, "wait-latest_date": latest, "wait-part_of_day": "any"}
    answer = browser.post(f"/desk/referrals/{referral.id}/waitlist", data, form_page=f"/desk/referrals/{referral.id}")
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert session.scalar(select(func.count(WaitlistEntry.id))) == 0
    fine = browser.post(
        f"/desk/referrals/{referral.id}/waitlist",
        {**data, "wait-earliest_date": "2026-11-23", "wait-latest_date": ""},
        form_page=f"/desk/referrals/{referral.id}",
    )
    assert fine.status_code == 302
    assert session.scalar(select(func.count(WaitlistEntry.id))) == 1


def _said_at(html: str, name: str) -> list[str]:
    """The messages shown under the waitlist form's field ``name``."""
    start = html.index(f'id="wait-{name}"')
    end = html.index('id="wait-', start + 1)
    return re.findall(r'<div class="invalid-feedback">([^<]*)</div>', html[start:end])


@pytest.mark.parametrize("typed", ["31.02.2026", "gestern", "2026-02-31"])
def test_an_unreadable_date_is_said_once_at_its_field(session, browser, typed):
    """A date the field cannot read was said twice under it: WTForms' "Kein gültiges Datum." and then the
    form's "Give the earliest date." for the empty value it left. Once now, in German, and nothing saved."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    german_desk(session, browser)
    data = {"wait-earliest_date": typed, "wait-latest_date": typed, "wait-part_of_day": "any"}
    answer = browser.post(f"/desk/referrals/{referral.id}/waitlist", data, form_page=f"/desk/referrals/{referral.id}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert _said_at(html, "earliest_date") == ["Kein gültiges Datum."]
    assert _said_at(html, "latest_date") == ["Kein gültiges Datum."]
    assert f'value="{typed}"' in html  # what was typed is kept
    assert session.scalar(select(func.count(WaitlistEntry.id))) == 0


def test_the_waitlist_marks_an_incomplete_pre_registration_and_shows_the_phone(session, browser):
    clinic = build_clinic(session)
    ready = make_ready_referral(session, clinic, make_patient(session, family_name="Fertig", phone="+49 40 111"))
    offen = make_patient(session, family_name="Offen", phone="+49 40 222")
    open_ = accept_referral(session, clinic, make_referral(session, offen))  # accepted, checklist not started
    add_to_waitlist(session, ready)
    add_to_waitlist(session, open_)
    session.commit()
    browser.login("frontdesk")
    html = browser.get("/desk/waitlist").get_data(as_text=True)
    rows = {name: re.search(rf"<tr>(?:(?!</tr>).)*{name}.*?</tr>", html, re.S).group(0) for name in ("Fertig", "Offen")}
    assert "Pre-registration incomplete" in rows["Offen"] and "Pre-registration incomplete" not in rows["Fertig"]
    assert "+49 40 111" in rows["Fertig"] and "+49 40 222" in rows["Offen"]


def test_an_offer_holds_the_time_first_then_books_on_confirmation(session, settings, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    candidate = first_candidates(session, settings, referral, first_day=dt.date(2026, 11, 24))[0]
    cancelled = book(session, settings, referral, candidate)
    waiting = make_ready_referral(session, clinic, make_patient(session, family_name="Wartemann", phone="+49 40 333"))
    add_to_waitlist(session, waiting)
    session.commit()
    browser.login("frontdesk")
    browser.post(f"/desk/appointments/{cancelled.id}/cancel", {"reason": "Patient is ill"})
    offers = browser.get(f"/desk/appointments/{cancelled.id}/offers").get_data(as_text=True)
    assert "+49 40 333" in offers
    offer = re.search(r'action="(/desk/waitlist/\d+/book)"(.*?)</form>', offers, re.S)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', offer.group(2)))
    fields.pop("csrf_token")
    held = browser.post(offer.group(1), fields, form_page="/desk/waitlist")
    assert held.status_code == 302 and "/desk/holds/" in held.headers["Location"]
    assert session.scalar(select(Appointment).where(Appointment.referral_id == waiting.id)) is None
    assert session.scalar(select(func.count(BookingHold.id))) == 1
    page = browser.get(held.headers["Location"]).get_data(as_text=True)
    assert "Wartemann" in page and "+49 40 333" in page
    confirmed = browser.post(held.headers["Location"], {"action": "confirm"})
    assert confirmed.status_code == 302
    session.expire_all()
    booked = session.scalar(select(Appointment).where(Appointment.referral_id == waiting.id))
    assert booked is not None and booked.table_start == candidate.table_start
    assert session.scalar(select(WaitlistEntry.active).where(WaitlistEntry.referral_id == waiting.id)) is False


def test_the_part_of_day_filter_counts_those_who_take_any_time(session, browser):
    """Found in the walk: "Mornings" left out the patients who take any time, and its empty state said the
    whole waitlist was empty."""
    clinic = build_clinic(session)
    morning = add_to_waitlist(session, make_ready_referral(session, clinic), part_of_day="morning")
    any_time = add_to_waitlist(session, make_ready_referral(session, clinic), part_of_day="any")
    session.commit()
    browser.login("frontdesk")
    names = {e.id: e.patient.display_name for e in (morning, any_time)}
    mornings = browser.get("/desk/waitlist?part_of_day=morning").get_data(as_text=True)
    assert names[morning.id] in mornings and names[any_time.id] in mornings
    afternoons = browser.get("/desk/waitlist?part_of_day=afternoon").get_data(as_text=True)
    assert names[any_time.id] in afternoons and names[morning.id] not in afternoons
    assert "Any time" in afternoons  # the wish by its label, not the filter's "Any"
    session.delete(any_time)
    session.commit()
    afternoons = browser.get("/desk/waitlist?part_of_day=afternoon").get_data(as_text=True)
    assert "Nobody on the waitlist would take this part of the day." in afternoons
    assert "Show everyone on the waitlist" in afternoons and "Nobody is on the waitlist." not in afternoons


def test_a_referral_the_booking_refuses_is_refused_on_the_waitlist_with_the_same_reasons(session, browser):
    """Walk 26: the waitlist took a referral readiness refuses (the escort not recorded), and booking its
    offer was then refused. Refused at once, with readiness's reasons, nothing written; an entry already
    waiting is left as it was."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    earlier = add_to_waitlist(session, referral, earliest=dt.date(2026, 11, 30), part_of_day="morning")
    referral.preregistration.escort_name = None
    session.commit()
    browser.login("frontdesk")
    data = {"wait-earliest_date": "2026-11-24", "wait-latest_date": "", "wait-part_of_day": "any"}
    answer = browser.post(f"/desk/referrals/{referral.id}/waitlist", data, form_page=f"/desk/referrals/{referral.id}")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "cannot be booked yet" in html and "no escort recorded" in html
    session.expire_all()
    assert session.scalar(select(func.count(WaitlistEntry.id))) == 1
    kept = session.get(WaitlistEntry, earlier.id)
    assert (kept.earliest_date, kept.part_of_day) == (dt.date(2026, 11, 30), "morning")

    other = make_ready_referral(session, clinic)
    other.preregistration.escort_name = None
    session.commit()
    answer = browser.post(f"/desk/referrals/{other.id}/waitlist", data, form_page=f"/desk/referrals/{other.id}")
    assert answer.status_code == 422 and "no escort recorded" in answer.get_data(as_text=True)
    assert session.scalar(select(func.count(WaitlistEntry.id)).where(WaitlistEntry.referral_id == other.id)) == 0
