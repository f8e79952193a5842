"""Stages in order (invariant 8): a neurolytic stage or an ablation needs a documented positive
diagnostic stage first. "Positive" means at least the configured relief (50% by default), taken from
a recorded outcome (follow-up) or, for a diagnostic block, from the pain scores before and after."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Appointment, FollowUp, ProcedureRecord
from ..models.vocab import AppointmentStatus, ReliefCategory
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
    what = procedure_type.code + (f" ({stage})" if stage else "")
    return f"{what} {rule.describe()} for this patient"
