"""Prior imaging from the PACS (Debian's Orthanc) on both databases: found from the referral page by
name and birth date or by patient ID, retrieved by the DICOM process's job into our storage exactly
like an upload (identity checked on every image), with progress on the page; a PACS that does not
answer gives a clear message within the set timeout, and one that does not know us fails the
retrieval with a message and nothing stored."""

from __future__ import annotations

import logging
import re
import socket
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clinic.core.errors import InvalidInput
from clinic.dicom.retriever import Retriever
from clinic.dicom.server import DicomServer
from clinic.models import AuditEvent, ImagingStudy, PacsRetrieval, Referral, StoredFile
from clinic.models.dicom import RetrievalStatus
from clinic.services import pacs_retrievals
from clinic.services.storage import FileStore
from tests.factories import PASSWORD, make_referral

from .orthanc import AE_TITLE
from .studies import CT_LWS, MR_OTHER_BIRTH, SCHMIDT


@pytest.fixture
def desk(app, session, world, zoe, browser):
    """Zoë Müller's referral, the app pointed at the PACS, the front desk logged in."""
    referral = make_referral(session, zoe)
    session.commit()
    assert browser.login("frontdesk", PASSWORD).status_code == 302
    return referral.id


def point_app_at(app, config) -> None:
    app.config.update(
        DICOM_AE_TITLE=config.ae_title,
        PACS_HOST=config.pacs_host,
        PACS_PORT=config.pacs_port,
        PACS_AE_TITLE=config.pacs_ae_title,
        PACS_TIMEOUT_SECONDS=config.pacs_timeout,
    )


def search(browser, referral_id: int, **fields):
    data = {f"pacs-{k}": v for k, v in {"family_name": "", "given_name": "", "birth_date": "", **fields}.items()}
    data.setdefault("pacs-patient_id", "")
    return browser.post(f"/desk/referrals/{referral_id}/pacs/search", data, form_page=f"/desk/referrals/{referral_id}")


def choose(html: str, description: str) -> dict:
    """The retrieve form's fields for the study with this description, as the checkbox would send them."""
    rows = dict(re.findall(r'name="description-(\d+)" value="([^"]*)"', html))
    index = next(i for i, d in rows.items() if d == description)
    fields = {"study": index}
    for name in ("uid", "date", "modality", "description"):
        fields[f"{name}-{index}"] = re.search(rf'name="{name}-{index}" value="([^"]*)"', html).group(1)
    return fields


def retrieve(browser, referral_id: int, html: str, description: str):
    return browser.post(
        f"/desk/referrals/{referral_id}/pacs/retrieve",
        choose(html, description),
        form_page=f"/desk/referrals/{referral_id}",
    )


def page(browser, referral_id: int) -> str:
    return browser.get(f"/desk/referrals/{referral_id}").get_data(as_text=True)


def test_a_study_is_found_from_the_referral_page_and_retrieved_with_its_identity_check(
    app, session, desk, pacs, pacs_config, browser, caplog
):
    caplog.set_level(logging.DEBUG)
    point_app_at(app, pacs_config)
    referral_page = page(browser, desk)
    assert "Search the PACS" in referral_page
    assert 'value="Müller"' in referral_page and 'value="1961-04-09"' in referral_page

    found = search(browser, desk, family_name="Müller", given_name="Zoë", birth_date="1961-04-09")
    html = found.get_data(as_text=True)
    assert found.status_code == 200
    assert "CT LWS nativ" in html and "01.03.2026" in html and "Müller^Zoë" in html
    assert "MRT LWS" not in html and "CT HWS" not in html  # another birth date; another patient
    assert '<span class="badge bg-success">matches</span>' in html

    queued = retrieve(browser, desk, html, "CT LWS nativ")
    assert queued.status_code == 302
    waiting = page(browser, desk)
    assert "Waiting" in waiting and "waiting for the DICOM service" in waiting
    assert 'hx-trigger="every 2s"' in waiting  # the list refreshes itself while a retrieval is open

    assert Retriever(app, pacs_config, pacs).work_once() is True  # the DICOM process's job, one turn

    done = page(browser, desk)
    assert "Images stored: 2." in done and 'hx-trigger="every 2s"' not in done
    assert "IM00001.dcm" in done and "IM00002.dcm" in done
    session.expire_all()
    retrieval = session.scalar(select(PacsRetrieval))
    assert retrieval.status == RetrievalStatus.DONE and (retrieval.received, retrieval.expected) == (2, 2)
    study = session.get(ImagingStudy, retrieval.imaging_study_id)
    assert study.patient_id == retrieval.patient_id and study.referral_id == desk
    assert (study.modality, study.description, str(study.study_date)) == ("CT", "CT LWS nativ", "2026-03-01")
    assert study.facility == f"PACS {AE_TITLE}"
    assert [f.identity_status for f in study.files] == ["match", "match"]
    assert {f.dicom_patient_name for f in study.files} == {"Müller^Zoë"}
    store = FileStore(app.config["UPLOAD_DIR"])
    assert all(store.exists(f.stored_file.sha256) for f in study.files)
    upload = session.scalar(select(AuditEvent).where(AuditEvent.action == "imaging.upload"))
    assert upload.actor_name == "frontdesk" and upload.patient_id == study.patient_id
    assert not list(pacs_config.spool_dir.glob("retrieval-*"))  # the spool is cleaned up
    again = search(browser, desk, family_name="Müller", given_name="Zoë", birth_date="1961-04-09")
    assert "already here" in again.get_data(as_text=True) and 'name="study"' not in again.get_data(as_text=True)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Müller" not in logged and "P-4711" not in logged and "19610409" not in logged  # no patient data
    session.commit()


