"""How long the PACS was waited for, in the screen's number format: "2,5 s" on a German screen, "2.5 s" on
an English one. At a search that the PACS did not answer, and in the retrievals the DICOM process stored
(in English, "2.5 s", as before: the stored record is not rewritten, only read in the screen's format)."""

from __future__ import annotations

import socket

from clinic.models import PacsRetrieval
from clinic.models.dicom import RetrievalStatus
from clinic.models.vocab import Role
from tests.conftest import NOW, assert_shows, logged_in
from tests.factories import build_clinic, make_referral, make_user

NO_ANSWER = (
    "The PACS ORTHANC at pacs:4242 did not answer in time (2.5 s). Nothing was fetched; try again later, or tell "
    "IT if it keeps happening."
)
STOPPED = "The PACS ORTHANC at pacs:4242 stopped answering (no reply within 0.5 s). Try again later."
NO_ANSWER_BEFORE = (  # written before the seconds lost their plural
    "The PACS ORTHANC at pacs:4242 did not answer within 1.5 seconds. Nothing was fetched; try again later, or "
    "tell IT if it keeps happening."
)


def _referral(session):
    build_clinic(session)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    return make_referral(session)


def test_stored_retrievals_show_their_seconds_in_the_screens_format(app, session):
    referral = _referral(session)
    for n, message in enumerate((NO_ANSWER, STOPPED, NO_ANSWER_BEFORE)):
        session.add(
            PacsRetrieval(
                patient_id=referral.patient_id,
                referral_id=referral.id,
                study_instance_uid=f"1.2.826.0.1.{n}",
                status=RetrievalStatus.FAILED,
                message=message,
                finished_at=NOW,
            )
        )
    session.commit()
    german, english = logged_in(app, "desk_de", "frontdesk")
    part = f"/desk/referrals/{referral.id}/pacs/retrievals"

    shown = german.get(part).get_data(as_text=True)
    assert_shows(
        shown,
        "Das PACS ORTHANC unter pacs:4242 hat nicht rechtzeitig geantwortet (2,5 s).",
        "(keine Antwort innerhalb von 0,5 s)",
        "Das PACS ORTHANC unter pacs:4242 hat nicht rechtzeitig geantwortet (1,5 s).",
    )
    for english_number in ("2.5 s", "0.5 s", "1.5 s"):
        assert english_number not in shown

    shown = english.get(part).get_data(as_text=True)
    assert_shows(shown, "did not answer in time (2.5 s).", "(no reply within 0.5 s)", "did not answer in time (1.5 s).")
    assert "2,5" not in shown


def test_a_search_the_pacs_did_not_answer_says_the_wait_in_the_screens_format(app, session):
    referral = _referral(session)
    session.commit()
    german, english = logged_in(app, "desk_de", "frontdesk")
    page = f"/desk/referrals/{referral.id}"
    form = {"pacs-family_name": "Müller", "pacs-given_name": "", "pacs-birth_date": "", "pacs-patient_id": ""}
    with socket.socket() as silent:  # takes the connection (the kernel's backlog), never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        app.config.update(PACS_HOST="127.0.0.1", PACS_PORT=port, PACS_AE_TITLE="ORTHANC", PACS_TIMEOUT_SECONDS=0.5)
        shown = german.post(f"{page}/pacs/search", form, form_page=page)
        assert shown.status_code == 503
        assert f"Das PACS ORTHANC unter 127.0.0.1:{port} hat nicht rechtzeitig geantwortet (0,5 s)." in shown.get_data(
            as_text=True
        )
        shown = english.post(f"{page}/pacs/search", form, form_page=page).get_data(as_text=True)
        assert f"The PACS ORTHANC at 127.0.0.1:{port} did not answer in time (0.5 s)." in shown
