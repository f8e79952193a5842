"""Whether a referral may be booked for a plan (invariants 3, 6 and 8), and from which date."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..core.timefmt import fmt_date, to_local
from ..models import Referral
from ..scheduling.context import Readiness, Settings
from ..scheduling.plan import ProcedurePlan
from . import episodes, implants, medication, preregistration, stages

__all__ = ["Readiness", "assess"]


def assess(
    session: Session, settings: Settings, referral: Referral, plan: ProcedurePlan, *, language: str = "en"
) -> Readiness:
    """``language``: of the drug names in the hold plan (a screen's, "de" or "en")."""
    hold_plan = medication.plan_for(
        session, preregistration.ensure(session, referral), plan.procedure_type, plan.region, language
    )
    # The checklist judges the medication item by the referral's planned procedure; reuse the plan
    # computed here when that is the one being booked.
    same = plan.procedure_type.id == referral.planned_procedure_type_id and plan.region == referral.planned_region
    items = preregistration.checklist(session, referral, hold_plan if same else None, people=False)
    missing = preregistration.missing(items)
    missing.extend(plan.problems())
    stage_problem = stages.unmet_rule(session, referral.patient_id, plan.procedure_type, plan.stage)
    if stage_problem:
        missing.append(stage_problem)
    implant_problem = implants.unchecked_implant(referral, plan.modality)
    if implant_problem:
        missing.append(implant_problem)
    done = episodes.awaiting_outcome(session, referral)
    same_stage = done is not None and (done.stage or None) == (plan.stage or None)
    if same_stage and done.procedure_type_id == plan.procedure_type.id:
        day = fmt_date(done.table_start, zone=settings.zone)  # the clinic's format, as the screens' dates
        missing.append(episodes.stage_done_phrase(done, day))
    earliest = hold_plan.earliest_start(settings.now(), settings.zone)
    return Readiness(
        missing=missing,
        not_before=to_local(earliest, settings.zone).date() if earliest else None,
        hold_plan=hold_plan,
        not_before_at=earliest,
    )