def test_a_study_under_the_same_patient_id_with_another_birth_date_is_flagged(
    app, session, desk, pacs, pacs_config, browser
):
    point_app_at(app, pacs_config)
    html = search(browser, desk, patient_id="P-4711").get_data(as_text=True)
    assert "CT LWS nativ" in html and "MRT LWS" in html
    assert html.index("CT LWS nativ") < html.index("MRT LWS")  # newest first
    assert "The birth date in the file differs from the patient" in html

    assert retrieve(browser, desk, html, "MRT LWS").status_code == 302
    assert Retriever(app, pacs_config, pacs).work_once() is True
    session.expire_all()
    retrieval = session.scalar(select(PacsRetrieval))
    assert retrieval.message == "1 image(s) stored. 1 name a different patient or birth date: check before use."
    study = session.get(ImagingStudy, retrieval.imaging_study_id)
    assert [f.identity_status for f in study.files] == ["mismatch"]
    session.commit()
    assert "does not match" in page(browser, desk)


def test_a_pacs_that_does_not_answer_gives_a_clear_message_within_the_timeout(app, session, desk, pacs_config, browser):
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept():
            silent.settimeout(0.2)
            while not stop.is_set():
                try:
                    held.append(silent.accept()[0])
                except TimeoutError:
                    continue

        acceptor = threading.Thread(target=accept)
        acceptor.start()
        try:
            app.config.update(
                PACS_HOST="127.0.0.1", PACS_PORT=silent.getsockname()[1], PACS_AE_TITLE=AE_TITLE, PACS_TIMEOUT_SECONDS=1
            )
            response = search(browser, desk, family_name="Müller")
        finally:
            stop.set()
            acceptor.join(10)
            for connection in held:
                connection.close()
    assert response.status_code == 503
    assert f"The PACS {AE_TITLE} at 127.0.0.1:" in response.get_data(as_text=True)
    assert "did not answer in time (1 s)" in response.get_data(as_text=True)
    assert held  # the association was really tried


def test_a_pacs_that_is_down_or_not_configured_says_so(app, session, desk, pacs_config, browser):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app.config.update(PACS_HOST="127.0.0.1", PACS_PORT=closed_port, PACS_AE_TITLE=AE_TITLE)
    response = search(browser, desk, family_name="Müller")
    assert response.status_code == 503 and "cannot be reached" in response.get_data(as_text=True)

    app.config.update(PACS_HOST="")
    shown = page(browser, desk)
    assert "No PACS connection is set up; ask the administrator." in shown and "PACS_HOST" not in shown


