"""Fixtures for the DICOM tests: a small clinic whose rooms have scanners, our DICOM service running
in the test's process on a free port, and dcmtk's command-line tools as the scanner side.

The tools are Debian's (``/usr/bin/findscu`` and friends: a virtualenv's names may shadow them). Outside
CI a missing tool skips its tests with the reason; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from clinic.dicom.config import DicomConfig
from clinic.dicom.server import DicomServer
from clinic.scheduling import booking
from clinic.services import procedure_day
from tests import factories
from tests.conftest import NOW, ZONE, require_or_skip
from tests.factories import build_clinic, make_patient, make_ready_referral
from tests.scheduling.helpers import chain

DCMTK = Path("/usr/bin")
ORTHANC = Path("/usr/sbin/Orthanc")
OUR_AE = "PAINCLINIC"


def tool(name: str) -> str:
    path = DCMTK / name
    problem = None if os.access(path, os.X_OK) else f"{path} is missing (apt-get install dcmtk)"
    require_or_skip(problem)
    return str(path)


def berlin(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)


@dataclasses.dataclass
class World:
    clinic: object
    ct1: object
    ct2: object

    def book(self, session, settings, *, room=None, start: dt.datetime, patient=None, code="PRT"):
        """An appointment at ``start`` in ``room`` (CT 1), through the booking service, with the first
        radiologist and observation bed that are free."""
        room = room or self.ct1
        referral = make_ready_referral(session, self.clinic, patient, code=code)
        procedure = self.clinic.pt(code)
        candidate = None
        for radiologist in self.clinic.radiologists:
            for bed in self.clinic.beds:
                probe = chain(room, radiologist, bed, start, procedure.table_minutes, procedure.observation_minutes)
                if not booking.busy_resources(session, settings, probe, referral.patient_id):
                    candidate = probe
                    break
            if candidate:
                break
        assert candidate is not None, f"nothing free at {start}"
        appointment = factories.book(session, settings, referral, candidate)
        session.flush()
        return appointment

    def check_in(self, session, appointment):
        procedure_day.check_in(session, None, appointment, at=NOW, zone=ZONE)
        session.flush()


@pytest.fixture
def world(session) -> World:
    clinic = build_clinic(session, texts=True, beds=12, radiologists=4, hours=(dt.time(7), dt.time(20)))
    clinic.rooms["CT 1"].ae_title = "CT1"
    clinic.rooms["CT 2"].ae_title = "CT2"
    clinic.rooms["MRT"].ae_title = "MRT1"
    session.flush()
    return World(clinic, clinic.rooms["CT 1"], clinic.rooms["CT 2"])


@pytest.fixture
def zoe(session):
    return make_patient(
        session, family_name="Müller", given_name="Zoë", birth_date=dt.date(1961, 4, 9), clinic_number="P-4711"
    )


@pytest.fixture
def dicom_config(app, tmp_path) -> DicomConfig:
    return dataclasses.replace(
        DicomConfig.from_app(app.config),
        ae_title=OUR_AE,
        host="127.0.0.1",
        port=0,
        storage_port=0,
        spool_dir=tmp_path / "spool",
        poll_seconds=0.2,
        zone=ZONE,
    )


@pytest.fixture
def dicom(app, session, dicom_config):
    """Our DICOM service in this process (the app's pinned clock: today is 23 Nov 2026)."""
    session.commit()
    server = DicomServer(app, dicom_config)
    server.start()
    yield server
    server.stop()


def run_tool(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, timeout=timeout, check=False)


# --- the PACS (Orthanc) -------------------------------------------------------------------------------


def orthanc_problem() -> str | None:
    if not os.access(ORTHANC, os.X_OK):
        return f"{ORTHANC} is missing (apt-get install orthanc)"
    return None


@pytest.fixture(scope="session")
def orthanc():
    """One Orthanc for the session, loaded with the studies of ``tests.dicom.studies``."""
    from .orthanc import Orthanc
    from .studies import PACS_STUDIES

    require_or_skip(orthanc_problem())
    pacs = Orthanc()
    try:
        pacs.start()
        for data in PACS_STUDIES.files():
            pacs.upload(data)
        yield pacs
    finally:
        pacs.stop()


@pytest.fixture
def pacs_config(dicom_config, orthanc) -> DicomConfig:
    from .orthanc import AE_TITLE

    return dataclasses.replace(
        dicom_config,
        pacs_host="127.0.0.1",
        pacs_port=orthanc.dicom_port,
        pacs_ae_title=AE_TITLE,
        pacs_timeout=10,
        retrieve_timeout=60,
    )


@pytest.fixture
def pacs(app, session, pacs_config, orthanc):
    """Our DICOM service with the PACS configured, and the PACS told where our storage listens."""
    session.commit()
    server = DicomServer(app, pacs_config)
    server.start()
    orthanc.add_modality("clinic", pacs_config.ae_title, server.storage_port)
    yield server
    server.stop()
