"""Patients: search (POST, so that names stay out of URLs), register, read."""

from __future__ import annotations

from flask_login import current_user

from ...auth.access import roles
from ...extensions import db
from ...models.vocab import Role
from ...services import intake
from ...services import patients as patient_service
from ...web import local_today
from .. import bp, present
from ..lookup import ID
from ..openapi import operation
from ..schemas.patients import Patient, PatientIn, PatientList, PatientSearch

CLINICAL = (Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)


@bp.post("/patients/search")
@roles(*CLINICAL)
@operation(ok=PatientList, tags=["patients"])
def search_patients(json: PatientSearch):
    """Find patients by name prefixes, date of birth or clinic number."""
    found = patient_service.search(db.session, json.q, limit=json.limit)
    return PatientList(items=[present.patient_summary(p) for p in found])


@bp.post("/patients")
@roles(Role.FRONT_DESK)
@operation(ok=Patient, status=201, errors=(409,), tags=["patients"])
def create_patient(json: PatientIn):
    """Register a patient. A patient with the same name and date of birth answers 409 (likely_duplicate,
    details.patient_ids) unless allow_duplicate is true."""
    details = intake.PatientDetails(**json.model_dump(exclude={"allow_duplicate"}))
    patient = intake.register_patient(
        db.session, current_user, details, today=local_today(), allow_duplicate=json.allow_duplicate
    )
    return present.patient(db.session, patient), 201


@bp.get(f"/patients/<{ID}:patient_id>")
@roles(*CLINICAL)
@operation(ok=Patient, errors=(404,), tags=["patients"])
def get_patient(patient_id: int):
    """A patient's record; opening it is written to the audit trail."""
    patient = patient_service.open_record(db.session, current_user, patient_id)
    return present.patient(db.session, patient)
