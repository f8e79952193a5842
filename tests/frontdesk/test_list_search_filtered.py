"""Walk finding: the waitlist's and the medication-call list's search stayed switched on (it is kept in the
session) with no way to clear it and nothing saying the list was filtered: after searching "hel" and coming
back later the waitlist showed 2 of 5 while the navigation said 5, and a patient due a medication call could
be hidden unnoticed. Now the page says the list is filtered and by what, with how many of how many, and a
"Clear" button beside the box forgets the search."""

from __future__ import annotations

import pytest

from tests.factories import build_clinic, german_desk
from tests.frontdesk.helpers import on_the_waitlist, referred, waiting_for_a_call

NAMES = ("Helm", "Helbig", "Anders", "Berger", "Krause")


@pytest.mark.parametrize(
    ("path", "put_on_list"),
    [
        pytest.param("/desk/waitlist", on_the_waitlist, id="waitlist"),
        pytest.param("/desk/medication-calls", waiting_for_a_call, id="medication-calls"),
        pytest.param("/desk/referrals", referred, id="referrals"),  # the same fault, seen after
    ],
)
def test_a_kept_search_says_the_list_is_filtered_and_can_be_cleared(session, settings, browser, path, put_on_list):
    clinic = build_clinic(session, texts=True)
    for name in NAMES:
        put_on_list(session, settings, clinic, name)
    german_desk(session, browser)
    page = browser.get(path).get_data(as_text=True)
    assert all(name in page for name in NAMES)
    assert "Gefiltert" not in page and 'name="clear"' not in page  # nothing typed: no filter, no button

    browser.post(path, {"q": "hel"}, form_page=path)
    browser.get("/desk/")  # elsewhere, and back: the search is still on, and the page says so
    page = browser.get(path).get_data(as_text=True)
    assert "Gefiltert nach „hel“: 2 von 5." in page
    assert "Helm" in page and "Helbig" in page and "Anders" not in page
    assert 'type="submit" name="clear" value="1">Leeren</button>' in page

    browser.post(path, {"q": "niemand"}, form_page=path)
    assert "Gefiltert nach „niemand“: 0 von 5." in browser.get(path).get_data(as_text=True)

    # "Leeren" as a browser sends it: the box's text comes along with the button.
    cleared = browser.post(path, {"q": "niemand", "clear": "1"}, form_page=path)
    assert cleared.status_code == 302
    page = browser.get(path).get_data(as_text=True)
    assert all(name in page for name in NAMES)
    assert "Gefiltert" not in page and 'name="clear"' not in page and 'value="niemand"' not in page
