"""GET /procedure-types: what the clinic offers."""

from __future__ import annotations

from sqlalchemy import select

from ...auth.access import any_staff
from ...extensions import db
from ...models import ProcedureType
from .. import bp, present
from ..openapi import operation
from ..schemas.catalogue import ProcedureTypeList


@bp.get("/procedure-types")
@any_staff
@operation(ok=ProcedureTypeList, tags=["catalogue"])
def list_procedure_types():
    """The procedures the clinic offers (active ones), in catalogue order."""
    types = db.session.scalars(select(ProcedureType).where(ProcedureType.active).order_by(ProcedureType.sort_order))
    return ProcedureTypeList(items=[present.procedure_type(pt) for pt in types])
