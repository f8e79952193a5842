"""The day's worklist: one row per appointment with the readiness flags the radiologist checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..core.messages import N_, Phrase, Phrases, as_phrase
from ..core.timefmt import day_bounds, fmt_date, fmt_time, to_local
from ..models import Appointment, Consent, ProcedureRecord
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, ReferralStatus
from . import implants, medication, mpps, preregistration

NEXT_ACTIONS = {
    AppointmentStatus.BOOKED: N_("check in"),
    AppointmentStatus.CHECKED_IN: N_("consent, then start"),
    AppointmentStatus.IN_PROCEDURE: N_("document, then end"),
    AppointmentStatus.IN_OBSERVATION: N_("observe, then discharge"),
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
    """One light of a row. ``label`` and ``detail`` (and a row's ``alerts``) are English marked for
    translation (``N_`` or a ``Phrase``): the screens and the printed list show them through ``_()``."""

    label: str
    ok: bool
    warn: bool = False
    detail: str = ""

    def __post_init__(self):
        # A marked sentence handed over as a plain str becomes a Phrase, which a screen shows translated.
        self.label = _phrase(self.label)
        self.detail = _phrase(self.detail)


_phrase = as_phrase


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
    blocker: str | None = None  # a checked-in patient's: what still stands before the start (``next_step``)

    @property
    def finished(self) -> bool:
        return STAGE_OF_THE_DAY.get(AppointmentStatus(self.appointment.status)) == 2

    @property
    def next_action(self) -> str:
        if self.appointment.status == AppointmentStatus.CHECKED_IN and self.blocker is not None:
            return _phrase(self.blocker)
        return _phrase(NEXT_ACTIONS.get(AppointmentStatus(self.appointment.status), ""))


def next_step(
    consent_signed: bool,
    plan: medication.HoldPlan | None,
    table_start: dt.datetime,
    zone: str,
    *,
    implant_open: bool = False,
) -> str:
    """What a checked-in patient's start waits for, in the order the start checks it
    (``procedure_day.start_procedure``): the signed consent, then an implant check still open, then the
    medication hold (the plan confirmed, a recorded last dose that keeps the hold) unless a radiologist
    overrode it; else the start itself. Walk finding: the worklist said "consent, then start" with the
    consent signed and the hold the blocker."""
    if not consent_signed:
        return N_("consent, then start")
    if implant_open:
        return N_("a radiologist checks the implant, then start")
    if plan is None or not plan.items:
        return N_("start")
    # A broken hold first: the plan cannot be confirmed over it (``medication.confirm_plan``).
    if plan.broken_for(table_start, zone):
        return N_("last dose too late for the hold: correct the date or rebook")
    if any(not plan.overridden(i) for i in plan.to_confirm):  # an override decides a drug without a rule only
        return N_("confirm the medication plan, then start")
    if not plan.satisfied_for(table_start, zone):
        return N_("record the last dose, then start")
    return N_("start")


def broken_drugs(items: list[medication.HoldItem]) -> str:
    """The drugs whose recorded last dose breaks the hold, each with that date ("Rivaroxaban 10.12.2026")."""
    return ", ".join(f"{i.drug_name} {fmt_date(i.last_dose_on)}" for i in items)


def medication_flag(
    plan: medication.HoldPlan,
    table_start: dt.datetime,
    zone: str,
    then: medication.PlanAtAppointment | None = None,
) -> Flag:
    """Green only when every hold is known to be met: a recorded last dose that keeps the hours. A plan
    still waiting for the telephone confirmation, or a hold with no recorded last dose, is amber. ``then``:
    an appointment that is over has the plan as it was known for it (``medication.plan_at_appointment``),
    and the flag says so, naming the drugs recorded since apart (walk 27)."""
    since = []
    if then is not None and then.as_of is not None:
        since.append(Phrase(N_("as recorded by the end of this appointment ({time})"), time=fmt_time(then.as_of, zone)))
        if then.recorded_since:
            since.append(
                Phrase(
                    N_("recorded since, not part of this appointment: {drugs}"),
                    drugs=", ".join(i.drug_name for i in then.recorded_since),
                )
            )
    if not plan.items:
        return Flag(N_("Medication hold"), True, detail=Phrases([Phrase(N_("no drugs that affect bleeding")), *since]))
    ok = plan.satisfied_for(table_start, zone)
    broken = plan.broken_for(table_start, zone)
    parts = [Phrase(i.drug_name) for i in plan.items]
    if broken:
        parts.append(Phrase(N_("last dose too late for the hold: {drugs}"), drugs=broken_drugs(broken)))
    unknown = [i.drug_name for i in plan.items if i.holds and i.last_dose_on is None]
    if unknown:
        parts.append(Phrase(N_("last dose not recorded: {drugs}"), drugs=", ".join(unknown)))
    if plan.awaiting_confirmation:
        parts.append(N_("plan awaits confirmation by telephone"))
    if plan.override_date is not None:
        parts.append(
            Phrase(
                N_("hold overridden by {who}: {reason}"),
                who=plan.override_by or Phrase(N_("a radiologist")),
                reason=plan.override_reason,
            )
        )
    parts.extend(since)
    ok = ok and not plan.awaiting_confirmation
    if plan.override_date is not None:
        # Never a plain green: the holds were not kept, a radiologist decided so.
        return Flag(N_("Medication hold overridden"), ok, warn=True, detail=Phrases(parts))
    return Flag(N_("Medication hold"), ok, warn=not ok and not broken, detail=Phrases(parts))


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
    language: str = "en",
) -> list[Row]:
    """The day's rows, or (``appointment_id``) the row of one appointment of that day. Each kind of
    record is read once for all rows: no query per appointment. ``finished_last``: the patients still to
    do first, in time order, then those in observation, then the finished ones (the screen's order; the
    printed list keeps the time order). ``language``: of the drug names in the medication flags."""
    start, end = day_bounds(day, zone)
    stmt = (
        select(Appointment)
        .options(
            # Many-to-one, one row each: in the appointments' own statement, not a round trip each.
            joinedload(Appointment.patient),
            joinedload(Appointment.procedure_type),
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

    lists = preregistration.checklists(
        session, [a.referral for a in appointments if a.referral is not None], imaging=files
    )
    scanner_warnings = mpps.warnings_for(session, ids)
    # The drug rules of every row's medication flag, read once (they were read again for each patient on
    # a blood thinner); ``plan_for`` keeps those of the row's bleeding class.
    rules = medication.rules_for_any(session, {e.drug_code for p in preregs.values() for e in p.medications})
    # The recorded ends of the procedures done: the medication they were done under (``plan_at_appointment``).
    done = [a.id for a in appointments if a.status in medication.PROCEDURE_DONE]
    ended = (
        dict(
            session.execute(
                select(ProcedureRecord.appointment_id, ProcedureRecord.ended_at).where(
                    ProcedureRecord.appointment_id.in_(done)
                )
            ).all()
        )
        if done
        else {}
    )
    result = []
    for a in appointments:
        local_day = to_local(a.table_start, zone).date()
        row = Row(a, a.patient.age_on(local_day))
        if now is not None and a.status == AppointmentStatus.BOOKED and a.table_start <= now:
            row.alerts.append(
                Phrase(N_("Late: not checked in (procedure due at {time})"), time=fmt_time(a.table_start, zone))
            )
        referral = a.referral
        prereg = preregs.get(a.referral_id)
        if referral is not None:
            items = lists[referral.id]
            if referral.status == ReferralStatus.CLOSED:
                # Closed after it was accepted (only an accepted referral closes: services.episodes), once
                # its procedure was done: the day's row is not waiting for an acceptance.
                items = [item for item in items if item.key != "referral"]
            missing = preregistration.missing(items)
            # The checklist as it is now (a drug recorded for a later stage shows here): an appointment that is
            # over says so of what is missing; its medication flag below stands as it was then (walk 27).
            label = N_("Pre-registration, as it is now") if missing and medication.is_over(a, now or utcnow()) else None
            row.flags.append(Flag(label or N_("Pre-registration"), not missing, detail=Phrases(missing)))
        implant_open = implants.check_outstanding(a)
        if implant_open is not None:  # the start is refused until a radiologist checks it (walk 26)
            row.flags.append(Flag(implant_open, False))
        imaging = preregistration.imaging_state(
            files.get(a.patient_id, []), referral is not None and referral.imaging_waived
        )
        row.flags.append(Flag(N_("Imaging"), imaging.done, warn=imaging.warn, detail=imaging.detail))
        row.flags.append(
            Flag(
                N_("Consent"),
                a.id in signed,
                detail=N_("signed") if a.id in signed else (N_("printed") if a.id in printed else N_("not printed")),
            )
        )
        plan = None
        if prereg is not None:
            then = medication.plan_at_appointment(
                medication.plan_for(session, prereg, a.procedure_type, a.region, language, rules=rules),
                a,
                ended.get(a.id),
                now or utcnow(),
            )
            plan = then.plan
            row.flags.append(medication_flag(plan, a.table_start, zone, then))
            if plan.override_date is not None and referral is not None:
                row.hold_override = HoldOverride(
                    plan.override_by or Phrase(N_("a radiologist")),
                    referral.hold_override_at,
                    plan.override_date,
                    plan.override_reason or "",
                )
            if plan.awaiting_confirmation:
                row.alerts.append(Phrase(N_("Medication plan awaits confirmation by telephone")))
            if prereg.allergies:
                row.alerts.append(Phrase(N_("Allergy: {allergies}"), allergies=Phrases(prereg.allergies, ", ")))
            for flag, text in (
                (prereg.diabetes, N_("Diabetes")),
                (prereg.pregnancy_possible, N_("Possible pregnancy")),
                (prereg.implant, Phrase(N_("Implant: {note}"), note=prereg.implant_note or Phrase(N_("yes")))),
            ):
                if flag:
                    row.alerts.append(_phrase(text))
        row.alerts.extend(_phrase(w) for w in scanner_warnings.get(a.id, []))
        if a.status == AppointmentStatus.CHECKED_IN:
            row.blocker = next_step(a.id in signed, plan, a.table_start, zone, implant_open=implant_open is not None)
        result.append(row)
    return result
