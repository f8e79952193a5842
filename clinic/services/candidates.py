"""The finder for a real patient: what composes the pure finder (scheduling) with readiness (services)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..scheduling.context import Settings
from ..scheduling.finder import Preferences, SearchRequest, find_candidates
from ..scheduling.plan import ProcedurePlan
from ..scheduling.steroid import History
from .readiness import assess


def candidates_for_referral(
    session: Session,
    settings: Settings,
    referral,
    *,
    first_day: dt.date,
    last_day: dt.date,
    plan: ProcedurePlan | None = None,
    preferences: Preferences | None = None,
    limit: int = 20,
    ignore_appointment_id: int | None = None,
    per_day: int | None = None,
    days: int | None = None,
    spacing_minutes: int = 0,
    steroid_history: History | None = None,
):
    """The finder for a real patient: the plan from the referral, the patient's own appointments and
    the medication hold date respected (invariants 2 and 6). Offers nothing while the referral is not
    ready (invariants 3 and 8); the returned readiness says what is missing. ``steroid_history``: the
    patient's injections when the caller has read them for its own notes (``finder.SearchRequest``)."""
    plan = plan or ProcedurePlan.from_referral(referral)
    ready = assess(session, settings, referral, plan)
    if not ready.ready:
        return ready, []
    request = SearchRequest(
        plan=plan,
        first_day=first_day,
        last_day=last_day,
        preferences=preferences or Preferences(),
        patient_id=referral.patient_id,
        not_before=ready.not_before,
        not_before_at=ready.not_before_at,
        ignore_appointment_id=ignore_appointment_id,
        limit=limit,
        per_day=per_day,
        days=days,
        spacing_minutes=spacing_minutes,
        steroid_history=steroid_history,
    )
    return ready, find_candidates(session, settings, request)
