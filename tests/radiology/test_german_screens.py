"""The procedure day's screens in German for German staff (issue 17): the radiologist's worklist, triage
and procedure page, the nurse's observation board and patient search, a refusal, the worklist PDF and
the page shown while the database is out of reach. English staff keep English on the same screens."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError

from clinic import boundary
from clinic.models.vocab import Role
from clinic.services import consents, procedure_day
from tests.conftest import NOW, ZONE, Browser, assert_shows
from tests.documents.helpers import text_of
from tests.factories import build_clinic, make_referral, make_user
from tests.radiology.day_helpers import day_appointment, to_observation


def _german_staff(session):
    make_user(session, "anna", {Role.RADIOLOGIST}, "Dr. Anna Berg", language="de")
    make_user(session, "jonas", {Role.NURSE}, "Jonas Keller", language="de")


def _page(browser: Browser, path: str) -> str:
    response = browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_a_german_radiologist_works_the_day_in_german(session, settings, browser):
    clinic, appointment = day_appointment(session, settings)
    procedure_day.check_in(session, None, appointment, at=NOW, zone=ZONE)
    consents.print_consent(session, clinic.radiologists[0], appointment, ZONE)
    referral = make_referral(session, region="lumbar", side="left")
    _german_staff(session)
    session.commit()
    browser.login("anna")

    worklist = _page(browser, "/radiology/worklist")
    assert '<html lang="de">' in worklist
    assert "Arbeitsliste 23.11.2026" in worklist
    assert_shows(worklist, "Voraussetzungen", "Warnhinweise", "Nächster Schritt", "Die Liste aktualisiert sich")
    assert "Readiness" not in worklist and "Worklist 23" not in worklist, worklist[worklist.find("Readiness") - 300 :]

    triage = _page(browser, "/radiology/triage")
    assert "Indikationsprüfung" in triage and "Wartend, älteste zuerst" in triage
    assert "Keine dringenden Überweisungen." in triage and "Waiting, oldest first" not in triage
    plan = _page(browser, f"/radiology/referrals/{referral.id}")
    assert_shows(
        plan, "Mit Plan annehmen", "Ziel / Technik / Zugang", "Rückfrage stellen", "Warnzeichen", "— auswählen —"
    )

    path = f"/radiology/appointments/{appointment.id}"
    day = _page(browser, path)
    assert_shows(day, "Einwilligung", "Gedruckt 23.11.2026", "Eingriff beginnen", "Eingriffsprotokoll")
    assert "Das Protokoll öffnet sich, wenn der Eingriff beginnt." in day
    assert "Aufklärungsgespräch geführt von" in day  # the consent form's labels
    assert "Procedure record" not in day and "Start procedure" not in day

    # A refusal in German: the record cannot be saved before the procedure has started.
    refused = browser.post(f"{path}/record", {"record-started_at": "2026-11-23T09:00"}, form_page=path)
    assert refused.status_code == 422
    assert "Beginnen Sie zuerst den Eingriff." in refused.get_data(as_text=True)

    pdf = browser.get(f"/radiology/worklist/{appointment.room_id}.pdf?day=2026-11-23")
    assert pdf.status_code == 200 and "Arbeitsliste" in text_of(pdf.data)


def test_a_german_nurse_sees_the_board_and_the_patient_search_in_german(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    _german_staff(session)
    session.commit()
    browser.login("jonas")

    board = _page(browser, "/observation/")
    assert_shows(
        board,
        "Überwachung",
        "RR systolisch",
        "taub / vermindert",
        "Kontrolle speichern",
        "Kreislauf stabil",
        "Checkliste aktualisieren",
        "Länger überwachen",
        "geplantes Ende",
    )
    assert "Save check" not in board and "Circulation stable" not in board
    name = appointment.patient.display_name
    saved = browser.post(
        f"/observation/appointments/{appointment.id}/check",
        {"systolic": "128", "diastolic": "80", "motor": "normal", "sensory": "normal"},
        form_page="/observation/",
        follow_redirects=True,
    )
    assert f"Kontrolle für {name} gespeichert." in saved.get_data(as_text=True)

    browser.post("/patients/", {"q": appointment.patient.family_name}, form_page="/patients/")
    search = _page(browser, "/patients/")
    assert_shows(search, "Patienten", "Suche", "Patientennummer", "Geburtsdatum", "1 Patient gefunden.", "Namen passen")
    record = _page(browser, f"/patients/{appointment.patient_id}")
    assert "Kontakt und Versicherung" in record and "Termine" in record and "Überweisungen" in record


def test_english_staff_keep_english_on_the_same_screens(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    browser.login("rad1")  # English, as test users are
    worklist = _page(browser, "/radiology/worklist")
    assert "Readiness" in worklist and "Voraussetzungen" not in worklist
    assert "Save check" in _page(browser, "/observation/")
    pdf = browser.get(f"/radiology/worklist/{appointment.room_id}.pdf?day=2026-11-23")
    assert "Worklist" in text_of(pdf.data) and "Arbeitsliste" not in text_of(pdf.data)


def _database_gone(*_args, **_kwargs):
    raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))


def test_the_page_without_the_database_speaks_the_language_of_the_last_screen(app, session, browser, monkeypatch):
    """The user's account cannot be read while the database is out of reach: the language their last
    screen was in, kept in the session, decides; not the browser's."""
    build_clinic(session)
    _german_staff(session)
    session.commit()
    browser.login("jonas")
    _page(browser, "/patients/")
    monkeypatch.setattr(boundary.accounts, "load_session_user", _database_gone)
    page = browser.get("/patients/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 503 and page.headers["Retry-After"] and page.headers["Content-Language"] == "de"
    assert '<html lang="de">' in html and "Bitte versuchen Sie es gleich noch einmal" in html
    assert "Die Datenbank der Klinik ist gerade nicht erreichbar." in html
    monkeypatch.undo()

    english = Browser(app.test_client())
    english.login("rad1")
    _page(english, "/patients/")
    monkeypatch.setattr(boundary.accounts, "load_session_user", _database_gone)
    page = english.get("/patients/", headers={"Accept-Language": "de"})
    html = page.get_data(as_text=True)
    assert page.status_code == 503 and "Please try again shortly" in html and '<html lang="en">' in html
