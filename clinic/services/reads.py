"""Reads of patient data, audited in one place (invariant 10).

Every request whose address names a patient's record (a patient, referral, appointment, hold, study
file, referral document, follow-up or waitlist entry) and that answered with the record (200: a page,
a PDF, a JSON body) writes one ``patient.view`` event naming the patient, the actor and what was
opened. The request boundary calls ``record_request``; views do not audit reads by hand, so a new
screen or API call is audited the day it is added. A request that already wrote an event for that
patient (a download, a change) is not recorded twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..core import audit
from ..models import (
    Appointment,
    BookingHold,
    FollowUp,
    ImagingStudy,
    Patient,
    Referral,
    ReferralDocument,
    StudyFile,
    WaitlistEntry,
)


def _through(patient_id, child, link):
    """The statement for the patient's id of a ``child`` row (by its id), reached by ``link``."""
    return lambda v: select(patient_id).join(child, link).where(child.id == v)


# Address argument → (audited object type, statement for the patient's id given the argument's value).
_PATIENT_OF: dict[str, tuple[str, Any]] = {
    "patient_id": ("patients", lambda v: select(Patient.id).where(Patient.id == v)),
    "referral_id": ("referrals", lambda v: select(Referral.patient_id).where(Referral.id == v)),
    "appointment_id": ("appointments", lambda v: select(Appointment.patient_id).where(Appointment.id == v)),
    "token": ("booking_holds", lambda v: select(BookingHold.patient_id).where(BookingHold.token == v)),
    "file_id": ("study_files", _through(ImagingStudy.patient_id, StudyFile, StudyFile.study_id == ImagingStudy.id)),
    "document_id": (
        "referral_documents",
        _through(Referral.patient_id, ReferralDocument, ReferralDocument.referral_id == Referral.id),
    ),
    "follow_up_id": (
        "follow_ups",
        _through(Appointment.patient_id, FollowUp, FollowUp.appointment_id == Appointment.id),
    ),
    "entry_id": ("waitlist_entries", lambda v: select(WaitlistEntry.patient_id).where(WaitlistEntry.id == v)),
}


# Address argument → the model whose row of that id the page may have loaded already.
_ROW_OF = {"patient_id": Patient, "referral_id": Referral, "appointment_id": Appointment}


def _held(session: Session, name: str, value) -> int | None:
    """The patient's id from the row the page loaded (no statement), None if the session does not hold it."""
    model = _ROW_OF.get(name)
    if model is None or not isinstance(value, int):
        return None
    row = session.identity_map.get(identity_key(model, value))
    if row is None:
        return None
    return row.id if model is Patient else row.__dict__.get("patient_id")


def names_patient_data(arguments: Mapping[str, Any]) -> bool:
    return any(name in _PATIENT_OF for name in arguments)


def record_request(session: Session, actor, what: str, arguments: Mapping[str, Any]) -> list[int]:
    """Audit the opening of the records named by a request's address; returns the patients recorded."""
    recorded = []
    for name, value in arguments.items():
        if name not in _PATIENT_OF:
            continue
        object_type, statement = _PATIENT_OF[name]
        patient_id = _held(session, name, value)
        if patient_id is None:
            patient_id = session.scalar(statement(value))
        if patient_id is None or patient_id in audit.patients_audited(session):
            continue
        audit.record(
            session,
            "patient.view",
            object_type,
            value if name != "token" else None,
            patient_id=patient_id,
            summary={"opened": what},
            actor=actor,
        )
        recorded.append(patient_id)
    return recorded
