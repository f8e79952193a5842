"""Sentences the system stores in English (for the API and the audit) read on German screens in German:
a PACS retrieval's message (and what the PACS did, also at a search), the waitlist note of a patient who
asked through their link, and a scanner report's warning. Rows written before the screens read them back
are read the same way; English screens still read English, and what staff typed (or a PACS said in its
own words) is shown as it is."""

from __future__ import annotations

import datetime as dt
import socket

from clinic.core.timefmt import to_local
from clinic.models import ImagingStudy, PacsRetrieval
from clinic.models.dicom import RetrievalStatus, StepStatus
from clinic.models.vocab import Role
from clinic.services import mpps
from tests.conftest import NOW, TODAY, ZONE, assert_shows, logged_in
from tests.factories import add_to_waitlist, book, build_clinic, make_ready_referral, make_referral, make_user

# As the code wrote them before the screens read them back (and as it still writes them).
STORED = "12 image(s) stored."
STORED_MISMATCHED = "3 image(s) stored. 1 name a different patient or birth date: check before use."
GONE = "The PACS no longer has this study."
NOT_SENT = "The PACS could not send the images (4 failed)."
NOT_STORED = "The images could not be stored: The PACS sent no images for this study."
BROKE = "The retrieval failed with an unexpected error; nothing was stored. Try again."
REFUSED_US = "The PACS ORTHANC at pacs:4242 refused us: it must know our AE title CLINIC (ask IT to add it)."
SILENT_BEFORE = (  # written before the seconds lost their plural
    "The PACS ORTHANC at pacs:4242 did not answer within 30 seconds. Nothing was fetched; try again later, or tell "
    "IT if it keeps happening."
)
SEND_FAILED = (
    "The PACS ORTHANC at pacs:4242 could not send the study (DICOM status 0xA702: Out of Resources). Check that "
    "it knows our AE title CLINIC with our address and port (ask IT)."
)
NOT_OURS = "The PACS said something no sentence of ours says."


def _retrieval(session, referral, n: int, status: RetrievalStatus, message: str) -> PacsRetrieval:
    study = None
    if status == RetrievalStatus.DONE:
        study = ImagingStudy(patient_id=referral.patient_id, referral_id=referral.id, modality="CT")
        session.add(study)
        session.flush()
    retrieval = PacsRetrieval(
        patient_id=referral.patient_id,
        referral_id=referral.id,
        study_instance_uid=f"1.2.826.0.1.{n}",
        description=f"Study {n}",
        status=status,
        message=message,
        imaging_study_id=study.id if study else None,
        finished_at=NOW,
    )
    session.add(retrieval)
    return retrieval


def test_a_pacs_retrievals_messages_read_in_the_screens_language(app, session):
    build_clinic(session)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    referral = make_referral(session)
    for n, (status, message) in enumerate(
        [
            (RetrievalStatus.DONE, STORED),
            (RetrievalStatus.DONE, STORED_MISMATCHED),
            (RetrievalStatus.FAILED, GONE),
            (RetrievalStatus.FAILED, NOT_SENT),
            (RetrievalStatus.FAILED, NOT_STORED),
            (RetrievalStatus.FAILED, BROKE),
            (RetrievalStatus.FAILED, REFUSED_US),
            (RetrievalStatus.FAILED, SILENT_BEFORE),
            (RetrievalStatus.FAILED, SEND_FAILED),
            (RetrievalStatus.FAILED, NOT_OURS),
        ]
    ):
        _retrieval(session, referral, n, status, message)
    session.commit()
    german, english = logged_in(app, "desk_de", "frontdesk")
    part = f"/desk/referrals/{referral.id}/pacs/retrievals"

    shown = german.get(part).get_data(as_text=True)
    assert_shows(
        shown,
        "Gespeicherte Bilder: 12.",
        "Gespeicherte Bilder: 3. Davon mit anderem Patientennamen oder Geburtsdatum: 1. "
        "Bitte vor der Verwendung prüfen.",
        "Das PACS hat diese Studie nicht mehr.",
        "Das PACS konnte die Bilder nicht senden (4 fehlgeschlagen).",
        "Die Bilder konnten nicht gespeichert werden: Das PACS hat für diese Studie keine Bilder geschickt.",
        "Der Abruf ist mit einem unerwarteten Fehler abgebrochen; es wurde nichts gespeichert.",
        "Das PACS ORTHANC unter pacs:4242 hat uns abgewiesen: Es muss unseren AE-Titel CLINIC kennen",
        "Das PACS ORTHANC unter pacs:4242 hat nicht rechtzeitig geantwortet (30 s).",
        "konnte die Studie nicht senden (DICOM-Status 0xA702: Out of Resources).",  # the PACS's words as it said them
        NOT_OURS,  # no sentence of ours: as it is
    )
    for sentence in (STORED, "image(s)", GONE, NOT_SENT, NOT_STORED, BROKE, "check before use", "refused us"):
        assert sentence not in shown
    assert "Gespeicherte Bilder" in german.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)

    shown = english.get(part).get_data(as_text=True)
    assert_shows(
        shown,
        "Images stored: 12.",
        "Images stored: 3. With a different patient&#39;s name or birth date: 1. Check them before use.",
        GONE,
        NOT_SENT,
        NOT_STORED,
        BROKE,
        REFUSED_US,
        "The PACS ORTHANC at pacs:4242 did not answer in time (30 s).",
        SEND_FAILED,
        NOT_OURS,
    )
    assert "image(s)" not in shown and "Gespeicherte Bilder" not in shown


