"""Appointments a closure saved "anyway" leaves outside the clinic's hours are shown where the front desk
works (walk finding): its start page lists them, the appointment page and the day calendar warn, and the
full list opens for it, with a link to each appointment."""

from __future__ import annotations

import datetime as dt
import html

from clinic.services import stranding
from tests.admin.helpers import live_settings, next_monday, strand_in_ct1
from tests.browser_fixtures import speak
from tests.factories import build_clinic

WARNING = "This appointment no longer fits the clinic's hours."


def test_the_start_page_lists_the_stranded_appointments_with_links(session, browser):
    clinic = build_clinic(session)
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    browser.login("frontdesk")
    page = browser.get("/desk/").get_data(as_text=True)
    assert 'id="to-reschedule"' in page and "Appointments to reschedule" in page
    assert f'href="/desk/appointments/{stranded.id}"' in page and stranded.reference in page
    assert "CT 1 is not open then: outside its sessions, or closed" in page
    assert spared.reference not in page


def test_the_appointment_page_warns_and_a_fitting_one_does_not(session, browser):
    clinic = build_clinic(session)
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    browser.login("frontdesk")
    page = browser.get(f"/desk/appointments/{stranded.id}").get_data(as_text=True)
    assert WARNING in page and "CT 1 is not open then" in page and "Move it to a time that fits" in page
    assert WARNING not in browser.get(f"/desk/appointments/{spared.id}").get_data(as_text=True)


def test_the_day_calendar_marks_the_cell_and_lists_it(session, browser):
    clinic = build_clinic(session)
    monday = next_monday()
    stranded, _spared = strand_in_ct1(session, clinic, monday)
    browser.login("frontdesk")
    page = browser.get(f"/desk/calendar?day={monday.isoformat()}").get_data(as_text=True)
    assert page.count("cal-stranded") == 1 and "to reschedule" in page
    assert 'id="to-reschedule"' in page and stranded.patient.display_name in page
    other_day = browser.get(f"/desk/calendar?day={(monday + dt.timedelta(days=1)).isoformat()}")
    assert "cal-stranded" not in other_day.get_data(as_text=True)


def test_the_full_list_opens_for_the_front_desk_with_links(session, browser):
    clinic = build_clinic(session)
    stranded, _spared = strand_in_ct1(session, clinic, next_monday())
    browser.login("frontdesk")
    response = browser.get("/admin/stranded")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/desk/appointments/{stranded.id}"' in page
    assert 'href="/admin/"' not in page  # its way back is the start page, not the admin's index


def test_a_cancelled_appointment_leaves_the_list(session, browser):
    clinic = build_clinic(session)
    stranded, _spared = strand_in_ct1(session, clinic, next_monday())
    browser.login("frontdesk")
    path = f"/desk/appointments/{stranded.id}"
    assert browser.post(f"{path}/cancel", {"reason": "Patient moved away"}, form_page=path).status_code == 302
    assert 'id="to-reschedule"' not in browser.get("/desk/").get_data(as_text=True)
    assert stranding.still_stranded(session, live_settings()) == []


def _link(page: str, appointment_id: int) -> str:
    """The week calendar's entry of one appointment (its link)."""
    start = page.index(f'href="/desk/appointments/{appointment_id}"')
    return page[start : page.index("</a>", start)]


def test_the_week_calendar_marks_the_stranded_appointment(session, browser):
    """Staff walk: the week calendar lacked the marker the day calendar has."""
    clinic = build_clinic(session)
    monday = next_monday()
    stranded, spared = strand_in_ct1(session, clinic, monday)
    browser.login("frontdesk")
    page = browser.get(f"/desk/calendar?view=week&day={monday.isoformat()}").get_data(as_text=True)
    assert "to reschedule" in _link(page, stranded.id)
    assert "to reschedule" not in _link(page, spared.id)


def test_the_radiologists_appointment_page_warns_as_the_front_desks_does(session, browser):
    """Staff walk: the radiologist's appointment page lacked the warning the front desk's page shows."""
    clinic = build_clinic(session)
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    browser.login("rad1")
    page = browser.get(f"/radiology/appointments/{stranded.id}").get_data(as_text=True)
    assert WARNING in page and "CT 1 is not open then" in page and "The front desk moves or cancels it." in page
    assert WARNING not in browser.get(f"/radiology/appointments/{spared.id}").get_data(as_text=True)


def test_the_worklist_marks_the_stranded_appointment_and_not_the_other(session, browser):
    """Walk finding F-14: the radiologist's worklist said nothing of a room closed since the booking."""
    monday = next_monday()
    stranded, spared = strand_in_ct1(session, build_clinic(session), monday)
    browser.login("rad1")
    for path in (f"/radiology/worklist?day={monday}", f"/radiology/worklist/rows?day={monday}"):
        page = browser.get(path).get_data(as_text=True)
        rows = page.split("<tr")
        marked = [r for r in rows if f"/radiology/appointments/{stranded.id}" in r]
        other = [r for r in rows if f"/radiology/appointments/{spared.id}" in r]
        assert len(marked) == 1 and "to reschedule" in marked[0] and "CT 1 is not open then" in marked[0]
        assert len(other) == 1 and "to reschedule" not in other[0]


def test_no_letter_confirms_a_time_that_no_longer_fits(session, browser):
    """Walk finding: with CT 1 closed on the day, the appointment page said the appointment no longer fits,
    and the letter and the print pack still confirmed its time in CT 1. Both are refused with the reason
    until it is moved; a fitting appointment's letter prints."""
    clinic = build_clinic(session)
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    browser.login("frontdesk")
    path = f"/desk/appointments/{stranded.id}"
    letter = browser.get(f"{path}/letter.pdf")
    page = letter.get_data(as_text=True)
    assert letter.status_code == 422 and letter.mimetype == "text/html"
    assert "This appointment no longer fits the clinic&#39;s setup (CT 1 is not open then" in page
    assert "Nothing was printed." in page
    pack = browser.post(f"{path}/print-pack.pdf", {}, form_page=path)
    assert pack.status_code == 422 and "Nothing was printed." in pack.get_data(as_text=True)
    fitting = browser.get(f"/desk/appointments/{spared.id}/letter.pdf")
    assert fitting.status_code == 200 and fitting.mimetype == "application/pdf"


def test_the_refusal_gives_its_reason_without_brackets_inside_brackets(session, browser):
    """Walk finding (4 December): the refusal read "(CT 2 ist dann nicht geöffnet (außerhalb …))", brackets
    inside brackets. The reason now says why after a colon, in English and on German screens."""
    clinic = build_clinic(session)
    stranded, _ = strand_in_ct1(session, clinic, next_monday())
    browser.login("frontdesk")
    page = html.unescape(browser.get(f"/desk/appointments/{stranded.id}/letter.pdf").get_data(as_text=True))
    assert "setup (CT 1 is not open then: outside its sessions, or closed): move it first" in page
    speak(session, "de")
    page = html.unescape(browser.get(f"/desk/appointments/{stranded.id}/letter.pdf").get_data(as_text=True))
    assert "(CT 1 ist dann nicht geöffnet: außerhalb seiner Raumzeiten oder geschlossen): Bitte verschieben" in page
    assert "((" not in page and "))" not in page
