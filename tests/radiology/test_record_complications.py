"""Walk finding: an empty "Komplikationen" field was signed and the signed record said "Komplikationen: keine".
Blank is not "no complications": signing asks for them at their field, and a signed record without them (signed
before the rule) says "not documented"."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from clinic.core import clock
from clinic.models import ProcedureRecord
from tests.conftest import NOW
from tests.radiology.day_helpers import day_appointment, record_form, to_procedure


def _under(html: str, name: str) -> str:
    start = html.index(f'id="record-{name}"')
    return html[html.rindex("<", 0, start) : html.index("</div>", start)]


def _page(session, settings, browser):
    clinic, appointment = day_appointment(session, settings, to=to_procedure)
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad1")
    data = record_form(session, complications="  ", **{"drugs-0-dose": "1"})
    return clinic, appointment, f"/radiology/appointments/{appointment.id}", data


def test_signing_without_the_complications_is_refused_at_their_field(session, settings, browser):
    _clinic, appointment, path, data = _page(session, settings, browser)
    response = browser.post(f"{path}/sign", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = _under(html, "complications")
    assert "is-invalid" in shown
    assert "Before signing, record whether there were complications (e.g. “none”)." in shown
    assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)  # what was typed stays
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    session.refresh(record)
    assert not record.is_signed and record.approach is None
    response = browser.post(f"{path}/sign", {**data, "record-complications": "keine"}, form_page=path)
    assert response.status_code == 302
    session.refresh(record)
    assert record.is_signed and record.complications == "keine"
    assert re.search(r"Complications</dt><dd[^>]*>keine</dd>", browser.get(path).get_data(as_text=True))


def test_a_signed_record_without_complications_says_not_documented(session, settings, browser):
    clinic, appointment, path, _data = _page(session, settings, browser)
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    record.ended_at = NOW + dt.timedelta(minutes=15)
    record.signed_by_id, record.signed_at = clinic.radiologists[0].id, NOW + dt.timedelta(minutes=20)
    session.commit()  # signed before the rule, the complications left blank
    html = browser.get(path).get_data(as_text=True)
    assert re.search(r"Complications</dt><dd[^>]*>not documented</dd>", html), html


def test_a_side_other_than_planned_is_signed_only_with_a_note(session, settings, browser):
    """Walk finding: planned "both sides", the record saved and signed "left" without a word. A side other
    than the planned one (a wrong-side risk, or the plan changed on the table) is signed only with a note that
    says why; the refusal stands at the side and the note, nothing is signed."""
    _clinic, appointment, path, data = _page(session, settings, browser)
    assert appointment.side == "left"
    data = {**data, "record-complications": "keine", "record-side": "right"}
    response = browser.post(f"{path}/sign", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    message = "Before signing, record in the note why the side differs from the planned side."
    assert message in _under(html, "side") and "is-invalid" in _under(html, "side")
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    session.refresh(record)
    assert not record.is_signed
    noted = {**data, "record-note": "Rechts nach erneuter Untersuchung auf dem Tisch, mit Patientin besprochen."}
    assert browser.post(f"{path}/sign", noted, form_page=path).status_code == 302
    session.refresh(record)
    assert record.is_signed and record.side == "right"


def test_each_gap_is_said_once_at_its_own_field(session, settings, browser):
    """Walk 25: signing a record without drugs and complications showed one sentence naming both under
    the drugs and again under the complications. Each gap is said once, at its field."""
    _clinic, _appointment, path, data = _page(session, settings, browser)
    data = {**data, "record-drugs-0-drug_option_id": "0", "record-drugs-0-dose": ""}
    response = browser.post(f"{path}/sign", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    drugs = "Before signing, record the drugs given."
    complications = "Before signing, record whether there were complications (e.g. “none”)."
    assert html.count(drugs) == 1 and html.count(complications) == 1
    assert "Before signing, record the drugs given and" not in html
    assert complications in _under(html, "complications")
    at = html.index('id="record-drugs-0-drug_option_id"')
    assert drugs in html[at : html.index('id="record-drugs-0-dose"')]
    assert "Please correct the marked fields." in html
