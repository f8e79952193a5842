"""The clinic's booking notice: no time is offered, held or booked that the patient could not hear of and
reach. The walk found the booking screen offering (and booking) a table time 3 minutes away, whose arrival
time on the letter had already passed. The suite's clock: Monday 23 November 2026, 07:00 in Berlin; the
rooms open at 08:00; the defaults give an hour's notice, then the arrival half an hour before."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from clinic.core.errors import InvalidInput
from clinic.core.timefmt import to_local
from clinic.models import Appointment, Booking, BookingHold
from clinic.scheduling.booking import HeldAlready
from clinic.scheduling.context import Settings
from clinic.services import settings as clinic_settings
from tests.conftest import NOW, ZONE
from tests.factories import book, build_clinic, hold, make_ready_referral, make_user
from tests.scheduling.helpers import chain_form, first_candidates


@pytest.fixture
def clinic(session):
    return build_clinic(session)  # CT rooms and radiologists Monday to Friday from 08:00


def _local(instant: dt.datetime) -> str:
    return to_local(instant, ZONE).strftime("%d.%m. %H:%M")


def _offered(browser, page: str) -> list[str]:
    """The table starts the booking screen offers, earliest first, as local day and time."""
    starts = re.findall(r'name="table_start"[^>]*value="([^"]+)"', browser.get(page).get_data(as_text=True))
    return [_local(dt.datetime.fromisoformat(start)) for start in sorted(set(starts))]


def _nothing_written(session) -> bool:
    counts = [session.scalar(select(func.count(model.id))) for model in (Appointment, Booking, BookingHold)]
    return counts == [0, 0, 0]


def test_the_default_notice_is_an_hour_and_the_arrival(session):
    assert clinic_settings.booking_notice(session) == dt.timedelta(minutes=90)
    clinic_settings.put(session, "booking_notice_minutes", "120")
    clinic_settings.put(session, "arrival_minutes_before", "45")
    assert clinic_settings.booking_notice(session) == dt.timedelta(minutes=165)


def test_the_finder_offers_nothing_sooner_than_the_notice(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    without = Settings(zone=ZONE, clock=lambda: NOW)
    assert _local(first_candidates(session, without, referral)[0].table_start) == "23.11. 08:00"
    offered = first_candidates(session, settings, referral, limit=10)
    assert _local(offered[0].table_start) == "23.11. 08:30"  # 07:00 + an hour + half an hour
    assert all(c.table_start >= NOW + dt.timedelta(minutes=90) for c in offered)


def test_booking_or_holding_a_time_too_soon_is_refused_and_writes_nothing(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    too_soon = first_candidates(session, Settings(zone=ZONE, clock=lambda: NOW), referral)[0]  # 08:00
    session.commit()
    with pytest.raises(InvalidInput, match=r"too soon: .*the earliest is 23\.11\.2026 08:30"):
        book(session, settings, referral, too_soon)
    session.rollback()
    with pytest.raises(InvalidInput, match="too soon"):
        hold(session, settings, referral, too_soon)
    session.rollback()
    assert _nothing_written(session)
    # the first time at the notice is bookable
    first = first_candidates(session, settings, referral)[0]
    assert book(session, settings, referral, first).table_start == first.table_start


def test_the_booking_screen_reads_the_clinics_notice(session, browser, clinic):
    referral = make_ready_referral(session, clinic)
    make_user(session, "desk_de", {"front_desk"}, language="de")
    session.commit()
    browser.login("desk_de")
    page = f"/desk/referrals/{referral.id}/book"
    assert _offered(browser, page)[0] == "23.11. 08:30"

    # a time inside the notice, sent from a page left open (or made up): refused in German, nothing saved
    too_soon = first_candidates(session, Settings(zone=ZONE, clock=lambda: NOW), referral)[0]
    answer = browser.post(page, chain_form(too_soon), form_page=page)
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "das ist zu früh: der Patient könnte nicht rechtzeitig benachrichtigt werden" in text
    assert "frühestens 23.11.2026 08:30" in text
    assert _nothing_written(session)

    # the admin gives no notice beyond the arrival: the screen offers the rooms' opening, 08:00
    clinic_settings.put(session, "booking_notice_minutes", "0")
    clinic_settings.put(session, "arrival_minutes_before", "0")
    session.commit()
    assert _offered(browser, page)[0] == "23.11. 08:00"
    booked = browser.post(page, chain_form(too_soon), form_page=page)
    assert booked.status_code == 302
    assert _local(session.scalars(select(Appointment)).one().table_start) == "23.11. 08:00"


def test_the_admin_sets_the_notice(session, browser, clinic):
    make_user(session, "boss", {"admin"})
    session.commit()
    browser.login("boss")
    form = browser.get("/admin/settings").get_data(as_text=True)
    assert "Shortest notice for a booking (minutes before the arrival time)" in form
    fields = {key: clinic_settings.get(session, key) for key in clinic_settings.DEFAULTS if key != "demo_data"}
    answer = browser.post("/admin/settings", {**fields, "booking_notice_minutes": "3000"})
    assert answer.status_code == 422 and "Between 0 and 2880 minutes (two days)." in answer.get_data(as_text=True)
    assert clinic_settings.get(session, "booking_notice_minutes") == "60"
    answer = browser.post("/admin/settings", {**fields, "booking_notice_minutes": "240"})
    assert answer.status_code == 302
    session.expire_all()
    assert clinic_settings.booking_notice(session) == dt.timedelta(minutes=270)


def test_a_time_held_for_the_same_patient_is_named_as_such_not_as_another_appointment(
    session, settings, browser, clinic
):
    """Found in the walk: a hold in one window, then the same time booked for the same referral in another,
    was refused with "the patient has another appointment then", and the screen said it twice."""
    referral = make_ready_referral(session, clinic)
    make_user(session, "desk", {"front_desk"})
    c = first_candidates(session, settings, referral)[0]
    held = hold(session, settings, referral, c)
    session.commit()
    with pytest.raises(HeldAlready, match="already held for this patient"):
        book(session, settings, referral, c)
    session.rollback()
    browser.login("desk")
    page = f"/desk/referrals/{referral.id}/book"
    answer = browser.post(page, chain_form(c), form_page=page)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert text.count("This time is already held for this patient") == 1
    assert f"lapses at {to_local(held.expires_at, ZONE):%H:%M}" in text and "another appointment" not in text
    assert session.scalar(select(func.count(Appointment.id))) == 0


def test_a_record_of_the_past_keeps_no_notice_and_does_not_read_it(session, clinic):
    """Entering what already happened (``allow_past``) is not held to the notice, and the notice (read
    from the database by the app) is not asked for at all."""

    def unreadable() -> dt.timedelta:
        raise AssertionError("the notice was read for a record of the past")

    referral = make_ready_referral(session, clinic)
    week_ago = Settings(zone=ZONE, clock=lambda: NOW - dt.timedelta(days=7))
    chain = first_candidates(session, week_ago, referral, first_day=NOW.date() - dt.timedelta(days=7))[0]
    appointment = book(
        session, Settings(zone=ZONE, clock=lambda: NOW, notice=unreadable), referral, chain, allow_past=True
    )
    assert appointment.table_start == chain.table_start < NOW


def test_the_too_soon_refusal_names_a_time_on_the_grid(session, clinic):
    """Walk finding: the refusal said "the earliest is 04.12.2026 23:03", a time the finder never offers;
    it names the first time on the finder's grid at or after the notice."""
    referral = make_ready_referral(session, clinic)
    too_soon = first_candidates(session, Settings(zone=ZONE, clock=lambda: NOW), referral)[0]  # 08:00
    session.commit()
    off_grid = Settings(
        zone=ZONE, clock=lambda: NOW + dt.timedelta(minutes=3, seconds=17), notice=dt.timedelta(minutes=90)
    )
    with pytest.raises(InvalidInput, match=r"the earliest is 23\.11\.2026 08:35\)"):
        book(session, off_grid, referral, too_soon)
    session.rollback()
    assert _nothing_written(session)