def test_a_pacs_that_does_not_know_us_fails_the_retrieval_and_stores_nothing(app, session, desk, pacs_config, browser):
    import dataclasses

    stranger = dataclasses.replace(pacs_config, ae_title="STRANGER")  # Orthanc has no address for it
    point_app_at(app, stranger)
    server = DicomServer(app, stranger)
    server.start()
    try:
        html = search(browser, desk, family_name="Müller", birth_date="1961-04-09").get_data(as_text=True)
        assert retrieve(browser, desk, html, "CT LWS nativ").status_code == 302
        assert Retriever(app, stranger, server).work_once() is True
    finally:
        server.stop()
    session.expire_all()
    retrieval = session.scalar(select(PacsRetrieval))
    assert retrieval.status == RetrievalStatus.FAILED
    assert "could not send the study" in retrieval.message, retrieval.message
    assert "Check that it knows our AE title STRANGER with our address and port" in retrieval.message
    assert session.scalar(select(func.count()).select_from(ImagingStudy)) == 0
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0
    session.commit()
    assert "Failed" in page(browser, desk)


def test_search_input_is_checked_before_the_pacs_is_asked(app, session, desk, pacs_config, browser):
    point_app_at(app, pacs_config)
    empty = search(browser, desk)
    assert empty.status_code == 400
    assert "Give the patient ID, the family name or the birth date" in empty.get_data(as_text=True)
    wildcard = search(browser, desk, family_name="M*")
    assert wildcard.status_code == 400 and "may not contain" in wildcard.get_data(as_text=True)
    bad_date = search(browser, desk, birth_date="9.4.61")
    assert bad_date.status_code == 422


def test_a_retrieval_in_progress_shows_how_far_it_is(app, session, desk, browser):
    referral = session.get(Referral, desk)
    pacs_retrievals.request(session, None, referral, [(CT_LWS.uid, {"description": "CT LWS nativ"})])
    claimed = pacs_retrievals.claim_next(session)
    pacs_retrievals.progress(session, claimed.id, 4, 10)
    session.commit()
    part = browser.get(f"/desk/referrals/{desk}/pacs/retrievals").get_data(as_text=True)
    assert "Retrieving" in part and "4 of 10" in part and 'aria-valuenow="4"' in part
    assert 'hx-trigger="every 2s"' in part
    # A DICOM process that stopped mid-way queues it again at its next start.
    assert pacs_retrievals.requeue_interrupted(session) == 1
    assert session.get(PacsRetrieval, claimed.id).status == RetrievalStatus.QUEUED
    session.commit()


def test_a_study_is_queued_once_however_often_it_is_asked_for(session, world, zoe):
    referral = make_referral(session, zoe)
    frontdesk = world.clinic.staff["frontdesk"]
    first = pacs_retrievals.request(session, frontdesk, referral, [(CT_LWS.uid, {}), (MR_OTHER_BIRTH.uid, {})])
    again = pacs_retrievals.request(session, frontdesk, referral, [(CT_LWS.uid, {})])
    assert len(first) == 2 and again == []
    assert pacs_retrievals.known_study_uids(session, zoe.id) == {
        CT_LWS.uid: "retrieving",
        MR_OTHER_BIRTH.uid: "retrieving",
    }
    pacs_retrievals.fail(session, first[1].id, "The PACS was down.")
    assert pacs_retrievals.known_study_uids(session, zoe.id) == {CT_LWS.uid: "retrieving"}  # failed: ask again
    assert len(pacs_retrievals.request(session, frontdesk, referral, [(MR_OTHER_BIRTH.uid, {})])) == 1
    with pytest.raises(InvalidInput, match="not a study from the PACS list"):
        pacs_retrievals.request(session, frontdesk, referral, [("1.2.3; DROP TABLE", {})])
    with pytest.raises(InvalidInput, match="Choose at least one"):
        pacs_retrievals.request(session, frontdesk, referral, [])
    # The database refuses a second open retrieval of the same study too (the last guard).
    session.add(
        PacsRetrieval(patient_id=referral.patient_id, study_instance_uid=SCHMIDT.uid, status="queued", received=0)
    )
    session.flush()
    session.add(
        PacsRetrieval(patient_id=referral.patient_id, study_instance_uid=SCHMIDT.uid, status="running", received=0)
    )
    with pytest.raises(IntegrityError, match=r"uq_pacs_retrievals_active_study|UNIQUE"):
        session.flush()
    session.rollback()


def test_only_the_front_desk_and_radiologists_ask_the_pacs(app, session, world, zoe, client):
    from tests.conftest import Browser

    referral = make_referral(session, zoe)
    session.commit()
    nurse = Browser(client)
    assert nurse.login("nurse", PASSWORD).status_code == 302
    response = nurse.post(f"/desk/referrals/{referral.id}/pacs/search", {"pacs-family_name": "Müller"}, form_page="/")
    assert response.status_code == 403
