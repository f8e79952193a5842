"""The procedure day, one step each: check-in, no-show, signed consent, start, end, discharge.

Transitions only go forward; a step out of order answers 422 invalid_state (from the day book).
"""

from __future__ import annotations

from flask_login import current_user

from ...auth.access import roles
from ...core.errors import InvalidInput
from ...extensions import db
from ...models import Appointment, User
from ...models.vocab import Role
from ...scheduling import ending
from ...services import procedure_day
from ...web import now, scheduling_settings, zone
from .. import bp, present
from ..lookup import ID, find
from ..openapi import operation
from ..schemas.day import ConsentIn, DischargeIn
from ..schemas.scheduling import AppointmentDetail

APPOINTMENT = f"<{ID}:appointment_id>"
CARE = (Role.NURSE, Role.RADIOLOGIST)
STEP = {"ok": AppointmentDetail, "errors": (404, 422), "tags": ["appointments"]}


def _answer(appointment: Appointment) -> AppointmentDetail:
    return present.appointment_detail(db.session, appointment)


@bp.post(f"/appointments/{APPOINTMENT}/check-in")
@roles(Role.FRONT_DESK, Role.NURSE)
@operation(**STEP)
def check_in(appointment_id: int):
    """booked → checked_in, on the day of the appointment."""
    appointment = find(Appointment, appointment_id, "appointment")
    procedure_day.check_in(db.session, current_user, appointment, at=now(), zone=zone())
    return _answer(appointment)


@bp.post(f"/appointments/{APPOINTMENT}/no-show")
@roles(Role.FRONT_DESK)
@operation(**STEP)
def mark_no_show(appointment_id: int):
    """booked → no_show, once its time has passed; frees the resources."""
    appointment = find(Appointment, appointment_id, "appointment")
    ending.mark_no_show(db.session, scheduling_settings(), current_user, appointment)
    return _answer(appointment)


@bp.post(f"/appointments/{APPOINTMENT}/consent")
@roles(Role.RADIOLOGIST)
@operation(**STEP)
def record_consent(appointment_id: int, json: ConsentIn):
    """Record that the patient signed the printed consent form (print it first:
    POST /appointments/{id}/consent-form.pdf). Needed before the procedure can start."""
    appointment = find(Appointment, appointment_id, "appointment")
    taken_by = db.session.get(User, json.taken_by_id)
    if taken_by is None or not taken_by.active or not taken_by.has_role(Role.RADIOLOGIST):
        raise InvalidInput("taken_by_id must name an active radiologist.")
    procedure_day.record_consent(
        db.session,
        current_user,
        appointment,
        taken_by_id=taken_by.id,
        explained_by_id=json.explained_by_id,
        explained_at=json.explained_at,
        signed_at=json.signed_at or now(),
        consent_id=json.consent_id,
        zone=zone(),
    )
    return _answer(appointment)


@bp.post(f"/appointments/{APPOINTMENT}/start")
@roles(Role.RADIOLOGIST)
@operation(**STEP)
def start_procedure(appointment_id: int):
    """checked_in → in_procedure; needs a signed consent (422 no_consent), the medication holds met and
    settled, or overridden by a radiologist (422 medication_hold), and under MRI guidance a recorded implant
    checked by a radiologist (422 implant_unchecked)."""
    appointment = find(Appointment, appointment_id, "appointment")
    procedure_day.start_procedure(db.session, current_user, appointment, at=now(), zone=zone())
    return _answer(appointment)


@bp.post(f"/appointments/{APPOINTMENT}/end")
@roles(Role.RADIOLOGIST)
@operation(**STEP)
def end_procedure(appointment_id: int):
    """in_procedure → in_observation: the observation timer starts."""
    appointment = find(Appointment, appointment_id, "appointment")
    procedure_day.end_procedure(db.session, current_user, appointment, at=now())
    return _answer(appointment)


@bp.post(f"/appointments/{APPOINTMENT}/discharge")
@roles(*CARE)
@operation(**STEP)
def discharge(appointment_id: int, json: DischargeIn):
    """in_observation → discharged, when the discharge checklist is complete (422 discharge_incomplete,
    details.missing). Items given here are recorded on the checklist first. Before the planned end or
    without the checks the procedure needs, a reason is needed (422 discharge_early, details.gaps). While the
    last blood pressure or pulse recorded is critical there is no discharge, and ``stable`` cannot be set
    (422 critical_vitals, details.reasons), whatever the reason. While the last check of the strength (motor) found
    it reduced, only a radiologist discharges, with a reason, flagged (422 motor_reduced for anyone else)."""
    appointment = find(Appointment, appointment_id, "appointment")
    items = json.model_dump(exclude_none=True, exclude={"reason"})
    if items:
        procedure_day.set_discharge_checklist(db.session, appointment, **items)
    procedure_day.discharge(db.session, current_user, appointment, at=now(), reason=json.reason)
    return _answer(appointment)
