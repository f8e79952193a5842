"""Stages in order (invariant 8): a neurolytic stage or an ablation needs a documented positive
diagnostic stage first. "Positive" means at least the configured relief (50% by default), taken from
a recorded outcome (follow-up) or, for a diagnostic block, from the pain scores before and after.

The outcomes of a diagnostic stage are read in the order they were measured: the pain scores of the signed
procedure record first, then the follow-ups done, by their due date. The block's own result decides: the
latest of the pain scores at the procedure and the same day's result (procedures.md §2.2: the relief
recorded over the hours after a diagnostic block "decides on RFA"; §2.3 and §2.4: "No positive diagnostic
block" is a contraindication). A later follow-up (weeks on, the local anaesthetic long worn off) measures the
lasting effect, not the block: it decides only when the block's result is missing. Walk 27: a negative
same-day result after positive scores left the ablation bookable (any positive outcome counted). A stage
whose outcomes disagree is shown to the radiologist as a conflict (``Verdict.conflict``), never as a plain
"positive"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.messages import N_, Named, Phrase
from ..models import Appointment, FollowUp, ProcedureRecord, ProcedureType
from ..models.catalogue import short_name
from ..models.vocab import AppointmentStatus, FollowUpKind, FollowUpStatus, ReliefCategory, Stage
from . import settings

AT_PROCEDURE = N_("Pain scores at the procedure")  # the source of the outcome a signed record's scores give


def relief_from_scores(before: int | None, after: int | None) -> int | None:
    if before is None or after is None or before <= 0:
        return None
    return round(max(before - after, 0) * 100 / before)


@dataclass(frozen=True)
class Outcome:
    """One measured outcome of a stage: where it comes from (a follow-up's kind, or ``AT_PROCEDURE``, as
    words), the relief in per cent when known, its category, and whether it reaches the threshold."""

    source: Phrase
    relief_percent: int | None
    relief_category: str | None
    positive: bool
    block_result: bool = False  # the pain scores at the procedure or the same day's result: the block's own

    @property
    def relief(self) -> Phrase:
        """The relief in words: the percentage, else the category."""
        if self.relief_percent is not None:
            return Phrase(N_("{percent} per cent relief"), percent=self.relief_percent)
        return Phrase(ReliefCategory(self.relief_category).label if self.relief_category else N_("no result"))


@dataclass(frozen=True)
class Verdict:
    """The outcomes of one appointment in the order they were measured; the block's result decides."""

    appointment_id: int
    outcomes: tuple[Outcome, ...]

    @property
    def decisive(self) -> Outcome:
        """The latest of the block's own results; the latest follow-up only when there is none."""
        return self.outcomes[self.decisive_index]

    @property
    def decisive_index(self) -> int:
        own = [i for i, outcome in enumerate(self.outcomes) if outcome.block_result]
        return own[-1] if own else len(self.outcomes) - 1

    @property
    def positive(self) -> bool:
        return self.decisive.positive

    @property
    def conflict(self) -> bool:
        """A positive and a negative outcome of the same stage."""
        return any(o.positive for o in self.outcomes) and not all(o.positive for o in self.outcomes)


