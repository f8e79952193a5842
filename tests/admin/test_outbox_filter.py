"""The outbox's filter by the day a message was created: a day that cannot be read, or "To" before "From",
answers 400, lists no message (not every message under the error) and says what is wrong at the field,
keeping what was typed. The start field is labelled "From" ("Von"), as the message names it."""

from __future__ import annotations

import re

import pytest

from clinic.models.vocab import Role
from clinic.services import outbox
from tests.conftest import NOW, logged_in
from tests.factories import make_user

ROWS = re.compile(r'<tr id="message-(\d+)">')


@pytest.fixture
def admins(app, session, clinic):
    for recipient in ("anna@example.org", "bert@example.org"):
        outbox.queue(session, kind="reminder", recipient=recipient, subject="Erinnerung", body="…", now=NOW)
    make_user(session, "admin_de", {Role.ADMIN}, "Greta Verwaltung", language="de")
    session.commit()
    return logged_in(app, "admin_de", "admin")


def _field(html: str, name: str) -> str:
    """A filter field's block: its label, input and messages."""
    start = html.rindex('<div class="', 0, html.index(f'id="{name}"'))
    return html[start : html.index("</div>\n", html.index(f'id="{name}"'))]


def test_to_before_from_lists_nothing_and_says_so_at_the_field(admins):
    german, english = admins
    assert len(ROWS.findall(german.get("/admin/outbox").get_data(as_text=True))) == 2

    answer = german.get("/admin/outbox?since=2026-11-25&until=2026-11-20&recipient=example")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert ROWS.findall(html) == [] and "anna@example.org" not in html
    until = _field(html, "until")
    assert "„Bis“ darf nicht vor „Von“ liegen." in until and "is-invalid" in until and 'value="2026-11-20"' in until
    assert 'value="2026-11-25"' in _field(html, "since") and 'value="example"' in html
    assert "Bitte korrigieren Sie den Filter oben, um die Nachrichten zu sehen." in html
    assert "Keine Nachrichten passen" not in html

    html = english.get("/admin/outbox?since=2026-11-25&until=2026-11-20").get_data(as_text=True)
    assert "“To” cannot be before “From”." in _field(html, "until")
    assert "Correct the filter above to see the messages." in html
    # One day in both is that day, not an error.
    same_day = german.get("/admin/outbox?since=2026-11-23&until=2026-11-23")
    assert same_day.status_code == 200 and len(ROWS.findall(same_day.get_data(as_text=True))) == 2


@pytest.mark.parametrize("address", ["since=2026-02-31", "until=abc", "since=0001-01-01"])
def test_a_day_that_cannot_be_read_lists_nothing(admins, address):
    german, _english = admins
    answer = german.get(f"/admin/outbox?{address}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert ROWS.findall(html) == [] and "anna@example.org" not in html
    name, typed = address.split("=")
    field = _field(html, name)
    assert "is-invalid" in field and f'value="{typed}"' in field
    assert "Kein gültiges Datum." in field or "zwischen den Jahren 2000 und 2099" in field
    assert "Bitte korrigieren Sie den Filter oben, um die Nachrichten zu sehen." in html


def test_the_start_field_is_labelled_as_the_message_names_it(admins):
    german, english = admins
    html = german.get("/admin/outbox").get_data(as_text=True)
    assert '<label class="form-label small" for="since">Von</label>' in html
    assert '<label class="form-label small" for="until">Bis (einschließlich)</label>' in html
    html = english.get("/admin/outbox").get_data(as_text=True)
    assert '<label class="form-label small" for="since">From</label>' in html
