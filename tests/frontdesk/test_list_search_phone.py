"""Staff walk: the waitlist's search did not find a patient by telephone number (a patient calls: "am I on
the list?"). The desk's list searches now find the patient's number however it was typed and stored:
"+49 40 1234 5670", "040/1234-5670" and "12345670" are one number; the end of a number finds it too."""

from __future__ import annotations

import pytest

from clinic.services.patients import parse_query
from tests.factories import add_to_waitlist, build_clinic, make_patient, make_ready_referral, make_referral

PHONES = {"Helm": "040 1234 5670", "Anders": "+49 40 1234 5671", "Berger": "+49 89 777 0101"}


def _waiting(session, clinic, patient) -> None:
    add_to_waitlist(session, make_ready_referral(session, clinic, patient))


def _referred(session, clinic, patient) -> None:
    make_referral(session, patient)


@pytest.mark.parametrize(
    ("path", "put_on_list"),
    [
        pytest.param("/desk/waitlist", _waiting, id="waitlist"),
        pytest.param("/desk/referrals", _referred, id="referrals"),
    ],
)
@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("+49 40 1234 5670", {"Helm"}),  # stored with its trunk zero, typed with the country code
        ("040/1234-5670", {"Helm"}),
        ("0049 40 12345671", {"Anders"}),  # stored with +49, typed with its zero
        ("1234 567", {"Helm", "Anders"}),
        ("5671", {"Anders"}),
        ("0171 999", set()),
    ],
)
def test_the_desk_lists_find_a_patient_by_telephone_number(session, browser, path, put_on_list, typed, found):
    clinic = build_clinic(session)
    for name, phone in PHONES.items():
        put_on_list(session, clinic, make_patient(session, family_name=name, phone=phone))
    session.commit()
    browser.login("frontdesk")
    browser.post(path, {"q": typed}, form_page=path)
    page = browser.get(path).get_data(as_text=True)
    assert {name for name in PHONES if name in page} == found
    assert f"{len(found)} of 3" in page


def test_a_date_of_birth_or_a_short_number_is_no_telephone_number():
    assert parse_query("21.11.1960").phone is None
    assert parse_query("1960-11-21").phone is None
    assert parse_query("333").phone is None
    assert parse_query("Helm").phone is None
    assert parse_query("(040) 1234-5670").phone == "4012345670"
