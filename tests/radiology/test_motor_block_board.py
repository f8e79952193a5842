"""Walk 27 on the German observation board (patient safety): a check with "Motorik vermindert", a second one a
minute later with the strength left empty ("—"), the checklist ticked with "Kann sicher gehen", "Patient möchte
nach Hause" and "Entlassen": the patient went home 2 minutes after the procedure, flagged only in the audit
trail. Now the board says the strength is reduced, the nurse's discharge is refused, a physician discharges with
a reason, and the day's flagged discharges stand on the board."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.models import ObservationRecord
from clinic.models.vocab import AppointmentStatus
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, to_observation

CHECKLIST = {"checklist": "1", "stable": "on", "can_walk": "on", "escort_present": "on", "instructions_given": "on"}


def _record(session, appointment) -> ObservationRecord:
    session.expire_all()
    return session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment.id))


def _walk(session, settings, browser):
    """The German nurse at the board, the two checks of the walk saved and the checklist ticked."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    make_user(session, "nurse_de", {"nurse"}, "Nora Pflege", language="de")
    make_user(session, "rad_de", {"radiologist"}, "Dr. Rita Rad", language="de")
    session.commit()
    browser.login("nurse_de")
    path = f"/observation/appointments/{appointment.id}"
    weak = {"systolic": "140", "diastolic": "85", "pulse": "72", "motor": "reduced", "sensory": "reduced"}
    assert browser.post(f"{path}/check", weak, form_page="/observation/").status_code == 302
    empty = {"systolic": "138", "diastolic": "84", "motor": "", "sensory": ""}
    assert browser.post(f"{path}/checklist", {**empty, **CHECKLIST}, form_page="/observation/").status_code == 302
    assert _record(session, appointment).discharge_ready
    return appointment, path


def test_the_walk_the_nurse_cannot_discharge_while_the_strength_is_reduced(session, settings, browser):
    appointment, path = _walk(session, settings, browser)
    html = browser.get("/observation/").get_data(as_text=True)
    alert = re.search(r"data-motor-reduced>(.*?)</div>", html, re.S)
    assert alert and "Kraft (Motorik) bei der Kontrolle um" in alert.group(1)
    assert "Keine Entlassung, bis eine neue Kontrolle sie normal findet" in alert.group(1)
    assert 'title="Die Kraft (Motorik) ist vermindert"' in html  # the discharge button, held back
    response = browser.post(f"{path}/discharge", {"reason": "Patient möchte nach Hause"}, form_page="/observation/")
    assert response.status_code == 422
    assert "Keine Entlassung: Die letzte Kontrolle der Kraft (Motorik) ergab sie vermindert." in (
        response.get_data(as_text=True)
    )
    record = _record(session, appointment)
    assert record.discharged_at is None
    assert session.get(type(appointment), appointment.id).status == AppointmentStatus.IN_OBSERVATION
    # a new check with normal strength: the nurse discharges (early: with a reason, flagged, on the board)
    normal = {"motor": "normal", "sensory": "reduced"}
    assert browser.post(f"{path}/check", normal, form_page="/observation/").status_code == 302
    assert "data-motor-reduced" not in browser.get("/observation/").get_data(as_text=True)
    done = browser.post(
        f"{path}/discharge", {"reason": "Patient möchte nach Hause"}, form_page="/observation/", follow_redirects=True
    )
    html = done.get_data(as_text=True)
    assert session.get(type(appointment), appointment.id).status == AppointmentStatus.DISCHARGED
    flagged = re.search(r"<ul[^>]*data-flagged-discharges>(.*?)</ul>", html, re.S)
    assert "Heute markierte Entlassungen" in html and flagged
    assert appointment.patient.display_name in flagged.group(1)
    assert "geplanten Minuten überwacht" in flagged.group(1) and "Grund: Patient möchte nach Hause" in flagged.group(1)


def test_a_physician_discharges_over_reduced_strength_with_a_reason_flagged(session, settings, browser):
    appointment, path = _walk(session, settings, browser)
    browser.post("/logout", {})
    browser.login("rad_de")
    html = browser.get("/observation/").get_data(as_text=True)
    assert "data-motor-reduced" in html and 'title="Die Kraft (Motorik) ist vermindert"' not in html
    seen = str(_record(session, appointment).checks[-1].id)
    no_reason = browser.post(f"{path}/discharge", {"reason": "", "seen_check_id": seen}, form_page="/observation/")
    assert no_reason.status_code == 422
    assert "Kraft (Motorik) bei der letzten Kontrolle vermindert" in no_reason.get_data(as_text=True)
    stale = str(_record(session, appointment).checks[0].id)  # a page that did not show the last check
    refused = browser.post(
        f"{path}/discharge", {"reason": "Liegend mit Begleitung", "seen_check_id": stale}, form_page="/observation/"
    )
    assert refused.status_code == 422
    assert "Seit dem Laden der Seite wurde eine Kontrolle erfasst" in refused.get_data(as_text=True)
    assert _record(session, appointment).discharged_at is None
    done = browser.post(
        f"{path}/discharge",
        {"reason": "Liegend mit Begleitung", "seen_check_id": seen},
        form_page="/observation/",
        follow_redirects=True,
    )
    record = _record(session, appointment)
    assert record.discharged_at is not None and record.discharge_flagged
    assert "strength (motor) reduced at the last check" in record.discharge_gaps
    flagged = re.search(r"<ul[^>]*data-flagged-discharges>(.*?)</ul>", done.get_data(as_text=True), re.S)
    assert flagged and "Kraft (Motorik) bei der letzten Kontrolle vermindert" in flagged.group(1)
