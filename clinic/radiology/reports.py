"""Outcomes and activity report, with server-rendered SVG charts."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request
from sqlalchemy import select

from ..auth.access import roles
from ..core.numbers import whole
from ..extensions import db
from ..models import ProcedureType
from ..models.vocab import Role
from ..services import reports as report_service
from ..web import local_today, parse_day, scheduling_settings
from . import bp


@bp.get("/reports")
@roles(Role.RADIOLOGIST, Role.ADMIN)
def reports():
    today = local_today()
    last = parse_day(request.args.get("to"), today)
    first = parse_day(request.args.get("from"), last - dt.timedelta(days=90))
    if first > last:
        first, last = last, first
    procedure_type_id = request.args.get("procedure_type_id", type=whole) or None
    kind = request.args.get("kind", "2w") if request.args.get("kind") in ("2w", "3m") else "2w"
    settings = scheduling_settings()
    rows = report_service.outcomes(db.session, settings, first, last, procedure_type_id, kind)
    activity = report_service.activity(db.session, settings, first, last)
    types = db.session.scalars(select(ProcedureType).order_by(ProcedureType.sort_order)).all()
    return render_template(
        "radiology/reports.html",
        rows=rows,
        activity=activity,
        first=first,
        last=last,
        types=types,
        procedure_type_id=procedure_type_id,
        kind=kind,
        categories=report_service.CATEGORIES,
    )
