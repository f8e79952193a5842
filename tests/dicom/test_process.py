"""``flask --app clinic dicom`` as operators run it, on both databases: it answers the scanners' worklist,
works off a queued PACS retrieval on its own, stops cleanly on SIGTERM, and a second one on the same
port says why it cannot start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from clinic.config import PROJECT_ROOT
from clinic.models import PacsRetrieval
from clinic.models.dicom import RetrievalStatus
from clinic.services import pacs_retrievals
from tests.conftest import NOW, TODAY
from tests.factories import make_referral

from .conftest import OUR_AE, berlin
from .orthanc import AE_TITLE, free_port
from .studies import CT_LWS
from .test_worklist import findscu, today_for

pytestmark = pytest.mark.slow


def wait_until(predicate, what: str, timeout: float = 120.0):
    """Poll; the timeout only bounds a hang, no test asserts times."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return value


class DicomProcess:
    def __init__(self, app, database_url: str, tmp_path, port: int, storage_port: int, orthanc):
        self.log_path = tmp_path / f"dicom-{port}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "SECRET_KEY": "test-secret-key-not-for-production",
            "DICOM_AE_TITLE": OUR_AE,
            "DICOM_HOST": "127.0.0.1",
            "DICOM_PORT": str(port),
            "DICOM_STORAGE_PORT": str(storage_port),
            "DICOM_POLL_SECONDS": "0.2",
            "PACS_HOST": "127.0.0.1",
            "PACS_PORT": str(orthanc.dicom_port),
            "PACS_AE_TITLE": AE_TITLE,
            "PYTHONUNBUFFERED": "1",
            "CLINIC_CLOCK_START": NOW.isoformat(),
        }
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "clinic", "dicom"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def processes(app, database_url, tmp_path, orthanc):
    started: list[DicomProcess] = []

    def start(port: int, storage_port: int) -> DicomProcess:
        process = DicomProcess(app, database_url, tmp_path, port, storage_port, orthanc)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


def test_the_dicom_process_answers_retrieves_and_stops_cleanly(
    session, settings, world, zoe, orthanc, processes, tmp_path
):
    appointment = world.book(session, settings, start=berlin(TODAY, 9), patient=zoe)
    accession = appointment.accession_number
    referral = make_referral(session, zoe)
    pacs_retrievals.request(session, world.clinic.staff["frontdesk"], referral, [(CT_LWS.uid, {})])
    session.commit()

    port, storage_port = free_port(), free_port()
    orthanc.add_modality("clinic", OUR_AE, storage_port)
    process = processes(port, storage_port)
    wait_until(lambda: "listening on" in process.log(), "the DICOM process to listen")
    assert f"DICOM {OUR_AE} listening on 127.0.0.1:{port} (worklist, MPPS) and 127.0.0.1:{storage_port}" in (
        process.log()
    )

    result, answers = findscu(port, tmp_path / "answers", calling="CT1", keys=today_for("CT1"))
    assert result.returncode == 0 and [a.AccessionNumber for a in answers] == [accession]
    assert str(answers[0].PatientName) == "Müller^Zoë"

    def retrieved():
        session.expire_all()
        retrieval = session.scalar(select(PacsRetrieval))
        status = retrieval.status
        session.commit()
        return status == RetrievalStatus.DONE and retrieval

    retrieval = wait_until(retrieved, "the queued retrieval to be done by the process's own job")
    assert retrieval.message == "2 image(s) stored."

    process.proc.send_signal(signal.SIGTERM)
    assert process.proc.wait(timeout=60) == 0
    assert "SIGTERM received; stopping" in process.log() and "DICOM stopped." in process.log()
    assert "Müller" not in process.log()  # no patient data in the log


def test_a_second_dicom_process_on_the_same_port_says_why_it_cannot_start(session, world, orthanc, processes):
    session.commit()
    port, storage_port = free_port(), free_port()
    first = processes(port, storage_port)
    wait_until(lambda: "listening on" in first.log(), "the first DICOM process to listen")
    second = processes(port, storage_port)
    assert second.proc.wait(timeout=60) != 0
    assert f"Cannot listen on 127.0.0.1:{port} and {storage_port}" in second.log()
    assert first.proc.poll() is None
    first.proc.send_signal(signal.SIGINT)  # Ctrl-C, as under make run
    assert first.proc.wait(timeout=60) == 0
