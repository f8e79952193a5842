"""The restart calls the discharge sheet promises: for a paused blood thinner whose restart it cannot tell
for sure (no restart hours in the rule, the end of the procedure not recorded, a plan not settled, a drug left
to the prescriber or without a rule), the sheet says "Wir rufen Sie an, um den Wiederbeginn mit Ihnen
abzusprechen". Somebody has to make that call, or the patient may stay off an anticoagulant (stroke risk).

Which drugs need the call is the sheet's own decision (``HoldPlan.restart``, the same function the sheet
prints from), so the list cannot disagree with what the patient was told. A call is settled once a
radiologist records it (``RestartCall``: the agreed restart and/or a note); until then the appointment's drug
stays on the radiologists' list, for appointments in observation or discharged in the last ``WINDOW``,
marked overdue once ``OVERDUE_AFTER`` has passed since the procedure ended. The table's own audit event said
only whose call it was; ``record_call`` writes the event itself, with the drug, the agreed restart and the note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from ..core import audit
from ..core.errors import Conflict, PermissionDenied, invalid
from ..core.holds import HoldItem, HoldPlan, Restart
from ..core.messages import N_
from ..core.timefmt import fmt_datetime
from ..models import Appointment, PreRegistration, ProcedureRecord, RestartCall, User
from ..models.base import utcnow
from ..models.vocab import Role
from . import medication
from .aftercare import ENDED, ended_at
from .documents import hold_plan_for

# How far back the list looks for procedures whose restart call is open (walk 24: at 30 days an unmade call
# dropped off the list within the month).
WINDOW = dt.timedelta(days=90)
# An open call is overdue a day after the procedure ended: the restart times the rules give run up to 24 hours
# after the procedure (procedures.md §4: ASRA 24 h for most drugs, 6-24 h for the others; SIR "the day after"),
# so a call not made by then may leave the patient off the drug past the restart. Counted from the recorded end
# of the procedure, else from the planned end of the table. One figure for every drug, kept simple on purpose:
# an earlier restart (6 or 12 hours) is no reason to wait a day, the list shows every open call from the start.
OVERDUE_AFTER = dt.timedelta(hours=24)


@dataclass(frozen=True)
class RestartCallDue:
    """One drug of one appointment whose restart the sheet left to a call. ``ended_at``: the recorded end
    of the procedure (None: not recorded)."""

    appointment: Appointment
    item: HoldItem
    ended_at: dt.datetime | None
    restart: Restart

    @property
    def overdue_from(self) -> dt.datetime:
        """When the call, not made yet, is overdue (``OVERDUE_AFTER``)."""
        return (self.ended_at or self.appointment.table_end) + OVERDUE_AFTER

    def overdue(self, now: dt.datetime) -> bool:
        return now >= self.overdue_from


def _due(appointment: Appointment, plan: HoldPlan, end: dt.datetime | None) -> list[RestartCallDue]:
    due = []
    plan = plan.as_of(end or appointment.table_end)  # a drug recorded after the procedure was not part of it
    for item in plan.items:
        restart = plan.restart(item, end)
        if restart is not None and restart.needs_call:
            due.append(RestartCallDue(appointment, item, end, restart))
    return due


def calls_needed(session: Session, appointment: Appointment, language: str = "en") -> list[RestartCallDue]:
    """The drugs of the appointment whose restart its discharge sheet leaves to a call, recorded or not;
    none before the procedure has ended. ``language``: of the drug names."""
    if appointment.status not in ENDED or appointment.referral is None:
        return []
    return _due(appointment, hold_plan_for(session, appointment, language), ended_at(session, appointment))


def recorded(session: Session, appointment_ids: list[int]) -> dict[tuple[int, str], RestartCall]:
    """The recorded calls of these appointments, by (appointment id, drug code)."""
    if not appointment_ids:
        return {}
    rows = session.scalars(
        select(RestartCall)
        .options(joinedload(RestartCall.recorded_by))
        .where(RestartCall.appointment_id.in_(appointment_ids))
        .order_by(RestartCall.id)
    )
    return {(row.appointment_id, row.drug_code): row for row in rows}


def pending_for(session: Session, appointment: Appointment, language: str = "en") -> list[RestartCallDue]:
    """The appointment's drugs whose restart call is not recorded yet."""
    due = calls_needed(session, appointment, language)
    done = recorded(session, [appointment.id]) if due else {}
    return [d for d in due if (appointment.id, d.item.drug_code) not in done]


