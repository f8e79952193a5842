"""Walk finding: the waitlist form on a referral page showed today's date and empty fields for a patient
already on the waitlist, so "Update" after changing only the part of day wiped the latest date and the note
and reset the earliest date. The form is now filled in with the saved entry."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from clinic.models import WaitlistEntry
from clinic.models.appointments import WAITLIST_THROUGH_LINK_NOTE
from tests.factories import add_to_waitlist, build_clinic, german_desk, make_ready_referral


def _field(html: str, name: str) -> str:
    """The waitlist form's input or select ``name`` as the page shows it."""
    return re.search(rf'<(?:input|select)[^>]*id="wait-{name}".*?(?:>|</select>)', html, re.S).group(0)


def test_a_second_visit_shows_the_saved_entry_and_changing_one_field_keeps_the_rest(session, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    german_desk(session, browser)
    page_url = f"/desk/referrals/{referral.id}"
    saved = {
        "wait-earliest_date": "2026-12-08",
        "wait-latest_date": "2027-01-10",
        "wait-part_of_day": "any",
        "wait-note": "kann kurzfristig",
    }
    assert browser.post(f"{page_url}/waitlist", saved, form_page=page_url).status_code == 302

    html = browser.get(page_url).get_data(as_text=True)
    assert "2026-12-08" in _field(html, "earliest_date")
    assert "2027-01-10" in _field(html, "latest_date")
    assert 'value="kann kurzfristig"' in _field(html, "note")

    # The desk changes only the part of day, as a browser sends the filled-in form.
    form = {
        name: re.search(r'value="([^"]*)"', _field(html, name[5:])).group(1)
        for name in ("wait-earliest_date", "wait-latest_date", "wait-note")
    }
    assert (
        browser.post(f"{page_url}/waitlist", {**form, "wait-part_of_day": "morning"}, form_page=page_url).status_code
        == 302
    )
    session.expire_all()
    entry = session.scalar(select(WaitlistEntry).where(WaitlistEntry.referral_id == referral.id))
    assert (entry.earliest_date, entry.latest_date, entry.part_of_day, entry.note) == (
        dt.date(2026, 12, 8),
        dt.date(2027, 1, 10),
        "morning",
        "kann kurzfristig",
    )


def test_the_patient_links_note_is_shown_in_german_and_stays_marked_when_left_as_it_is(session, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    add_to_waitlist(session, referral, note=WAITLIST_THROUGH_LINK_NOTE)
    german_desk(session, browser)
    page_url = f"/desk/referrals/{referral.id}"
    html = browser.get(page_url).get_data(as_text=True)
    note = re.search(r'value="([^"]*)"', _field(html, "note")).group(1)
    assert note == "über den Patientenlink angefragt"
    form = {"wait-earliest_date": "2026-11-23", "wait-part_of_day": "afternoon", "wait-note": note}
    assert browser.post(f"{page_url}/waitlist", form, form_page=page_url).status_code == 302
    session.expire_all()
    entry = session.scalar(select(WaitlistEntry).where(WaitlistEntry.referral_id == referral.id))
    assert (entry.part_of_day, entry.note) == ("afternoon", WAITLIST_THROUGH_LINK_NOTE)
