"""Stages in order (invariant 8): a neurolytic stage or an ablation needs a documented positive
diagnostic stage first. "Positive" means at least the configured relief (50% by default), taken from
a recorded outcome (follow-up) or, for a diagnostic block, from the pain scores before and after."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.messages import N_, Named, Phrase
from ..models import Appointment, FollowUp, ProcedureRecord, ProcedureType
from ..models.catalogue import short_name
from ..models.vocab import AppointmentStatus, ReliefCategory, Stage
from . import settings


def relief_from_scores(before: int | None, after: int | None) -> int | None:
    if before is None or after is None or before <= 0:
        return None
    return round(max(before - after, 0) * 100 / before)


def is_positive(session: Session, appointment: Appointment, threshold: int | None = None) -> bool:
    threshold = settings.get_int(session, "positive_relief_percent") if threshold is None else threshold
    for follow_up in session.scalars(select(FollowUp).where(FollowUp.appointment_id == appointment.id)):
        if follow_up.relief_percent is not None and follow_up.relief_percent >= threshold:
            return True
        if follow_up.relief_percent is None and follow_up.relief_category == ReliefCategory.COMPLETE_OR_SIGNIFICANT:
            return True
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    if record is not None and record.is_signed:
        relief = relief_from_scores(record.pain_before, record.pain_after)
        if relief is not None and relief >= threshold:
            return True
    return False


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
    positive = positive_ids(session, [a.id for a in earlier])
    found = {}
    for referral_id, (referral, rule) in wanted.items():
        if not any(
            a.id in positive
            and a.patient_id == referral.patient_id
            and a.procedure_type_id == rule.requires_procedure_type_id
            and (not rule.requires_stage or a.stage == rule.requires_stage)
            for a in earlier
        ):
            found[referral_id] = _unmet(referral.planned_procedure_type, referral.planned_stage, rule)
    return found


def positive_ids(session: Session, appointment_ids, threshold: int | None = None) -> set[int]:
    """Which of these (discharged) appointments were positive, by the rule of ``is_positive``."""
    ids = set(appointment_ids)
    if not ids:
        return set()
    threshold = settings.get_int(session, "positive_relief_percent") if threshold is None else threshold
    positive = set()
    for follow_up in session.scalars(select(FollowUp).where(FollowUp.appointment_id.in_(ids))):
        if follow_up.relief_percent is not None and follow_up.relief_percent >= threshold:
            positive.add(follow_up.appointment_id)
        if follow_up.relief_percent is None and follow_up.relief_category == ReliefCategory.COMPLETE_OR_SIGNIFICANT:
            positive.add(follow_up.appointment_id)
    for record in session.scalars(select(ProcedureRecord).where(ProcedureRecord.appointment_id.in_(ids - positive))):
        if record.is_signed:
            relief = relief_from_scores(record.pain_before, record.pain_after)
            if relief is not None and relief >= threshold:
                positive.add(record.appointment_id)
    return positive


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
    for earlier in session.scalars(stmt.order_by(Appointment.table_start.desc())):
        if is_positive(session, earlier):
            return None
    return _unmet(procedure_type, stage, rule)


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
