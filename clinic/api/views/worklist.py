"""GET /worklist: the day's rows with the readiness flags the radiologist checks."""

from __future__ import annotations

from ...auth.access import roles
from ...extensions import db
from ...models import Room
from ...models.vocab import Role
from ...services import worklist
from ...web import local_today, zone
from .. import bp, present
from ..lookup import find
from ..openapi import operation
from ..schemas.day import Worklist, WorklistQuery


@bp.get("/worklist")
@roles(Role.RADIOLOGIST, Role.NURSE)
@operation(ok=Worklist, errors=(404,), tags=["worklist"])
def get_worklist(query: WorklistQuery):
    """One row per appointment of the day (cancelled and no-shows left out), by room or radiologist:
    pre-registration, imaging, consent and medication-hold flags, allergy and condition alerts."""
    day = query.date or local_today()
    if query.room_id is not None:
        find(Room, query.room_id, "room")
    rows = worklist.rows(db.session, day, zone(), room_id=query.room_id, radiologist_id=query.radiologist_id)
    return Worklist(date=day, items=[present.worklist_row(row) for row in rows])
