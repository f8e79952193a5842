"""The front desk's referral screens in German for a German user (issue 17): the referral list, a referral
page with its checklist, imaging and patient link, the new-referral form with its German form errors and
duplicate warning, and the page of a held time."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from clinic.config import PROJECT_ROOT
from clinic.models import ImagingStudy, Patient, Referral, StoredFile, StudyFile
from clinic.models.vocab import Role
from tests.conftest import NOW, assert_shows
from tests.factories import build_clinic, make_ready_referral, make_referral, make_user
from tests.i18n_check.scan import python_findings, template_findings

from .helpers import GERMAN_INTAKE, hold_on_the_booking_page, referral_form, refused_intake


def _german_desk(session) -> None:
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    session.commit()


def _intake(**kw) -> dict:
    """The new-referral form for a German patient."""
    return referral_form(**{**GERMAN_INTAKE, **kw})


def test_the_referral_list_and_a_referral_page_speak_german(session, browser):
    clinic = build_clinic(session)
    waiting = make_referral(session, symptom_duration_weeks=1)
    ready = make_ready_referral(session, clinic, medications=[("aspirin", "secondary", None)])
    _german_desk(session)
    browser.login("desk_de")

    listed = browser.get("/desk/referrals")
    html = listed.get_data(as_text=True)
    assert listed.headers["Content-Language"] == "de" and '<html lang="de">' in html
    assert_shows(html, "Überweisungen", "Neue Überweisung", "Wartet auf Indikationsprüfung", "Nur dringende")
    assert "Eingegangen" in html and "Voranmeldung" in html and "fehlen" in html
    assert "Waiting for triage" not in html and "New referral" not in html

    page = browser.get(f"/desk/referrals/{waiting.id}").get_data(as_text=True)
    assert "Überweisung eingegangen am" in page and "Beschwerden seit 1 Woche" in page
    assert "Wartet auf die Indikationsprüfung durch einen Radiologen." in page
    assert "Kontaktdaten und Versicherung" in page and "Begleitperson für den Heimweg" in page
    assert "Mit dem Patienten geprüft" in page and "Abfrage abgeschlossen" in page
    assert "Vorbefunde und Voraufnahmen" in page and "Hochladen" in page
    assert "Referral received" not in page and "Checked with the patient" not in page

    accepted = browser.get(f"/desk/referrals/{ready.id}").get_data(as_text=True)
    assert "Angenommen von" in accepted and "Termin suchen" in accepted and "Auf die Warteliste setzen" in accepted
    assert "Periradikuläre Therapie (PRT)" in accepted  # the procedure by its German name
    assert "Acetylsalicylsäure (ASS)" in accepted and "Medikamentenplan" in accepted  # the drug by its German name

    # A checklist item refused by its form, in German: the escort needs a name.
    saved = browser.post(
        f"/desk/referrals/{waiting.id}/escort",
        {"escort-name": "", "escort-phone": ""},
        form_page=f"/desk/referrals/{waiting.id}",
    )
    assert saved.status_code == 422
    shown = saved.get_data(as_text=True)
    assert "Bitte korrigieren Sie das markierte Feld." in shown and "Nennen Sie die Begleitperson." in shown


def test_the_new_referral_form_and_its_errors_are_german(session, browser):
    build_clinic(session)
    _german_desk(session)
    browser.login("desk_de")

    form = browser.get("/desk/referrals/new").get_data(as_text=True)
    assert_shows(
        form,
        "Neue Überweisung",
        "Nachname",
        "Geburtsdatum",
        "Zuweiser",
        "Klinische Fragestellung",
        "Warnzeichen (jedes erfragen)",
        "Notfall",
        "Überweisung speichern",
        "— neuen Zuweiser unten eintragen —",
    )
    assert "Family name" not in form and "Save referral" not in form

    data = _intake(birth_date="2099-01-01", clinical_question="")
    del data["flag_tumour"]
    html = refused_intake(browser, data)
    assert "Dieses Datum liegt in der Zukunft." in html and "Beantworten Sie diese Frage." in html
    assert "This date lies in the future." not in html and "Answer this question." not in html
    assert session.scalar(select(func.count(Referral.id))) == 0

    taken = browser.post("/desk/referrals/new", _intake())
    assert taken.status_code == 302
    shown = browser.get(taken.headers["Location"]).get_data(as_text=True)
    assert "Überweisung erfasst. Sie wartet jetzt auf die Indikationsprüfung" in shown

    again = browser.post("/desk/referrals/new", _intake(family_name="BRANDT"))
    assert again.status_code == 409
    warned = again.get_data(as_text=True)
    assert "Ist es einer dieser Patienten?" in warned and "Diesen Patienten verwenden" in warned
    assert "Das ist eine andere Person: neuen Patienten anlegen" in warned
    assert session.scalar(select(func.count(Patient.id))) == 1


def test_the_page_of_a_held_time_is_german(session, settings, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    _german_desk(session)
    browser.login("desk_de")
    page = browser.get(hold_on_the_booking_page(session, settings, browser, referral)).get_data(as_text=True)
    assert f"Termin vorgemerkt für {referral.patient.display_name}" in page
    assert "kann niemand sonst diesen Termin nehmen" in page and "<strong>" in page
    assert "Diesen Termin buchen" in page and "Freigeben" in page and " bei " in page
    assert "Time held for" not in page and "Book this time" not in page


def test_a_refusal_of_the_referral_page_is_german_and_the_mismatch_is_named(session, browser):
    """The page's own refusal (a file of another patient cannot be set aside from this referral) goes
    through the catalogue; the identity badges of prior imaging are German too."""
    build_clinic(session)
    mine, other = make_referral(session), make_referral(session)
    study = ImagingStudy(patient_id=other.patient_id, referral_id=other.id, modality="MR")
    session.add(study)
    stored = StoredFile(sha256="a" * 64, size=10, content_type="application/dicom")
    session.add(stored)
    session.flush()
    study_file = StudyFile(
        stored_file_id=stored.id,
        original_name="slice.dcm",
        kind="dicom",
        identity_status="mismatch",
        dicom_patient_name="SCHMIDT^HANS",
        uploaded_at=NOW,
    )
    study.files.append(study_file)
    _german_desk(session)
    browser.login("desk_de")

    shown = browser.get(f"/desk/referrals/{other.id}").get_data(as_text=True)
    assert "stimmt nicht überein" in shown and "Zurückstellen: falscher Patient" in shown
    refused = browser.post(
        f"/desk/imaging/files/{study_file.id}/set-aside",
        {"referral_id": str(mine.id), "reason": "falsche CD"},
        form_page=f"/desk/referrals/{mine.id}",
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Diese Datei gehört zu einem anderen Patienten." in html and "belongs to another patient" not in html


MARKED_TEMPLATES = [
    "referral.html",
    "referral_new.html",
    "referrals.html",
    "_patient_fields.html",
    "_hold_plan.html",
    "hold.html",
    "pacs_results.html",
    "_pacs.html",
    "_pacs_retrievals.html",
    "medication_calls.html",
    "patient_edit.html",
    "_portal.html",
]
MARKED_MODULES = [
    "forms.py",
    "intake.py",
    "prereg.py",
    "pacs.py",
    "medication_calls.py",
    "portal.py",
    "upload_requests.py",
]
ERRORS = {"DomainError", "NotFound", "PermissionDenied", "InvalidInput", "Conflict", "TooLarge"}


def test_these_front_desk_screens_mark_every_string_staff_read():
    """The referral screens and their views leave no text unmarked (tests/i18n_check/scan.py)."""
    templates = [
        f
        for f in template_findings(PROJECT_ROOT / "templates" / "frontdesk", PROJECT_ROOT)
        if Path(f.path).name in MARKED_TEMPLATES
    ]
    modules = [
        f
        for f in python_findings(PROJECT_ROOT / "clinic" / "frontdesk", PROJECT_ROOT, error_names=ERRORS)
        if Path(f.path).name in MARKED_MODULES
    ]
    assert not templates + modules, [str(f) for f in templates + modules]


def test_the_pacs_search_page_is_german(session, browser):
    build_clinic(session)
    referral = make_referral(session)
    _german_desk(session)
    browser.login("desk_de")
    page = browser.post(
        f"/desk/referrals/{referral.id}/pacs/search",
        {"pacs-family_name": "Müller", "pacs-birth_date": "kein Datum"},
        form_page=f"/desk/referrals/{referral.id}",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Untersuchungen im PACS für" in html and "Korrigieren Sie die Suche oben." in html
    assert "Patienten-ID im PACS" in html and "Erneut suchen" in html and "← Zurück zur Überweisung" in html
