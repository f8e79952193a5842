"""Walk findings on the front desk's lists: the referral list put a new referral on its last page (oldest
first); the waitlist and the medication-call list had no name search. The search travels in the POST body
and the session, never in the address."""

from __future__ import annotations

import datetime as dt

from tests.factories import (
    add_to_waitlist,
    book,
    build_clinic,
    make_patient,
    make_ready_referral,
    make_referral,
)


def test_a_new_referral_is_on_the_first_page_urgent_ones_before_it(session, browser):
    build_clinic(session)
    for n in range(31):  # more than a page (30) of older referrals
        make_referral(session, make_patient(session, family_name=f"Alt{n:02d}"), received_on=dt.date(2026, 10, 1))
    make_referral(session, make_patient(session, family_name="Neuling"), received_on=dt.date(2026, 11, 20))
    make_referral(
        session, make_patient(session, family_name="Eilig"), received_on=dt.date(2026, 9, 1), priority="urgent"
    )
    session.commit()
    browser.login("frontdesk")
    page = browser.get("/desk/referrals").get_data(as_text=True)
    assert "Neuling" in page and "Eilig" in page
    assert page.index("Eilig") < page.index("Neuling") < page.index("Alt")


def test_the_waitlist_finds_a_patient_by_name(session, browser):
    clinic = build_clinic(session)
    for name in ("Fertig", "Anders"):
        add_to_waitlist(session, make_ready_referral(session, clinic, make_patient(session, family_name=name)))
    session.commit()
    browser.login("frontdesk")
    answer = browser.post("/desk/waitlist?part_of_day=", {"q": "fert"}, form_page="/desk/waitlist")
    assert answer.status_code == 302 and "fert" not in answer.headers["Location"]  # not in the address
    page = browser.get("/desk/waitlist").get_data(as_text=True)
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "Fertig" in table and "Anders" not in table
    assert 'value="fert"' in page  # the box shows what was searched
    browser.post("/desk/waitlist", {"q": "Niemand"}, form_page="/desk/waitlist")
    assert "Nobody on the waitlist matches the search." in browser.get("/desk/waitlist").get_data(as_text=True)
    browser.post("/desk/waitlist", {"q": ""}, form_page="/desk/waitlist")
    page = browser.get("/desk/waitlist").get_data(as_text=True)
    assert "Fertig" in page and "Anders" in page


def test_the_medication_call_list_finds_a_patient_by_name(session, settings, browser):
    clinic = build_clinic(session, texts=True)
    for name in ("Fertig", "Anders"):
        referral = make_ready_referral(
            session, clinic, make_patient(session, family_name=name), medications=[("apixaban", "", None)]
        )
        book(session, settings, referral, limit=1)
    session.commit()
    browser.login("frontdesk")
    calls = browser.get("/desk/medication-calls").get_data(as_text=True)
    assert "Fertig" in calls and "Anders" in calls
    answer = browser.post("/desk/medication-calls", {"q": "Anders"}, form_page="/desk/medication-calls")
    assert answer.status_code == 302 and "Anders" not in answer.headers["Location"]
    table = browser.get("/desk/medication-calls").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    assert "Anders" in table and "Fertig" not in table
