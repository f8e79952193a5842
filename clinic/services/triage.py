"""Triage by a radiologist: accept with a plan, decline, ask for more; clear red flags; waivers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, invalid
from ..core.messages import N_, Phrase, Phrases
from ..core.spine import NOT_A_LEVEL, normalised, outside, unreadable
from ..core.timefmt import fmt_date
from ..models import Appointment, PreRegistration, ProcedureType, RedFlagAnswer, Referral
from ..models.appointments import ACTIVE_STATUSES
from ..models.base import utcnow
from ..models.vocab import (
    MRI_GUIDED_PROCEDURES,
    AppointmentStatus,
    Modality,
    Priority,
    ReferralStatus,
    Region,
    Stage,
    Target,
)
from ..scheduling.plan import ProcedurePlan
from . import implants, medication

OPEN_FOR_TRIAGE = (ReferralStatus.RECEIVED, ReferralStatus.INFO_REQUESTED)


@dataclass(frozen=True)
class PlanDetails:
    procedure_type_id: int
    region: str | None
    side: str | None
    levels: str | None
    stage: str | None
    guidance: str | None
    priority: str = Priority.ROUTINE
    note: str | None = None
    target: str | None = None
    # The radiologist confirms that the implant the pre-registration records is MR-conditional and checked.
    implant_mr_checked: bool = False


def _mark(referral: Referral, actor) -> None:
    referral.triaged_by_id = audit.actor_of(actor).id
    referral.triaged_at = utcnow()


def _has_live_appointment(session: Session, referral: Referral) -> bool:
    return (
        session.scalar(
            select(Appointment.id).where(
                Appointment.referral_id == referral.id,
                Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN]),
            )
        )
        is not None
    )


def plan_can_change(session: Session, referral: Referral) -> bool:
    """Whether ``accept`` would take a (new) plan for ``referral``: open for triage, or accepted with no
    appointment booked or checked in."""
    if referral.status in OPEN_FOR_TRIAGE:
        return True
    return referral.status == ReferralStatus.ACCEPTED and not _has_live_appointment(session, referral)


def accept(session: Session, actor, referral: Referral, plan: PlanDetails) -> Referral:
    if referral.status not in (*OPEN_FOR_TRIAGE, ReferralStatus.ACCEPTED):
        raise DomainError(
            N_("A referral that is {status} cannot be accepted."),
            code="invalid_state",
            status=Phrase(ReferralStatus(referral.status).label, lower=True),
        )
    if referral.status == ReferralStatus.ACCEPTED and _has_live_appointment(session, referral):
        raise DomainError(
            N_("The plan cannot change while an appointment is booked; cancel or finish it first."),
            code="invalid_state",
        )
    procedure_type = session.get(ProcedureType, plan.procedure_type_id)
    if procedure_type is None or not procedure_type.active:
        raise InvalidInput(N_("Choose a procedure the clinic offers."))
    if plan.priority not in Priority.values():
        raise InvalidInput(N_("Unknown priority."))
    if plan.guidance is not None and plan.guidance not in Modality.values():
        raise InvalidInput(N_("Unknown guidance."))
    if plan.guidance == Modality.MRI and procedure_type.code not in MRI_GUIDED_PROCEDURES:
        raise invalid(
            N_("{procedure} is done under CT guidance, not MRI: choose CT."),
            "guidance",
            procedure=procedure_type.named,
        )
    unknown = unreadable(plan.levels)
    if unknown:  # "blah", "xyz": no level a worklist or a letter could name
        raise invalid(NOT_A_LEVEL, "levels", levels=", ".join(unknown))
    levels = normalised(plan.levels)  # one spelling ("l4/5" → "L4/5"), each level once
    proposed = ProcedurePlan(
        procedure_type, plan.region, plan.side, levels, plan.stage, plan.guidance, plan.target or None
    )
    wrong = outside(levels, plan.region)
    if wrong:  # a wrong-level risk: said at the levels field, before the rest of the plan's problems
        raise invalid(
            N_("{levels} does not lie in the chosen region ({region}): check the level(s) and the region."),
            "levels",
            levels=", ".join(wrong),
            region=Phrase(Region(plan.region).label),
        )
    if proposed.target is not None and proposed.target not in proposed.targets:
        # A PRT aimed at the ganglion impar: said once, at the target field, by the target's name (it was said
        # in the banner and under the levels, with the raw "ganglion impar").
        raise invalid(
            N_("{procedure} cannot aim at “{target}”: choose one of its targets.")
            if proposed.targets
            else N_("{procedure} cannot aim at “{target}”: it has no target, leave the field empty."),
            "target",
            procedure=procedure_type.named,
            target=Phrase(Target(proposed.target).label) if proposed.target in Target.values() else proposed.target,
        )
    if proposed.stray_stage:  # a PRT "neurolytic": said at the field, not stored
        raise invalid(N_("{procedure} has no stage: leave the stage empty."), "stage", procedure=procedure_type.named)
    if proposed.foreign_stage:  # a facet block "neurolytic": that step is the RFA
        raise invalid(
            N_("{procedure} is not done at the stage “{stage}”; its stages: {choices}."),
            "stage",
            procedure=procedure_type.named,
            stage=Phrase(Stage(proposed.stage).label),
            choices=Phrases([Stage(s).word for s in proposed.stages], ", "),
        )
    if proposed.midline_side:  # a PRT in the "midline": which root, left or right?
        raise invalid(
            N_("{procedure} is done on one side or both: choose left, right or both sides."),
            "side",
            procedure=procedure_type.named,
        )
    found = proposed.problems_at(require_target=True)
    if found:  # said at the fields they are about (the target, the levels...)
        problems = [problem for problem, _field in found]
        raise invalid(
            N_("The plan is incomplete: {problems}."),
            list(dict.fromkeys(name for _problem, name in found)),
            problems=Phrases(problems),
        )
    guidance = plan.guidance or procedure_type.modality
    if implants.mr_check_missing(referral, guidance) and not plan.implant_mr_checked:
        raise invalid(
            N_(
                "The pre-registration records an implant ({implant}): MRI guidance only once you have confirmed "
                "that it is MR-conditional and checked; else plan CT guidance."
            ),
            "implant_mr_checked",
            implant=implants.implant_note(referral) or Phrase(N_("no details")),
        )
    if guidance == Modality.MRI and plan.implant_mr_checked and implants.implant_recorded(referral):
        _record_implant_check(session, actor, referral)
    referral.status = ReferralStatus.ACCEPTED
    referral.planned_procedure_type_id = procedure_type.id
    referral.planned_procedure_type = procedure_type
    referral.planned_region = plan.region
    referral.planned_side = plan.side
    referral.planned_levels = levels
    referral.planned_stage = plan.stage
    referral.planned_guidance = plan.guidance or procedure_type.modality
    referral.planned_target = plan.target or None
    referral.priority = plan.priority if not referral.open_red_flags else Priority.URGENT
    referral.triage_note = (plan.note or "").strip() or None
    _mark(referral, actor)
    session.flush()
    return referral


def _record_implant_check(session: Session, actor, referral: Referral) -> None:
    referral.implant_mr_checked_by_id = audit.actor_of(actor).id
    referral.implant_mr_checked_at = utcnow()
    referral.implant_mr_checked_note = implants.implant_note(referral)
    audit.record(
        session,
        "referral.implant_mr_checked",
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"implant": referral.implant_mr_checked_note[:120]},
        actor=actor,
    )


@dataclass(frozen=True)
class ImplantCheck:
    referral: Referral
    appointment: Appointment | None  # booked already: its procedure cannot start until the check


def awaiting_implant_check(session: Session) -> list[ImplantCheck]:
    """Accepted referrals planned under MRI guidance whose recorded implant no radiologist has checked: none
    of them can be booked, and a booked one's procedure cannot start (walk 22: the radiologists had no
    list of them). Oldest first."""
    candidates = session.scalars(
        select(Referral)
        .join(PreRegistration, PreRegistration.referral_id == Referral.id)
        .where(
            Referral.status == ReferralStatus.ACCEPTED,
            Referral.planned_guidance == Modality.MRI,
            PreRegistration.implant.is_(True),
            PreRegistration.conditions_settled_at.is_not(None),
        )
        .order_by(Referral.received_on, Referral.id)
    ).all()
    waiting = [r for r in candidates if implants.mr_check_missing(r, r.planned_guidance)]
    booked: dict[int, Appointment] = {}
    if waiting:
        for appointment in session.scalars(
            select(Appointment).where(
                Appointment.referral_id.in_([r.id for r in waiting]), Appointment.status.in_(ACTIVE_STATUSES)
            )
        ):
            booked[appointment.referral_id] = appointment
    return [ImplantCheck(r, booked.get(r.id)) for r in waiting]


def confirm_implant_check(session: Session, actor, referral: Referral) -> None:
    """A radiologist confirms that the recorded implant is MR-conditional and checked, without changing the
    plan: the way for a referral whose MRI appointment is booked already (its plan cannot change then) when
    the implant was recorded after the booking (walk 22). Refused when there is nothing to confirm."""
    if referral.has_ended:
        raise DomainError(
            N_("This referral is {status}: nothing to confirm."),
            code="invalid_state",
            status=Phrase(ReferralStatus(referral.status).label, lower=True),
        )
    if not implants.implant_recorded(referral):
        raise DomainError(N_("No implant is recorded for this referral."), code="invalid_state")
    if implants.mr_check_stands(referral):
        raise DomainError(N_("This implant is checked for MRI already."), code="invalid_state")
    _record_implant_check(session, actor, referral)
    session.flush()


def decline(session: Session, actor, referral: Referral, reason: str) -> Referral:
    if referral.status not in OPEN_FOR_TRIAGE:
        raise DomainError(
            N_("A referral that is {status} cannot be declined."),
            code="invalid_state",
            status=Phrase(ReferralStatus(referral.status).label, lower=True),
        )
    if not (reason or "").strip():
        raise InvalidInput(N_("Give the reason: it goes into the letter to the referring physician."))
    return _answered(session, actor, referral, ReferralStatus.DECLINED, decline_reason=reason.strip())


def request_information(session: Session, actor, referral: Referral, text: str) -> Referral:
    if referral.status not in OPEN_FOR_TRIAGE:
        raise DomainError(N_("Only a referral waiting for triage can ask for more information."), code="invalid_state")
    if not (text or "").strip():
        raise InvalidInput(N_("Say what is missing."))
    # A new question: the answer to an earlier one no longer stands beside it.
    referral.info_answer = referral.info_answered_by_id = referral.info_answered_at = None
    return _answered(session, actor, referral, ReferralStatus.INFO_REQUESTED, info_request=text.strip())


def _answered(session: Session, actor, referral: Referral, status: str, **written: str) -> Referral:
    """Triage's answer that needs words (a decline's reason, the information asked for), kept and marked."""
    referral.status = status
    for column, text in written.items():
        setattr(referral, column, text)
    _mark(referral, actor)
    session.flush()
    return referral


def answer_information_request(session: Session, actor, referral: Referral, answer: str) -> Referral:
    """The referring physician answered the radiologist's question (the front desk records it): the
    answer is kept with the referral, which goes back on the triage queue."""
    if referral.status != ReferralStatus.INFO_REQUESTED:
        raise DomainError(
            N_("Only a referral waiting for information can take an answer: this one is {status}."),
            code="invalid_state",
            status=Phrase(ReferralStatus(referral.status).label, lower=True),
        )
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(N_("Write down what the referring physician answered."), details={"field": "answer"})
    referral.info_answer = answer
    referral.info_answered_by_id = audit.actor_of(actor).id
    referral.info_answered_at = utcnow()
    referral.status = ReferralStatus.RECEIVED
    audit.record(
        session,
        "referral.information_answered",
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"answer": answer[:120]},
        actor=actor,
    )
    session.flush()
    return referral


def reopen(session: Session, actor, referral: Referral) -> Referral:
    """Information arrived: back on the triage queue."""
    if referral.status != ReferralStatus.INFO_REQUESTED:
        raise DomainError(
            N_("Only a referral waiting for information can be put back on the queue."), code="invalid_state"
        )
    referral.status = ReferralStatus.RECEIVED
    session.flush()
    return referral


def clear_red_flag(session: Session, actor, answer: RedFlagAnswer, note: str) -> None:
    if not answer.is_open:
        raise DomainError(N_("This red flag is not open."), code="invalid_state")
    note = (note or "").strip()
    if not note:
        raise invalid(N_("Write down why the red flag does not stand in the way."), "reason")
    # Clearing a red flag lets an elective booking go ahead: its reason must say something (the staff walk
    # cleared one with "x"), as an override of a medication hold must.
    if len(note) < OVERRIDE_REASON_MIN_LENGTH or sum(ch.isalpha() for ch in note) < OVERRIDE_REASON_MIN_LETTERS:
        raise invalid(
            N_("Give the reason in words (at least {n} characters): it is kept with the reviewed red flag."),
            "reason",
            n=OVERRIDE_REASON_MIN_LENGTH,
        )
    answer.cleared_by_id = audit.actor_of(actor).id
    answer.cleared_at = utcnow()
    answer.clearance_note = note
    referral = answer.referral
    audit.record(
        session,
        "referral.red_flag_cleared",
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"flag": answer.code},
        actor=actor,
    )
    if not referral.open_red_flags and referral.priority == Priority.URGENT:
        referral.priority = Priority.SOON
    session.flush()


def waive_imaging(session: Session, actor, referral: Referral, reason: str) -> None:
    if not (reason or "").strip():
        raise InvalidInput(N_("A waiver needs a reason."))
    referral.imaging_waived_by_id = audit.actor_of(actor).id
    referral.imaging_waived_at = utcnow()
    referral.imaging_waiver_reason = reason.strip()
    audit.record(
        session,
        "referral.imaging_waived",
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"reason": reason.strip()[:120]},
        actor=actor,
    )
    session.flush()


# An override of a medication hold is a safety decision read later by others (the worklist, the audit): its
# reason must say something (walk finding F-17 accepted "x"). At least this many characters, letters among them.
OVERRIDE_REASON_MIN_LENGTH = 10
OVERRIDE_AHEAD = dt.timedelta(days=365)
OVERRIDE_REASON_MIN_LETTERS = 5


def override_hold(
    session: Session, actor, referral: Referral, earliest: dt.date, reason: str, *, today: dt.date
) -> None:
    """The radiologist's earliest procedure date despite the medication hold, with a reason; it replaces
    any earlier override. ``today`` is the clinic's date: an earliest date before it says nothing true.
    Refused for a patient with no blood thinner to hold (``medication.has_drug_to_hold``): the page offers
    no form then, and a form posted from a stale tab or by hand saves nothing either; that is said first,
    before what is wrong with the fields the page did not show. Refused as well for a referral that was
    declined or closed: nothing is booked for it any more, and its record stays as it ended. An earliest
    date more than a year ahead (``OVERRIDE_AHEAD``; walk finding: 01.01.2031 was saved) is a slip of the year:
    no hold of a blood thinner lasts that long, and no booking is planned that far."""
    if referral.has_ended:
        raise DomainError(
            N_("This referral is {status}: its medication hold no longer changes. Nothing was saved."),
            code="invalid_state",
            status=Phrase(ReferralStatus(referral.status).label, lower=True),
        )
    if not medication.has_drug_to_hold(referral, medication.referral_plan(session, referral)):
        raise DomainError(
            N_(
                "This patient takes no blood thinner that is held for the planned procedure: there is no hold "
                "to override. Nothing was saved."
            ),
            code="nothing_to_hold",
        )
    reason = (reason or "").strip()
    if not reason:
        raise invalid(N_("An override of the medication hold needs a reason."), "reason")
    if len(reason) < OVERRIDE_REASON_MIN_LENGTH or sum(ch.isalpha() for ch in reason) < OVERRIDE_REASON_MIN_LETTERS:
        raise invalid(
            N_("Give the reason in words (at least {n} characters): it is shown with the override at the table."),
            "reason",
            n=OVERRIDE_REASON_MIN_LENGTH,
        )
    if earliest is None or earliest < today:
        raise invalid(N_("The earliest date cannot lie in the past: choose today or a later day."), "earliest")
    if earliest > today + OVERRIDE_AHEAD:
        raise invalid(
            N_("The earliest date can lie at most a year ahead (until {day}): check the year."),
            "earliest",
            day=fmt_date(today + OVERRIDE_AHEAD),
        )
    # A confirmation was given for the plan as it stood, override included: a new date or reason withdraws it,
    # and the plan is confirmed again (walk 27: the date changed, the plan still showed as confirmed).
    withdrawn = referral.hold_plan_confirmed_key is not None and (
        referral.hold_override_date != earliest or referral.hold_override_reason != reason
    )
    if withdrawn:
        referral.hold_plan_confirmed_by_id = None
        referral.hold_plan_confirmed_at = None
        referral.hold_plan_confirmed_key = None
    referral.hold_override_by_id = audit.actor_of(actor).id
    referral.hold_override_at = utcnow()
    referral.hold_override_date = earliest
    referral.hold_override_reason = reason
    audit.record(
        session,
        "referral.hold_override",
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"earliest": earliest.isoformat(), "reason": reason[:120], "confirmation_withdrawn": withdrawn},
        actor=actor,
    )
    session.flush()