def test_a_pacs_that_cannot_be_reached_says_so_in_the_screens_language(app, session):
    build_clinic(session)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    referral = make_referral(session)
    session.commit()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app.config.update(PACS_HOST="127.0.0.1", PACS_PORT=closed_port, PACS_AE_TITLE="ORTHANC")
    german, english = logged_in(app, "desk_de", "frontdesk")
    page = f"/desk/referrals/{referral.id}"
    form = {"pacs-family_name": "Müller", "pacs-given_name": "", "pacs-birth_date": "", "pacs-patient_id": ""}

    shown = german.post(f"{page}/pacs/search", form, form_page=page)
    assert shown.status_code == 503
    assert f"Das PACS ORTHANC unter 127.0.0.1:{closed_port} ist nicht erreichbar" in shown.get_data(as_text=True)
    assert "cannot be reached" not in shown.get_data(as_text=True)
    shown = english.post(f"{page}/pacs/search", form, form_page=page).get_data(as_text=True)
    assert f"The PACS ORTHANC at 127.0.0.1:{closed_port} cannot be reached" in shown


def test_the_waitlist_note_of_the_patient_link_reads_in_the_screens_language(app, session):
    clinic = build_clinic(session)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    add_to_waitlist(session, make_ready_referral(session, clinic), note="asked for through the patient link")
    add_to_waitlist(session, make_ready_referral(session, clinic), note="Nur dienstags, ruft selbst an")
    session.commit()
    german, english = logged_in(app, "desk_de", "frontdesk")

    shown = german.get("/desk/waitlist").get_data(as_text=True)
    assert "über den Patientenlink angefragt" in shown and "asked for through the patient link" not in shown
    assert "Nur dienstags, ruft selbst an" in shown  # typed by the desk: as it was typed

    shown = english.get("/desk/waitlist").get_data(as_text=True)
    assert "asked for through the patient link" in shown and "über den Patientenlink" not in shown
    assert "Nur dienstags, ruft selbst an" in shown


def test_the_scanners_warnings_read_in_the_screens_language(app, session, settings):
    clinic = build_clinic(session)
    make_user(session, "rad_de", {Role.RADIOLOGIST}, "Dr. Anna Becker", language="de")
    appointment = book(session, settings, make_ready_referral(session, clinic), first_day=TODAY + dt.timedelta(days=1))
    at = dt.datetime(2026, 11, 24, 8, 2, tzinfo=dt.UTC)  # 09:02 in Berlin

    def scanner_starts(uid: str, accession: str | None) -> None:
        report = mpps.StepReport(uid, "CT1", StepStatus.IN_PROGRESS, accession_number=accession, started_at=at)
        mpps.step_created(session, None, report, ZONE)

    scanner_starts("1.2.3.1", appointment.accession_number)  # not checked in: nothing moves
    session.commit()
    german, english = logged_in(app, "rad_de", "rad1")
    page = f"/radiology/appointments/{appointment.id}"
    not_checked_in = "The scanner CT1 reported the start at 09:02, but the patient is not checked in"

    shown = german.get(page).get_data(as_text=True)  # in the alerts while the appointment waits
    assert "Der Scanner CT1 hat den Beginn um 09:02 gemeldet, aber der Patient ist nicht angemeldet" in shown
    assert "Bitte den Patienten anmelden" in shown and not_checked_in not in shown
    worklist = german.get(f"/radiology/worklist/rows?day={to_local(appointment.table_start, ZONE).date()}").get_data(
        as_text=True
    )
    assert "Der Scanner CT1 hat den Beginn um 09:02 gemeldet" in worklist and not_checked_in not in worklist
    assert not_checked_in in english.get(page).get_data(as_text=True)

    # Cancelled, the scanner's start changes nothing; the warnings stay on the page for the record.
    appointment.cancel(None, NOW, "Patientin krank")
    scanner_starts("1.2.3.2", appointment.accession_number)
    session.commit()
    cancelled = "The scanner CT1 reported the start at 09:02, but the appointment is cancelled: nothing was changed."

    shown = german.get(page).get_data(as_text=True)
    assert_shows(
        shown,
        "Der Scanner CT1 hat den Beginn um 09:02 gemeldet, aber der Termin hat den Status „Abgesagt“: "
        "Es wurde nichts geändert.",
        "aber der Patient ist nicht angemeldet",
    )
    assert cancelled not in shown and not_checked_in not in shown
    shown = english.get(page).get_data(as_text=True)
    assert cancelled in shown and not_checked_in in shown and "Der Scanner" not in shown


def test_a_scanner_warning_not_written_by_us_and_unknown_accessions_read_back(app):
    from flask_babel import force_locale

    from clinic.i18n import say
    from clinic.models.dicom import shown_step_warning

    with app.test_request_context(), force_locale("de"):
        assert say(shown_step_warning("No appointment has the accession number X1Y2.")) == (
            "Kein Termin hat die Untersuchungsnummer (Accession) X1Y2."
        )
        assert say(shown_step_warning("The scanner sent no accession number.")) == (
            "Der Scanner hat keine Untersuchungsnummer (Accession) gesendet."
        )
        assert say(shown_step_warning("Something a scanner said.")) == "Something a scanner said."
        assert shown_step_warning(None) is None
