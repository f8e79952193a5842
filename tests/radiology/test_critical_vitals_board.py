"""Walk finding on the German observation board (patient safety): "RR 250/140, Puls 30" and "60/30, Puls 190"
were saved with "Kontrolle für … gespeichert." and shown as ordinary rows; "Kreislauf stabil" was ticked and
the patient discharged with "Patientin möchte gehen" 3 minutes after the procedure.

Through the board as a German nurse uses it: an impossible value is refused at its field (what was typed
kept, nothing saved); a critical reading is saved, said as critical with its reason, and marked in the list
of checks; "Kreislauf stabil" and the discharge are refused while it is the last reading."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.models import ObservationCheck, ObservationRecord
from clinic.models.vocab import AppointmentStatus
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, to_observation

VITALS = {"motor": "", "sensory": ""}
CHECKLIST = {"checklist": "1", "stable": "on", "can_walk": "on", "escort_present": "on", "instructions_given": "on"}


def _german_nurse_at_the_board(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    make_user(session, "nurse_de", {"nurse"}, "Nora Pflege", language="de")
    session.commit()
    browser.login("nurse_de")
    return appointment, f"/observation/appointments/{appointment.id}"


def _record(session, appointment) -> ObservationRecord:
    session.expire_all()
    return session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment.id))


def test_an_impossible_value_is_refused_in_german_at_its_field_keeping_what_was_typed(session, settings, browser):
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    data = {**VITALS, "systolic": "310", "diastolic": "80", "pulse": "72"}
    response = browser.post(f"{path}/check", data, form_page="/observation/")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    field = re.search(rf'<input[^>]*id="systolic-{appointment.id}"[^>]*>\s*<div class="invalid-feedback">([^<]*)', html)
    assert field and 'value="310"' in field.group(0)
    assert field.group(1) == "Nicht möglich: Geben Sie einen Wert von 40 bis 300 ein."
    assert re.search(rf'id="diastolic-{appointment.id}"[^>]*value="80"', html)
    assert re.search(rf'id="pulse-{appointment.id}"[^>]*value="72"', html)
    assert session.scalar(select(ObservationCheck.id)) is None


def test_a_critical_reading_is_saved_said_critical_and_marked_on_the_board(session, settings, browser):
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    name = appointment.patient.display_name
    data = {**VITALS, "systolic": "60", "diastolic": "30", "pulse": "190"}
    response = browser.post(f"{path}/check", data, form_page="/observation/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Kontrolle für {name} gespeichert. KRITISCH: 60/30 mmHg, 190/min (systolisch unter 90, Puls über 120)." in (
        html
    )
    assert f"Kontrolle für {name} gespeichert.</" not in html  # not the plain "saved" of a normal check
    row = re.search(r'<tr class="table-danger" data-critical-reason><td colspan="6">(.*?)</td></tr>', html, re.S)
    assert row and "kritisch" in row.group(1) and "systolisch unter 90, Puls über 120" in row.group(1)
    assert "data-critical>" in html or "data-critical " in html
    alert = "Letzte Kontrolle: 60/30 mmHg, 190/min (systolisch unter 90, Puls über 120). Informieren Sie eine Ärztin"
    assert alert in html and 'title="Die letzte Kontrolle ist kritisch"' in html  # the discharge button
    assert [(c.systolic, c.diastolic, c.pulse) for c in _record(session, appointment).checks] == [(60, 30, 190)]
    # a normal reading is not marked
    data = {**VITALS, "systolic": "122", "diastolic": "78", "pulse": "70"}
    html = browser.post(f"{path}/check", data, form_page="/observation/", follow_redirects=True).get_data(as_text=True)
    assert f"Kontrolle für {name} gespeichert." in html and "KRITISCH" not in html
    assert html.count("data-critical-reason") == 1 and "data-critical-vitals" not in html


def test_the_walk_circulation_stable_and_the_discharge_are_refused_after_60_30_and_pulse_190(
    session, settings, browser
):
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    for systolic, diastolic, pulse in (("250", "140", "30"), ("60", "30", "190")):
        data = {**VITALS, "systolic": systolic, "diastolic": diastolic, "pulse": pulse}
        assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
    # ticking the checklist alone: "Kreislauf stabil" refused, nothing of it saved
    response = browser.post(f"{path}/checklist", {**VITALS, **CHECKLIST}, form_page="/observation/")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "„Kreislauf stabil“ kann nicht abgehakt werden: Die letzte Kontrolle ist kritisch "
        "(60/30 mmHg, 190/min: systolisch unter 90, Puls über 120)." in html
    )
    record = _record(session, appointment)
    assert not record.stable and not record.can_walk
    # the discharge with a reason ("Patientin möchte gehen"), as on the walk: refused, naming the values
    response = browser.post(f"{path}/discharge", {"reason": "Patientin möchte gehen"}, form_page="/observation/")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Keine Entlassung: Die letzte Kontrolle ist kritisch (60/30 mmHg, 190/min" in html
    record = _record(session, appointment)
    assert record.discharged_at is None and record.appointment_id == appointment.id
    assert session.get(type(appointment), appointment.id).status == AppointmentStatus.IN_OBSERVATION


def test_a_critical_check_saved_with_circulation_stable_ticked_keeps_the_check_not_the_tick(session, settings, browser):
    """The card posts its checklist with every check: a tick standing on the card must not make the
    critical reading be lost, nor be accepted with it."""
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    data = {**VITALS, **CHECKLIST, "systolic": "250", "diastolic": "140", "pulse": "30"}
    response = browser.post(f"{path}/check", data, form_page="/observation/", follow_redirects=True)
    assert response.status_code == 200
    assert "KRITISCH: 250/140 mmHg, 30/min" in response.get_data(as_text=True)
    record = _record(session, appointment)
    assert [(c.systolic, c.pulse) for c in record.checks] == [(250, 30)]
    assert not record.stable and record.can_walk and record.escort_present
    # a normal reading first, then "Kreislauf stabil" is taken
    data = {**VITALS, **CHECKLIST, "systolic": "130", "diastolic": "80", "pulse": "76"}
    assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
    assert _record(session, appointment).stable


def test_a_check_saved_without_a_pulse_is_said_with_its_own_values_not_an_earlier_pulse(session, settings, browser):
    """Walk 22: a check saved without a pulse was said with the pulse of the check before ("KRITISCH:
    118/76 mmHg, 190/min"), as if just measured. The message says what this check measured; a critical pulse
    that still stands from an earlier check is said as the earlier check's."""
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    name = appointment.patient.display_name
    data = {**VITALS, "systolic": "120", "diastolic": "80", "pulse": "190"}
    assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
    data = {**VITALS, "systolic": "118", "diastolic": "76", "pain_score": "2"}  # no pulse taken
    html = browser.post(f"{path}/check", data, form_page="/observation/", follow_redirects=True).get_data(as_text=True)
    said = _saved_message(html, name)
    assert said == (
        f"Kontrolle für {name} gespeichert. Weiterhin kritisch aus einer früheren Kontrolle: 190/min (Puls über 120). "
        "Messen Sie erneut; die Person bleibt, bis eine neue Kontrolle wieder im Bereich ist."
    )


def test_a_critical_check_without_a_pulse_names_no_pulse_of_an_earlier_check(session, settings, browser):
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    name = appointment.patient.display_name
    data = {**VITALS, "systolic": "120", "diastolic": "80", "pulse": "72"}
    assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
    data = {**VITALS, "systolic": "60", "diastolic": "30"}  # no pulse taken
    html = browser.post(f"{path}/check", data, form_page="/observation/", follow_redirects=True).get_data(as_text=True)
    assert _saved_message(html, name).startswith(f"Kontrolle für {name} gespeichert. KRITISCH: 60/30 mmHg (systolisch")


def _saved_message(html: str, name: str) -> str:
    """The message that the check was saved, as flashed (the board's own alert names the latest values)."""
    start = html.index(f"Kontrolle für {name} gespeichert.")
    return html[start : html.index("<", start)].strip()


def test_a_physician_releases_critical_values_on_the_board_and_the_nurse_discharges(session, settings, browser):
    """A patient whose pressure stays high as it always is: the nurse is told a physician can release the
    values (no form for her, and her POST is refused); the radiologist releases them with a reason, the card
    says who, when and why, and the discharge is no longer blocked."""
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    make_user(session, "rad_de", {"radiologist"}, "Dr. Rita Rad", language="de")
    session.commit()
    data = {**VITALS, "systolic": "186", "diastolic": "100", "pulse": "72"}
    assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
    html = browser.get("/observation/").get_data(as_text=True)
    assert "data-release-by-physician" in html and "data-release-critical" not in html
    assert "Eine Ärztin oder ein Arzt kann diese Werte mit Begründung zur Entlassung freigeben." in html
    refused = browser.post(f"{path}/release-critical", {"reason": "Immer so"}, form_page="/observation/")
    assert refused.status_code == 403 and _record(session, appointment).critical_released_at is None

    browser.post("/logout", {})
    browser.login("rad_de")
    html = browser.get("/observation/").get_data(as_text=True)
    assert "data-release-critical" in html and "Werte freigeben" in html
    empty = browser.post(f"{path}/release-critical", {"reason": " "}, form_page="/observation/")
    assert empty.status_code == 422
    assert "Geben Sie an, warum die Person mit diesen Werten nach Hause darf." in empty.get_data(as_text=True)
    assert _record(session, appointment).critical_released_at is None
    seen = str(_record(session, appointment).checks[-1].id)
    done = browser.post(
        f"{path}/release-critical",
        {"reason": "Bekannte Hypertonie", "seen_check_id": seen},
        form_page="/observation/",
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert f"Kritische Werte für {appointment.patient.display_name} freigegeben." in html
    assert "Zur Entlassung freigegeben von Dr. Rita Rad um" in html and "Bekannte Hypertonie" in html
    assert "data-critical-vitals" not in html and "data-release-critical" not in html

    browser.post("/logout", {})
    browser.login("nurse_de")
    assert browser.post(f"{path}/checklist", {**VITALS, **CHECKLIST}, form_page="/observation/").status_code == 302
    html = browser.get("/observation/").get_data(as_text=True)
    assert 'title="Die letzte Kontrolle ist kritisch"' not in html  # the discharge button is not held back
    assert (
        browser.post(f"{path}/discharge", {"reason": "Ärztlich freigegeben"}, form_page="/observation/").status_code
        == 302
    )
    assert session.get(type(appointment), appointment.id).status == AppointmentStatus.DISCHARGED


def test_a_release_given_on_a_page_that_missed_a_newer_check_is_refused(session, settings, browser):
    """Walk 26: the radiologist's page showed 120/80 and a pulse of 40; meanwhile a nurse saved 230/130 and 38;
    "Werte freigeben" released the values the physician had not seen. The form names the last check shown."""
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    make_user(session, "rad_de", {"radiologist"}, "Dr. Rita Rad", language="de")
    session.commit()
    data = {**VITALS, "systolic": "120", "diastolic": "80", "pulse": "40"}
    assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
    seen = str(_record(session, appointment).checks[-1].id)
    data = {**VITALS, "systolic": "230", "diastolic": "130", "pulse": "38"}  # the nurse, meanwhile
    assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
    browser.post("/logout", {})
    browser.login("rad_de")
    refused = browser.post(
        f"{path}/release-critical",
        {"reason": "Bradykardie bekannt", "seen_check_id": seen},
        form_page="/observation/",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422  # the board again, as every refused step
    assert "Seit dem Laden der Seite wurde eine Kontrolle erfasst, jetzt 230/130 mmHg, 38/min" in html
    assert 'value="Bradykardie bekannt"' in html  # what was typed, kept
    assert _record(session, appointment).critical_released_at is None
    for forged in ("", "x", str(2**40)):  # no check named (or none the database could hold): refused as well
        response = browser.post(
            f"{path}/release-critical",
            {"reason": "Bradykardie bekannt", "seen_check_id": forged},
            form_page="/observation/",
        )
        assert response.status_code == 422
    assert _record(session, appointment).critical_released_at is None


def _rows(html: str) -> str:
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_both_releases_show_on_the_appointments_pages_and_in_the_trail_in_german(session, settings, browser):
    """Walk 27: a second release (after a later critical check) overwrote the first, and after the discharge
    the appointment's page showed no release at all; the trail said "Beobachtung geändert" with the reason
    only "geändert". Now each release stands on the appointment's pages (who, when in the clinic's time, the
    values, why), and the trail says in German that a physician released critical values, with the reason."""
    appointment, path = _german_nurse_at_the_board(session, settings, browser)
    make_user(session, "rad_de", {"radiologist"}, "Dr. Rita Rad", language="de")
    make_user(session, "rad2_de", {"radiologist"}, "Dr. Otto Oberarzt", language="de")
    make_user(session, "desk_de", {"front_desk"}, "Fritz Empfang", language="de")
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    for values, physician, reason in (
        (("186", "100", "72"), "rad_de", "Bekannte Hypertonie, Hausarzt informiert"),
        (("212", "121", "72"), "rad2_de", "Nachmessung nach Ruhe geplant, Arzt gesehen"),
    ):
        browser.post("/logout", {})
        browser.login("nurse_de")
        data = {**VITALS, "systolic": values[0], "diastolic": values[1], "pulse": values[2]}
        assert browser.post(f"{path}/check", data, form_page="/observation/").status_code == 302
        browser.post("/logout", {})
        browser.login(physician)
        seen = str(_record(session, appointment).checks[-1].id)
        done = browser.post(
            f"{path}/release-critical", {"reason": reason, "seen_check_id": seen}, form_page="/observation/"
        )
        assert done.status_code == 302
    browser.post("/logout", {})
    browser.login("nurse_de")
    assert browser.post(f"{path}/checklist", {**VITALS, **CHECKLIST}, form_page="/observation/").status_code == 302
    discharge = browser.post(f"{path}/discharge", {"reason": "Ärztlich freigegeben"}, form_page="/observation/")
    assert discharge.status_code == 302

    first = (
        "186/100 mmHg, 72/min: freigegeben von Dr. Rita Rad am 23.11.2026 07:00. "
        "Begründung: Bekannte Hypertonie, Hausarzt informiert"
    )
    second = (
        "212/121 mmHg, 72/min: freigegeben von Dr. Otto Oberarzt am 23.11.2026 07:00. "
        "Begründung: Nachmessung nach Ruhe geplant, Arzt gesehen"
    )
    browser.post("/logout", {})
    browser.login("rad_de")
    html = browser.get(f"/radiology/appointments/{appointment.id}").get_data(as_text=True)
    assert "Kritische Werte ärztlich zur Entlassung freigegeben" in html
    assert first in html and second in html and html.index(first) < html.index(second)
    browser.post("/logout", {})
    browser.login("desk_de")
    html = browser.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True)
    assert first in html and second in html

    browser.post("/logout", {})
    browser.login("admin_de")
    rows = _rows(browser.get("/admin/audit?action=observation.critical_released").get_data(as_text=True))
    assert rows.count("Kritische Werte ärztlich zur Entlassung freigegeben") == 2
    assert "Grund: Bekannte Hypertonie, Hausarzt informiert" in rows and "Werte: 186/100 mmHg, 72/min" in rows
    assert "Grund: Nachmessung nach Ruhe geplant, Arzt gesehen" in rows
    everything = _rows(browser.get("/admin/audit").get_data(as_text=True))
    assert "Grund der Freigabe kritischer Werte" not in everything  # no "Beobachtung geändert: …: geändert"
