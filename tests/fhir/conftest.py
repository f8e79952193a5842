"""FHIR test fixtures: the API's test clinic and world, and a client that speaks FHIR with a token."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from clinic.core import clock
from clinic.models import DrugOption, ImagingStudy, ProcedureRecord, StoredFile, StudyFile
from clinic.models.vocab import AppointmentStatus
from clinic.services import procedure_records
from tests.api.conftest import api_as, clinic, everyone, token_for, users_of, world  # noqa: F401  (fixtures)
from tests.conftest import NOW, ZONE
from tests.factories import record_details

PREFIX = "/fhir/R4"


class Fhir:
    """A test client for /fhir/R4 with a bearer token; answers parsed as JSON."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def headers(self) -> dict:
        headers = {"Accept": "application/fhir+json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, **kwargs: Any):
        return self.client.get(PREFIX + path, headers=self.headers(), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self.client.post(
            PREFIX + path, json=json, headers={**self.headers(), "Content-Type": "application/fhir+json"}, **kwargs
        )

    def search(self, path: str, data: dict):
        return self.client.post(PREFIX + path, data=data, headers=self.headers())


@pytest.fixture
def fhir_as(app, clinic, token_for):  # noqa: F811
    users = users_of(clinic)

    def make(name: str) -> Fhir:
        return Fhir(app.test_client(), token_for(users[name]))

    return make


@pytest.fixture
def fhir(app, everyone, token_for) -> Fhir:  # noqa: F811
    return Fhir(app.test_client(), token_for(everyone))


@pytest.fixture
def records(session, world):  # noqa: F811
    """The world's procedure in observation documented (a drug, an addendum after signing), and a prior
    MRI with one file for a booked patient."""
    appointment = world.appointments["in_observation"]
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    drug = session.scalars(select(DrugOption).order_by(DrugOption.id)).first()
    # Ended when the patient went to observation, at the latest (the record's end cannot come after it).
    to_observation = appointment.last_change_to(AppointmentStatus.IN_OBSERVATION)
    details = record_details(
        record,
        ended_at=min(record.started_at + dt.timedelta(minutes=18), to_observation),
        approach="transforaminal",
        dlp_mgycm=Decimal("120.5"),
        note="Contrast spread along the L5 root.",
        drugs=[(drug.id, Decimal("40"))],
    )
    radiologist = world.clinic.radiologists[0]
    clock.pin(details.ended_at)  # written once the procedure is over (the record's times are not in the future)
    procedure_records.update(session, radiologist, record, details, zone=ZONE)
    procedure_records.sign(session, radiologist, record, zone=ZONE)
    clock.pin(NOW)
    booked = world.appointments["booked"]
    stored = StoredFile(sha256="a" * 64, size=1234, content_type="application/pdf")
    session.add(stored)
    session.flush()
    study = ImagingStudy(
        patient_id=booked.patient_id,
        referral_id=booked.referral_id,
        modality="MRI",
        body_region="lumbar spine",
        study_date=dt.date(2026, 10, 2),
        facility="Radiologie am Markt",
        description="Disc herniation L4/5",
    )
    study.files.append(StudyFile(stored_file_id=stored.id, original_name="report.pdf", kind="pdf", uploaded_at=NOW))
    session.add(study)
    session.commit()
    return {"procedure": record, "study": study}
