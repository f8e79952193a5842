"""POST /fhir/R4/Appointment: book a Slot for a ServiceRequest through the booking service.

The body names the Slot (``slot``) and the referral (``basedOn``); a patient participant, if given,
must be the referral's patient. Everything else is the booking service's to decide, with the same
guards as the screens and /api/v1: readiness (422 not_ready), the medication hold, the clinic's hours,
and a time taken meanwhile (409, with the next free times in the OperationOutcome's text).
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ..auth.access import roles
from ..core.errors import DomainError, NotFound
from ..extensions import db
from ..models import Referral
from ..models.vocab import Role
from ..scheduling import booking
from ..services import appointments
from ..web import scheduling_settings, zone
from . import bp, slots
from .outcome import FhirError, operation_outcome, resource_response
from .resources import care
from .resources.slots import SlotKey
from .search import reference_id
from .views import base_url

BOOKABLE_STATUSES = {"proposed", "pending", "booked"}


def _one_reference(body: dict, field: str, resource_type: str) -> str:
    refs = body.get(field)
    if not isinstance(refs, list) or len(refs) != 1 or not isinstance(refs[0], dict):
        raise FhirError(400, f"Give exactly one {field} reference to a {resource_type}.")
    value = refs[0].get("reference")
    if not isinstance(value, str) or f"{resource_type}/" not in value:
        raise FhirError(400, f"{field} must reference a {resource_type} (e.g. {resource_type}/…).")
    return value


def _patient_participants(body: dict) -> list[str]:
    found = []
    for participant in body.get("participant") or []:
        actor = participant.get("actor") if isinstance(participant, dict) else None
        value = actor.get("reference") if isinstance(actor, dict) else None
        if isinstance(value, str) and "Patient/" in value:
            found.append(value)
    return found


@bp.post("/Appointment")
@roles(Role.FRONT_DESK)
def create_appointment():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("resourceType") != "Appointment":
        raise FhirError(400, "Send an Appointment resource as JSON (application/fhir+json).")
    if body.get("status", "booked") not in BOOKABLE_STATUSES:
        raise FhirError(400, "A new appointment is booked (status booked, pending or proposed).")
    slot_ref = _one_reference(body, "slot", "Slot")
    key = SlotKey.parse(slot_ref.rstrip("/").split("/")[-1])
    if key is None:
        raise FhirError(400, f"{slot_ref!r} is not a Slot of this server: search Slot first.")
    referral = db.session.get(
        Referral, reference_id(_one_reference(body, "basedOn", "ServiceRequest"), "ServiceRequest")
    )
    if referral is None:
        raise NotFound("There is no such ServiceRequest.")
    patients = {reference_id(value, "Patient") for value in _patient_participants(body)}
    if patients and patients != {referral.patient_id}:
        raise DomainError("The patient participant is not the patient of the ServiceRequest.", code="wrong_patient")
    comment = body.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 2000):
        raise FhirError(400, "comment is a text of at most 2000 characters.")

    plan, candidate = slots.candidate_for_booking(db.session, referral, key)
    try:
        appointment = appointments.book(
            db.session,
            scheduling_settings(),
            current_user,
            referral=referral,
            plan=plan,
            candidate=candidate,
            note=comment,
        )
    except booking.SlotTaken as taken:
        db.session.rollback()
        offers = ", ".join(f"Slot/{SlotKey.of(plan, c).id}" for c in taken.candidates)
        message = taken.message + (f" Free now: {offers}." if offers else "")
        return operation_outcome(409, message, code=taken.code)
    db.session.flush()
    location = f"{base_url()}/Appointment/{appointment.id}/_history/{appointment.version}"
    return resource_response(care.appointment(appointment, zone()), 201, headers={"Location": location})
