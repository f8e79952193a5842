"""The day's worklist: one row per appointment with the readiness flags the radiologist checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..core.timefmt import day_bounds, fmt_time, to_local
from ..models import Appointment, Consent
from ..models.vocab import AppointmentStatus
from . import medication, mpps, preregistration

NEXT_ACTIONS = {
    AppointmentStatus.BOOKED: "check in",
    AppointmentStatus.CHECKED_IN: "consent, then start",
    AppointmentStatus.IN_PROCEDURE: "document, then end",
    AppointmentStatus.IN_OBSERVATION: "observe, then discharge",
}


# Where a patient is in the day, for the screen's order: to do, in observation, finished.
STAGE_OF_THE_DAY = {
    AppointmentStatus.IN_OBSERVATION: 1,
    AppointmentStatus.DISCHARGED: 2,
    AppointmentStatus.CANCELLED: 2,
    AppointmentStatus.NO_SHOW: 2,
}


@dataclass
class Flag:
    label: str
    ok: bool
    warn: bool = False
    detail: str = ""


@dataclass(frozen=True)
class HoldOverride:
    """A radiologist's override of the medication hold: shown at the table, with who and why."""

    by: str
    at: dt.datetime | None
    earliest: dt.date
    reason: str


@dataclass
class Row:
    appointment: Appointment
    age: int
    flags: list[Flag] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    hold_override: HoldOverride | None = None

    @property
    def finished(self) -> bool:
        return STAGE_OF_THE_DAY.get(AppointmentStatus(self.appointment.status)) == 2

    @property
    def next_action(self) -> str:
        return NEXT_ACTIONS.get(AppointmentStatus(self.appointment.status), "")


def medication_flag(plan: medication.HoldPlan, table_start: dt.datetime, zone: str) -> Flag:
    """Green only when every hold is known to be met: a recorded last dose that keeps the hours. A plan
    still waiting for the telephone confirmation, or a hold with no recorded last dose, is amber."""
    if not plan.items:
        return Flag("Medication hold", True, detail="no drugs that affect bleeding")
    ok = plan.satisfied_for(table_start, zone)
    violated = plan.override_date is None and any(
        i.holds and i.last_dose_on is not None and not i.satisfied_for(table_start, zone) for i in plan.items
    )
    parts = [i.drug_name for i in plan.items]
    unknown = [i.drug_name for i in plan.items if i.holds and i.last_dose_on is None]
    if unknown:
        parts.append("last dose not recorded: " + ", ".join(unknown))
    if plan.awaiting_confirmation:
        parts.append("plan awaits confirmation by telephone")
    if plan.override_date is not None:
        parts.append(f"hold overridden by {plan.override_by or 'a radiologist'}: {plan.override_reason}")
    ok = ok and not plan.awaiting_confirmation
    if plan.override_date is not None:
        # Never a plain green: the holds were not kept, a radiologist decided so.
        return Flag("Medication hold overridden", ok, warn=True, detail="; ".join(parts))
    return Flag("Medication hold", ok, warn=not ok and not violated, detail="; ".join(parts))


def rows(
    session: Session,
    day: dt.date,
    zone: str,
    *,
    room_id: int | None = None,
    radiologist_id: int | None = None,
    include_ended: bool = False,
    appointment_id: int | None = None,
    finished_last: bool = False,
    now: dt.datetime | None = None,
) -> list[Row]:
    """The day's rows, or (``appointment_id``) the row of one appointment of that day. Each kind of
    record is read once for all rows: no query per appointment. ``finished_last``: the patients still to
    do first, in time order, then those in observation, then the finished ones (the screen's order; the
    printed list keeps the time order)."""
    start, end = day_bounds(day, zone)
    stmt = (
        select(Appointment)
        .options(
            selectinload(Appointment.patient),
            selectinload(Appointment.procedure_type),
            selectinload(Appointment.referral),
        )
        .where(Appointment.table_start >= start, Appointment.table_start < end)
    )
    if appointment_id:
        stmt = stmt.where(Appointment.id == appointment_id)
    if room_id:
        stmt = stmt.where(Appointment.room_id == room_id)
    if radiologist_id:
        stmt = stmt.where(Appointment.radiologist_id == radiologist_id)
    if not include_ended:
        stmt = stmt.where(Appointment.status.not_in([AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW]))
    appointments = list(session.scalars(stmt.order_by(Appointment.table_start, Appointment.room_id)))
    if finished_last:
        appointments.sort(key=lambda a: STAGE_OF_THE_DAY.get(AppointmentStatus(a.status), 0))  # stable: time order
    if not appointments:
        return []
    ids = [a.id for a in appointments]
    consents = session.execute(
        select(Consent.appointment_id, Consent.signed_at.is_not(None)).where(Consent.appointment_id.in_(ids))
    ).all()
    printed = {appointment_id for appointment_id, _ in consents}
    signed = {appointment_id for appointment_id, is_signed in consents if is_signed}
    patient_ids = {a.patient_id for a in appointments}
    files = preregistration.imaging_statuses_by_patient(session, patient_ids)
    # Loaded with the referrals (Referral.preregistration is joined): no second read of them and their drugs.
    preregs = {
        a.referral_id: a.referral.preregistration
        for a in appointments
        if a.referral is not None and a.referral.preregistration is not None
    }

    scanner_warnings = mpps.warnings_for(session, ids)
    result = []
    for a in appointments:
        local_day = to_local(a.table_start, zone).date()
        row = Row(a, a.patient.age_on(local_day))
        if now is not None and a.status == AppointmentStatus.BOOKED and a.table_start <= now:
            row.alerts.append(f"Late: not checked in (procedure due at {fmt_time(a.table_start, zone)})")
        referral = a.referral
        prereg = preregs.get(a.referral_id)
        if referral is not None:
            items = preregistration.checklist(session, referral, people=False, imaging=files.get(a.patient_id, []))
            missing = preregistration.missing(items)
            row.flags.append(Flag("Pre-registration", not missing, detail="; ".join(missing)))
        imaging = preregistration.imaging_state(
            files.get(a.patient_id, []), referral is not None and referral.imaging_waived
        )
        row.flags.append(Flag("Imaging", imaging.done, warn=imaging.warn, detail=imaging.detail))
        row.flags.append(
            Flag(
                "Consent",
                a.id in signed,
                detail="signed" if a.id in signed else ("printed" if a.id in printed else "not printed"),
            )
        )
        if prereg is not None:
            plan = medication.plan_for(session, prereg, a.procedure_type, a.region)
            row.flags.append(medication_flag(plan, a.table_start, zone))
            if plan.override_date is not None and referral is not None:
                row.hold_override = HoldOverride(
                    plan.override_by or "a radiologist",
                    referral.hold_override_at,
                    plan.override_date,
                    plan.override_reason or "",
                )
            if plan.awaiting_confirmation:
                row.alerts.append("Medication plan awaits confirmation by telephone")
            if prereg.allergies:
                row.alerts.append("Allergy: " + ", ".join(prereg.allergies))
            for flag, text in (
                (prereg.diabetes, "Diabetes"),
                (prereg.pregnancy_possible, "Possible pregnancy"),
                (prereg.implant, "Implant: " + (prereg.implant_note or "yes")),
            ):
                if flag:
                    row.alerts.append(text)
        row.alerts.extend(scanner_warnings.get(a.id, []))
        result.append(row)
    return result
