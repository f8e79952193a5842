"""Staff walk 27 (the procedure record form): its errors came one round at a time: first the field errors,
on the next submit "Das Ende liegt vor dem Beginn.", on the third the dose ceiling "höchstens 80 mg". One
submit shows them all, each at its field; nothing is saved or signed. And a dose of 0 says what to do
("Bitte eine Menge über null eingeben.", not "Über null.")."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

import pytest
from sqlalchemy import select

from clinic.core import clock
from clinic.models import DrugOption, ProcedureRecord
from tests.conftest import NOW, logged_in
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, to_procedure

CEILING = "Triamcinolone: at most 80 mg in one procedure; check the dose."
BEFORE = "The end lies before the start."
ZERO = "Enter an amount above zero."


def _field(html: str, name: str) -> str:
    """The record form's field ``name`` as shown: from its input or select to the next field."""
    start = html.index(f'id="record-{name}"')
    return html[max(html.rfind("<input", 0, start), html.rfind("<select", 0, start)) : html.index("</div>", start)]


def _drug(session, name: str) -> int:
    return session.scalar(select(DrugOption.id).where(DrugOption.name == name))


def _posted(session, **changes) -> dict[str, str]:
    data = {
        "record-started_at": "2026-11-23T07:20",
        "record-ended_at": "2026-11-23T07:10",  # before the start
        "record-approach": "transforaminal",
        "record-side": "left",
        "record-guidance": "CT",
        "record-pain_before": "11",  # the form's own error: 0 to 10
        "record-pain_after": "2",
        "record-complications": "keine",
        "record-drugs-0-drug_option_id": str(_drug(session, "Triamcinolone")),
        "record-drugs-0-dose": "4000",  # above the ceiling
        "record-drugs-1-drug_option_id": str(_drug(session, "Bupivacaine")),
        "record-drugs-1-dose": "0",  # the form's own error: above zero
    }
    return {**data, **changes}


@pytest.mark.parametrize("action", ["record", "sign", "end"])
def test_one_submit_shows_the_field_errors_the_times_and_the_dose_ceiling_at_once(session, settings, browser, action):
    _clinic, appointment = day_appointment(session, settings, to=to_procedure)
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad1")
    path = f"/radiology/appointments/{appointment.id}"
    response = browser.post(f"{path}/{action}", _posted(session), form_page=path)
    html = markup.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "is-invalid" in _field(html, "pain_before")
    assert BEFORE in _field(html, "ended_at"), _field(html, "ended_at")
    assert CEILING in _field(html, "drugs-0-dose"), _field(html, "drugs-0-dose")
    assert ZERO in _field(html, "drugs-1-dose")
    assert html.count('class="alert alert-danger') == 1  # the form's one banner
    assert re.search(r'id="record-drugs-0-dose"[^>]*value="4000"', html)
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    session.refresh(record)
    assert record.ended_at is None and record.drugs == [] and record.approach is None and not record.is_signed

    # Corrected all at once, it is saved.
    fixed = _posted(
        session,
        **{
            "record-ended_at": "2026-11-23T07:25",
            "record-pain_before": "7",
            "record-drugs-0-dose": "40",
            "record-drugs-1-dose": "0.5",
        },
    )
    assert browser.post(f"{path}/record", fixed, form_page=path).status_code == 302


def test_the_service_refusals_alone_are_shown_together_with_the_services_status(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_procedure)
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad1")
    path = f"/radiology/appointments/{appointment.id}"
    posted = _posted(session, **{"record-pain_before": "7", "record-drugs-1-dose": "0.5"})
    response = browser.post(f"{path}/record", posted, form_page=path)
    html = markup.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert BEFORE in _field(html, "ended_at") and CEILING in _field(html, "drugs-0-dose")


def test_a_dose_of_zero_says_in_german_what_to_enter(app, session, settings):
    _clinic, appointment = day_appointment(session, settings, to=to_procedure)
    make_user(session, "anna", {"radiologist"}, "Anna Arzt", language="de")
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    (german,) = logged_in(app, "anna")
    path = f"/radiology/appointments/{appointment.id}"
    posted = _posted(session, **{"record-ended_at": "2026-11-23T07:25", "record-drugs-0-dose": "40"})
    html = markup.unescape(german.post(f"{path}/record", posted, form_page=path).get_data(as_text=True))
    assert "Bitte eine Menge über null eingeben." in _field(html, "drugs-1-dose")
    assert "Über null." not in html