def verdicts(session: Session, appointment_ids, threshold: int | None = None) -> dict[int, Verdict]:
    """The verdict of each of these (discharged) appointments that has an outcome at all."""
    ids = set(appointment_ids)
    if not ids:
        return {}
    threshold = settings.get_int(session, "positive_relief_percent") if threshold is None else threshold
    found: dict[int, list[Outcome]] = {}
    for record in session.scalars(select(ProcedureRecord).where(ProcedureRecord.appointment_id.in_(ids))):
        relief = relief_from_scores(record.pain_before, record.pain_after) if record.is_signed else None
        if relief is not None:
            outcome = Outcome(Phrase(AT_PROCEDURE), relief, None, relief >= threshold, block_result=True)
            found.setdefault(record.appointment_id, []).append(outcome)
    follow_ups = session.scalars(
        select(FollowUp)
        .where(FollowUp.appointment_id.in_(ids), FollowUp.status == FollowUpStatus.DONE)
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    for follow_up in follow_ups:
        if follow_up.relief_percent is not None:
            positive = follow_up.relief_percent >= threshold
        else:
            positive = follow_up.relief_category == ReliefCategory.COMPLETE_OR_SIGNIFICANT
        kind = FollowUpKind(follow_up.kind).label if follow_up.kind in FollowUpKind.values() else follow_up.kind
        own = follow_up.kind == FollowUpKind.SAME_DAY
        outcome = Outcome(Phrase(kind), follow_up.relief_percent, follow_up.relief_category, positive, block_result=own)
        found.setdefault(follow_up.appointment_id, []).append(outcome)
    return {appointment_id: Verdict(appointment_id, tuple(o)) for appointment_id, o in found.items()}


def is_positive(session: Session, appointment: Appointment, threshold: int | None = None) -> bool:
    verdict = verdicts(session, [appointment.id], threshold).get(appointment.id)
    return verdict is not None and verdict.positive


def positive_ids(session: Session, appointment_ids, threshold: int | None = None) -> set[int]:
    """Which of these (discharged) appointments were positive, by their latest outcome."""
    return {i for i, verdict in verdicts(session, appointment_ids, threshold).items() if verdict.positive}


def _decide(procedure_type: ProcedureType, stage: str | None, rule, earlier, found: dict[int, Verdict]):
    """None when the plan may be booked; else what is missing, in words. ``earlier``: the patient's
    discharged appointments of the stage the rule needs, the latest first. The latest with an outcome
    decides: a later negative block is not outweighed by an earlier positive one."""
    for appointment in earlier:
        verdict = found.get(appointment.id)
        if verdict is None:
            continue  # no outcome recorded yet: says nothing either way
        if verdict.positive:
            return None
        return _negative(procedure_type, stage, rule, verdict)
    return _unmet(procedure_type, stage, rule)


def _in_order(appointments):
    return sorted(appointments, key=lambda a: (a.table_start, a.id), reverse=True)


def unmet_rules(session: Session, referrals) -> dict[int, str]:
    """``unmet_rule`` for the plans of many referrals in a few statements (lists show many): the
    referral ids whose plan the stage rule refuses, with what is missing."""
    wanted = {}
    for referral in referrals:
        procedure_type = referral.planned_procedure_type
        rule = procedure_type.rule_for_stage(referral.planned_stage) if procedure_type is not None else None
        if rule is not None:
            wanted[referral.id] = (referral, rule)
    if not wanted:
        return {}
    earlier = session.scalars(
        select(Appointment).where(
            Appointment.patient_id.in_({r.patient_id for r, _ in wanted.values()}),
            Appointment.procedure_type_id.in_({rule.requires_procedure_type_id for _, rule in wanted.values()}),
            Appointment.status == AppointmentStatus.DISCHARGED,
        )
    ).all()
    found_verdicts = verdicts(session, [a.id for a in earlier])
    found = {}
    for referral_id, (referral, rule) in wanted.items():
        matching = [
            a
            for a in earlier
            if a.patient_id == referral.patient_id
            and a.procedure_type_id == rule.requires_procedure_type_id
            and (not rule.requires_stage or a.stage == rule.requires_stage)
        ]
        problem = _decide(
            referral.planned_procedure_type, referral.planned_stage, rule, _in_order(matching), found_verdicts
        )
        if problem is not None:
            found[referral_id] = problem
    return found


def unmet_rule(session: Session, patient_id: int, procedure_type, stage: str | None) -> str | None:
    """None when the plan may be booked; else what is missing, in words."""
    rule = procedure_type.rule_for_stage(stage)
    if rule is None:
        return None
    stmt = select(Appointment).where(
        Appointment.patient_id == patient_id,
        Appointment.procedure_type_id == rule.requires_procedure_type_id,
        Appointment.status == AppointmentStatus.DISCHARGED,
    )
    if rule.requires_stage:
        stmt = stmt.where(Appointment.stage == rule.requires_stage)
    earlier = _in_order(session.scalars(stmt).all())
    return _decide(procedure_type, stage, rule, earlier, verdicts(session, [a.id for a in earlier]))


@dataclass(frozen=True)
class StageOutcome:
    """The outcomes of one stage done, as the triage page shows them."""

    appointment: Appointment
    verdict: Verdict


def outcome_to_show(session: Session, referral, done: Appointment | None) -> StageOutcome | None:
    """The outcome a radiologist plans the next stage on: of the stage just done (``done``,
    ``episodes.awaiting_outcome``), else of the earlier stage the planned one needs (the latest with an
    outcome, the one that decides). None when there is none to show."""
    if done is not None:
        verdict = verdicts(session, [done.id]).get(done.id)
        return StageOutcome(done, verdict) if verdict is not None else None
    procedure_type = referral.planned_procedure_type
    rule = procedure_type.rule_for_stage(referral.planned_stage) if procedure_type is not None else None
    if rule is None:
        return None
    stmt = select(Appointment).where(
        Appointment.patient_id == referral.patient_id,
        Appointment.procedure_type_id == rule.requires_procedure_type_id,
        Appointment.status == AppointmentStatus.DISCHARGED,
    )
    if rule.requires_stage:
        stmt = stmt.where(Appointment.stage == rule.requires_stage)
    earlier = _in_order(session.scalars(stmt).all())
    found = verdicts(session, [a.id for a in earlier])
    for appointment in earlier:
        if appointment.id in found:
            return StageOutcome(appointment, found[appointment.id])
    return None


def _names(procedure_type: ProcedureType, stage: str | None, rule) -> tuple[Phrase, Phrase]:
    """The plan's procedure (with its stage) and the procedure the rule needs (with its stage), in words."""
    required = rule.requires_procedure_type
    need = Named(short_name(required.name_en).lower(), de=short_name(required.name_de))
    procedure = procedure_type.named
    if stage:
        procedure = Phrase(N_("{code} ({stage})"), code=procedure, stage=Stage(stage).word)
    if rule.requires_stage:
        need = Phrase(N_("{need} ({stage} stage)"), need=need, stage=Stage(rule.requires_stage).word)
    return procedure, need


def _unmet(procedure_type: ProcedureType, stage: str | None, rule) -> Phrase:
    """What the stage rule misses, in words (a ``Phrase``: English as a str, translated on a screen; the
    procedure by its name in the screen's language)."""
    required = rule.requires_procedure_type
    need = Named(short_name(required.name_en).lower(), de=short_name(required.name_de))
    procedure = procedure_type.named
    if stage:
        procedure = Phrase(N_("{code} ({stage})"), code=procedure, stage=Stage(stage).word)
    if rule.requires_stage:
        return Phrase(
            N_("{procedure} needs a documented positive {stage} {need} for this patient"),
            procedure=procedure,
            stage=Stage(rule.requires_stage).word,
            need=need,
        )
    return Phrase(N_("{procedure} needs a documented positive {need} for this patient"), procedure=procedure, need=need)


def _negative(procedure_type: ProcedureType, stage: str | None, rule, verdict: Verdict) -> Phrase:
    """The refusal when the deciding outcome of the needed stage is negative; it names a positive one, so
    that nobody books on the strength of that."""
    procedure, need = _names(procedure_type, stage, rule)
    decisive = verdict.decisive
    if verdict.conflict:
        return Phrase(
            N_(
                "{procedure} cannot be booked: the result of the block, the {need}, is negative ({source}: {relief}), "
                "although another outcome was positive. The result of the block decides: a radiologist decides what "
                "follows (for example a second diagnostic block)"
            ),
            procedure=procedure,
            need=need,
            source=decisive.source,
            relief=decisive.relief,
        )
    return Phrase(
        N_("{procedure} cannot be booked: the outcome of the {need} is negative ({source}: {relief})"),
        procedure=procedure,
        need=need,
        source=decisive.source,
        relief=decisive.relief,
    )
