"""Walk finding: a search the patient search refuses ("32.13.2000", "31.02.1960": no real date) typed into
the waitlist's or the medication-call list's box was a server error, and since the search stays in the
session every later visit to the list was one too, until logout. Now the refusal is said at the box, what
was typed stays in it, and the list is shown unfiltered (as /patients/ does)."""

from __future__ import annotations

import pytest

from clinic.models.vocab import Role
from tests.factories import build_clinic, make_user
from tests.frontdesk.helpers import on_the_waitlist, referred, waiting_for_a_call


def _german_desk(session) -> None:
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    session.commit()


LISTS = [
    pytest.param("/desk/waitlist", on_the_waitlist, "32.13.2000", id="waitlist"),
    pytest.param("/desk/medication-calls", waiting_for_a_call, "31.02.1960", id="medication-calls"),
    pytest.param("/desk/referrals", referred, "32.13.2000", id="referrals"),  # the same fault, seen after
]


@pytest.mark.parametrize(("path", "put_on_list", "bad_date"), LISTS)
def test_a_search_with_no_real_date_is_refused_at_the_box_not_a_server_error(
    session, settings, browser, path, put_on_list, bad_date
):
    clinic = build_clinic(session, texts=True)
    put_on_list(session, settings, clinic, "Fertig")
    _german_desk(session)
    browser.login("desk_de")
    answer = browser.post(path, {"q": bad_date}, form_page=path)
    assert answer.status_code == 302
    for _visit in range(2):  # the search stays in the session: the later visit is no server error either
        shown = browser.get(path)
        assert shown.status_code == 200
        page = shown.get_data(as_text=True)
        assert f"{bad_date} ist kein gültiges Datum." in page
        assert 'class="invalid-feedback" id="q-error"' in page  # said at the box
        assert f'value="{bad_date}"' in page  # what was typed stays in the box
        assert "Fertig" in page  # a refused search filters nothing
    browser.post(path, {"q": "fert"}, form_page=path)
    page = browser.get(path).get_data(as_text=True)
    assert "kein gültiges Datum" not in page and "Fertig" in page
