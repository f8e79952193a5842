"""The procedure day's screens through the test client: refused actions keep what was typed, errors name
their fields, the nurse's board shows what the nurse needs (issue 21)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from clinic.models import Appointment, ObservationRecord
from clinic.scheduling import booking
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import consents, daybook
from tests.conftest import NOW, ZONE
from tests.factories import build_clinic, make_ready_referral, make_referral
from tests.scheduling.helpers import first_candidates


def book(session, settings, clinic=None, **kw):
    clinic = clinic or build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic, **kw)
    appointment = booking.book(
        session,
        settings,
        None,
        referral=referral,
        plan=ProcedurePlan.from_referral(referral),
        candidate=first_candidates(session, settings, referral)[0],
    )
    return clinic, appointment


def to_procedure(session, clinic, appointment):
    radiologist = clinic.radiologists[0]
    daybook.check_in(session, None, appointment, at=NOW, zone=ZONE)
    consents.print_consent(session, radiologist, appointment, ZONE)
    daybook.record_consent(
        session,
        radiologist,
        appointment,
        taken_by_id=radiologist.id,
        explained_by_id=radiologist.id,
        explained_at=NOW - dt.timedelta(days=3),
        signed_at=NOW,
    )
    return daybook.start_procedure(session, radiologist, appointment, at=NOW)


def to_observation(session, clinic, appointment, at=None):
    to_procedure(session, clinic, appointment)
    return daybook.end_procedure(session, None, appointment, at=at or NOW + dt.timedelta(minutes=20))


def test_a_refused_start_keeps_the_consent_form_filled_in(session, settings, browser):
    clinic, appointment = book(session, settings)
    daybook.check_in(session, None, appointment, at=NOW, zone=ZONE)
    consents.print_consent(session, clinic.radiologists[0], appointment, ZONE)
    session.commit()
    browser.login("rad1")
    path = f"/radiology/appointments/{appointment.id}"
    response = browser.post(f"{path}/start", form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "no signed consent" in html
    assert re.search(r'id="consent-signed_at"[^>]*value="2026-11-23T07:00"', html), "Signed at lost its default"
    assert re.search(r'id="consent-explained_at"[^>]*value="2026-11-23T07:00"', html)


def test_a_failed_accept_shows_one_banner_and_a_refused_decline_keeps_the_plan(session, browser):
    clinic = build_clinic(session)
    referral = make_referral(session, region="lumbar", side="left")
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    response = browser.post(f"{path}/accept", {"accept-procedure_type_id": "0"}, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count('class="alert alert-danger') == 1, "two banners for one refusal"
    response = browser.post(f"{path}/decline", {"decline-reason": ""}, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    # the accept form still shows the referral's region and side, not empty selects
    assert re.search(r'<option selected value="lumbar">|<option value="lumbar" selected>', html)
    assert clinic  # the clinic's catalogue is what the accept form offers


def test_check_errors_name_their_fields_and_check_notes_are_shown(session, settings, browser):
    clinic, appointment = book(session, settings)
    to_observation(session, clinic, appointment)
    session.commit()
    browser.login("nurse")
    path = f"/observation/appointments/{appointment.id}/check"
    response = browser.post(
        path, {"systolic": "900", "pulse": "5", "motor": "", "sensory": ""}, form_page="/observation/"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    banner = html.split("Check not saved")[1].split("</div>")[0]
    assert "BP systolic" in banner
    assert "Pulse" in banner
    # what the nurse typed is still in the card
    assert re.search(rf'id="systolic-{appointment.id}"[^>]*value="900"', html)
    response = browser.post(
        path, {"systolic": "128", "motor": "", "sensory": "", "note": "Leg feels warm"}, form_page="/observation/"
    )
    assert response.status_code == 302
    board = browser.get("/observation/").get_data(as_text=True)
    assert "Leg feels warm" in board
    record = session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment.id))
    session.refresh(record)
    assert [c.note for c in record.checks] == ["Leg feels warm"]
    assert session.get(Appointment, appointment.id).status == "in_observation"
