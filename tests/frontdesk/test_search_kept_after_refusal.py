"""Walk finding: the search's choices (a radiologist, a part of day) were lost when a booking was refused,
because the candidate forms posted without them. They now post to the search's address, and the page shown
after a refusal keeps the choices and finds its times with them."""

from __future__ import annotations

import html as markup
import re

from tests.factories import book, build_clinic, make_ready_referral
from tests.scheduling.helpers import first_candidates

FORM = re.compile(r'<form method="post" action="([^"]+)" class="d-inline">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def candidate_form(page: str, table_start: str) -> tuple[str, dict]:
    """The address and the hidden fields of the candidate form offering ``table_start``."""
    for action, body in FORM.findall(page):
        fields = {name: markup.unescape(value) for name, value in HIDDEN.findall(body)}
        if fields.get("table_start") == table_start:
            return markup.unescape(action), fields
    raise AssertionError(f"no form offers {table_start}")


def selected(page: str, name: str) -> list[str]:
    """The values selected in the search form's select ``name``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option selected value="([^"]*)"', select.group(1))


def test_a_refused_booking_keeps_the_search_choices(session, settings, browser):
    clinic = build_clinic(session)
    first, second = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    radiologist = clinic.radiologists[1]
    session.commit()
    browser.login("frontdesk")
    search = f"/desk/referrals/{first.id}/book?radiologist_id={radiologist.id}&part_of_day=afternoon"
    page = browser.get(search).get_data(as_text=True)
    c = first_candidates(session, settings, first, radiologist_id=radiologist.id, part_of_day="afternoon")[0]
    action, fields = candidate_form(page, c.table_start.isoformat())
    book(session, settings, second, c)  # another desk takes the time meanwhile
    session.commit()

    response = browser.post(action, {**fields, "action": "book"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "no longer free" in html
    assert selected(html, "radiologist_id") == [str(radiologist.id)]
    assert selected(html, "part_of_day") == ["afternoon"]
    # the times offered again are found with the choices, and their forms carry them on
    offered = [
        fields
        for _, fields in (candidate_form(html, s) for s in re.findall(r'name="table_start" value="([^"]+)"', html))
    ]
    assert offered and all(f["radiologist_id"] == str(radiologist.id) for f in offered)
    assert all(int(f["table_start"][11:13]) >= 11 for f in offered)  # afternoon (UTC, Berlin is UTC+1)
    again, _ = candidate_form(html, offered[0]["table_start"])
    assert f"radiologist_id={radiologist.id}" in again and "part_of_day=afternoon" in again


def test_a_refused_move_keeps_the_search_choices(session, settings, browser):
    clinic = build_clinic(session)
    moving, other = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    appointment = book(session, settings, moving)
    session.commit()
    browser.login("frontdesk")
    search = f"/desk/appointments/{appointment.id}/reschedule?part_of_day=afternoon"
    page = browser.get(search).get_data(as_text=True)
    c = first_candidates(session, settings, moving, part_of_day="afternoon", ignore_appointment_id=appointment.id)[0]
    action, fields = candidate_form(page, c.table_start.isoformat())
    book(session, settings, other, c)
    session.commit()

    response = browser.post(action, {**fields, "action": "book"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "no longer free" in html
    assert selected(html, "part_of_day") == ["afternoon"]