def pending(session: Session, *, now: dt.datetime, language: str = "en") -> list[RestartCallDue]:
    """Every drug whose restart call is still open, for procedures of the last ``WINDOW`` that have ended
    (in observation or discharged), the earliest procedure first. Each kind of record is read once for all
    appointments (the list sits on the worklist page, whose statements must not grow with its rows)."""
    rows = session.execute(
        select(Appointment, ProcedureRecord.ended_at)
        .outerjoin(ProcedureRecord, ProcedureRecord.appointment_id == Appointment.id)
        .join(PreRegistration, PreRegistration.referral_id == Appointment.referral_id)
        .options(
            joinedload(Appointment.patient),
            joinedload(Appointment.procedure_type),
            selectinload(Appointment.referral),
        )
        .where(
            Appointment.status.in_(ENDED),
            Appointment.table_start >= now - WINDOW,
            PreRegistration.medications.any(),
        )
        .order_by(Appointment.table_start, Appointment.id)
    ).all()
    if not rows:
        return []
    preregs = {a.id: a.referral.preregistration for a, _ in rows}
    rules = medication.rules_for_any(session, {e.drug_code for p in preregs.values() for e in p.medications})
    done = recorded(session, [a.id for a, _ in rows])
    result = []
    for appointment, end in rows:
        plan = medication.plan_for(
            session, preregs[appointment.id], appointment.procedure_type, appointment.region, language, rules=rules
        )
        result += [d for d in _due(appointment, plan, end) if (appointment.id, d.item.drug_code) not in done]
    return result


def record_call(
    session: Session,
    actor,
    appointment: Appointment,
    drug_code: str,
    *,
    agreed_restart_at: dt.datetime | None,
    note: str | None,
    zone: str,
    reached: bool = False,
) -> tuple[RestartCall, HoldItem]:
    """A radiologist records the restart call for one drug of the appointment: the agreed restart (UTC) and/or
    a note. Refused, with nothing written: by anyone but a radiologist; before the procedure has ended; for a
    drug that is not the appointment's; for one whose restart the sheet gave as a time (no call needed); for
    one already recorded; without ``reached`` (the restart settled with the patient: a call that did not reach
    them stays on the list); with neither a time nor a note; with a time before the end of the procedure. Returns
    the call and the drug's hold item (its name for the screen's message)."""
    who = audit.actor_of(actor)
    user = session.get(User, who.id) if who.id else None
    if user is None or not user.has_role(Role.RADIOLOGIST):
        raise PermissionDenied(N_("Only a radiologist records the call about restarting a blood thinner."))
    note = (note or "").strip() or None
    if not reached:  # walk 24: "not reached, left a message" recorded as the call took it off the list
        raise invalid(
            N_(
                "Record the call once the restart is settled with the patient. A call that did not reach them "
                "is not recorded: it stays on the list."
            ),
            "reached",
        )
    if agreed_restart_at is None and note is None:
        raise invalid(N_("Enter the agreed restart or a note about the call."), ("agreed_restart_at", "note"))
    if appointment.status not in ENDED:
        raise Conflict(
            N_("The call about restarting a blood thinner is recorded once the procedure has ended."),
            code="procedure_not_ended",
        )
    plan = hold_plan_for(session, appointment) if appointment.referral is not None else None
    item = next((i for i in plan.items if i.drug_code == drug_code), None) if plan is not None else None
    if item is None:
        raise invalid(N_("This drug is not among the medicines of this appointment."), "drug_code")
    end = ended_at(session, appointment)
    if not any(d.item.drug_code == drug_code for d in _due(appointment, plan, end)):
        raise Conflict(
            N_("No call is needed for {drug}: the discharge sheet does not leave its restart to a call."),
            code="restart_call_not_needed",
            drug=item.named,
        )
    already = N_("The call about restarting {drug} is already recorded.")
    if recorded(session, [appointment.id]).get((appointment.id, drug_code)) is not None:
        raise Conflict(already, code="restart_call_recorded", drug=item.named)
    if agreed_restart_at is not None and end is not None and agreed_restart_at < end:
        raise invalid(
            N_("The agreed restart ({when}) is before the end of the procedure ({ended})."),
            "agreed_restart_at",
            when=fmt_datetime(agreed_restart_at, zone),
            ended=fmt_datetime(end, zone),
        )
    call = RestartCall(
        appointment_id=appointment.id,
        drug_code=drug_code,
        agreed_restart_at=agreed_restart_at,
        note=note,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    try:
        with session.begin_nested():  # the unique constraint is the last guard against a second call recorded
            session.add(call)
            session.flush()
    except IntegrityError:
        raise Conflict(already, code="restart_call_recorded", drug=item.named) from None
    # Walk 26: the row's own event named the patient only. The drug by its name, the restart in the clinic's
    # time, the note: what was agreed, readable in the trail (the table is left out of the automatic events).
    audit.record(
        session,
        "restart_calls.create",
        "restart_calls",
        call.id,
        summary={
            "drug": str(item.named),
            "agreed_restart_at": fmt_datetime(agreed_restart_at, zone) if agreed_restart_at is not None else None,
            "note": note,
        },
        patient_id=appointment.patient_id,
        actor=actor,
    )
    session.flush()
    return call, item
