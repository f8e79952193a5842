"""Appointments: book, read, list by day, reschedule, cancel."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ...auth.access import roles
from ...core.timefmt import day_bounds
from ...extensions import db
from ...models import Appointment, Referral
from ...models.vocab import Role
from ...services import appointments
from ...web import local_today, scheduling_settings, zone
from .. import bp, present
from ..idempotent import idempotent
from ..lookup import ID, find
from ..openapi import operation
from ..planning import candidate, referral_plan
from ..schemas.common import SlotTaken
from ..schemas.scheduling import (
    AppointmentDetail,
    AppointmentList,
    AppointmentQuery,
    BookingIn,
    CancelIn,
    Cancelled,
    RescheduleIn,
    WaitlistOffer,
)

APPOINTMENT = f"<{ID}:appointment_id>"
DESK = (Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)


@bp.post("/appointments")
@roles(Role.FRONT_DESK)
@idempotent
@operation(ok=AppointmentDetail, status=201, errors=(404, 422), models={409: SlotTaken}, tags=["appointments"])
def create_appointment(json: BookingIn):
    """Book a slot from GET /slots for a referral: room, radiologist and bed all at once, or none.
    A referral has at most one active appointment (409 already_booked: reschedule that one). Send an
    Idempotency-Key header to retry safely: the same key answers with the stored result.
    409 slot_taken when someone else was quicker (details.candidates: the next free chains); 422
    not_ready (details.missing) while the pre-registration is incomplete, medication_hold before the
    hold plan allows, steroid_interval within 7 days of another steroid injection of the patient
    (details.earliest_day: the first day it may be)."""
    referral = find(Referral, json.referral_id, "referral")
    appointment = appointments.book(
        db.session,
        scheduling_settings(),
        current_user,
        referral=referral,
        plan=referral_plan(referral),
        candidate=candidate(json),
        note=json.note,
    )
    return present.appointment_detail(db.session, appointment), 201


@bp.get("/appointments")
@roles(*DESK)
@operation(ok=AppointmentList, tags=["appointments"])
def list_appointments(query: AppointmentQuery):
    """The appointments of one day (the clinic's calendar day), in table order; by room and status."""
    day = query.date or local_today()
    start, end = day_bounds(day, zone())
    stmt = select(Appointment).where(Appointment.table_start >= start, Appointment.table_start < end)
    if query.room_id is not None:
        stmt = stmt.where(Appointment.room_id == query.room_id)
    if query.status:
        stmt = stmt.where(Appointment.status.in_(query.status))
    found = db.session.scalars(stmt.order_by(Appointment.table_start, Appointment.room_id, Appointment.id))
    return AppointmentList(date=day, items=[present.appointment(a) for a in found])


@bp.get(f"/appointments/{APPOINTMENT}")
@roles(*DESK)
@operation(ok=AppointmentDetail, errors=(404,), tags=["appointments"])
def get_appointment(appointment_id: int):
    """An appointment with its status history and printed consent forms."""
    appointment = find(Appointment, appointment_id, "appointment")
    return present.appointment_detail(db.session, appointment)


@bp.post(f"/appointments/{APPOINTMENT}/reschedule")
@roles(Role.FRONT_DESK)
@idempotent
@operation(ok=AppointmentDetail, errors=(404, 422), models={409: SlotTaken}, tags=["appointments"])
def reschedule_appointment(appointment_id: int, json: RescheduleIn):
    """Move a booked appointment to another slot. The old time stays held until the new one is in. With
    ``moving_from`` (the time the client last read), a move made meanwhile by someone else is refused
    (409 moved_meanwhile) rather than overwritten; 422 steroid_interval as for a booking."""
    appointment = find(Appointment, appointment_id, "appointment")
    appointments.reschedule(
        db.session, scheduling_settings(), current_user, appointment, candidate(json), seen_start=json.moving_from
    )
    return present.appointment_detail(db.session, appointment)


@bp.post(f"/appointments/{APPOINTMENT}/cancel")
@roles(Role.FRONT_DESK)
@idempotent
@operation(ok=Cancelled, errors=(404, 422), tags=["appointments"])
def cancel_appointment(appointment_id: int, json: CancelIn):
    """Cancel with a reason. The answer lists waiting patients who could take the freed time."""
    appointment = find(Appointment, appointment_id, "appointment")
    offers = appointments.cancel(db.session, scheduling_settings(), current_user, appointment, json.reason)
    return Cancelled(
        appointment=present.appointment(appointment),
        waitlist_offers=[
            WaitlistOffer(
                entry_id=offer.entry.id,
                patient_id=offer.entry.patient_id,
                referral_id=offer.entry.referral_id,
                slot=present.slot(offer.candidate),
            )
            for offer in offers
        ],
    )
