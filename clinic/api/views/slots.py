"""GET /slots: the earliest free chains for a referral, or for a procedure type."""

from __future__ import annotations

from ...auth.access import roles
from ...core.errors import InvalidInput
from ...extensions import db
from ...models import ProcedureType, Referral
from ...models.vocab import Role
from ...scheduling.booking import NotReady
from ...scheduling.finder import Preferences, SearchRequest, find_candidates
from ...scheduling.plan import ProcedurePlan
from ...services.candidates import candidates_for_referral
from ...web import scheduling_settings
from .. import bp, present
from ..lookup import find
from ..openapi import operation
from ..planning import referral_plan, window
from ..schemas.scheduling import SlotList, SlotQuery


@bp.get("/slots")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
@operation(ok=SlotList, errors=(404, 422), tags=["scheduling"])
def list_slots(query: SlotQuery):
    """Free chains (room and radiologist for the table time, a bed straight after), earliest first.

    With ``referral_id`` the plan is the referral's and the search respects its pre-registration
    (422 not_ready with details.missing), the patient's other appointments and the medication hold.
    With ``procedure_type_id`` the plan is built from the procedure type and the details given
    (region, side, levels, stage, guidance). Each slot can be booked with POST /appointments as it is.
    """
    if (query.referral_id is None) == (query.procedure_type_id is None):
        raise InvalidInput("Give either referral_id or procedure_type_id.")
    first, last = window(query.from_date, query.to_date)
    preferences = Preferences(
        radiologist_id=query.radiologist_id,
        room_id=query.room_id,
        part_of_day=query.part_of_day,
        earliest_date=query.earliest_date,
    )
    settings = scheduling_settings()
    not_before = None
    if query.referral_id is not None:
        referral = find(Referral, query.referral_id, "referral")
        plan = referral_plan(referral)
        ready, found = candidates_for_referral(
            db.session,
            settings,
            referral,
            first_day=first,
            last_day=last,
            plan=plan,
            preferences=preferences,
            limit=query.limit,
        )
        if not ready.ready:
            raise NotReady(ready.missing)
        not_before = ready.not_before
    else:
        procedure_type = find(ProcedureType, query.procedure_type_id, "procedure type")
        plan = ProcedurePlan(
            procedure_type, query.region, query.side, query.levels, query.stage, query.guidance
        ).validate()
        request = SearchRequest(plan, first, last, preferences=preferences, limit=query.limit)
        found = find_candidates(db.session, settings, request)
    return SlotList(
        plan=present.plan(plan),
        from_date=first,
        to_date=last,
        not_before=not_before,
        slots=[present.slot(c) for c in found],
    )
