"""Closures (clinic, room, unit, radiologist) and the list of appointments that need a new time."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.access import roles
from ..core.timefmt import to_local
from ..extensions import db
from ..models import Closure, Room
from ..models.vocab import ClosureScope, Role
from ..services import setup_catalogue, setup_resources, stranding
from ..web import lands_on
from . import bp
from .common import (
    actor,
    get_or_404,
    one_click_change,
    save_form,
    scheduling_settings,
    zone,
)
from .schedule_forms import ClosureForm


def _closure_form(closure: Closure | None = None) -> ClosureForm:
    form = ClosureForm()
    form.room_id.choices = [("", "—")] + [
        (r.id, r.name) for r in db.session.scalars(select(Room).order_by(Room.sort_order, Room.name))
    ]
    form.unit.choices = [("", "—")] + [(u, u) for u in setup_resources.units(db.session)]
    form.radiologist_id.choices = [("", "—")] + [
        (u.id, u.full_name) for u in setup_catalogue.radiologists(db.session) if u.active
    ]
    if closure is not None and request.method == "GET":
        _fill(form, closure)
    elif closure is None and request.method == "GET":
        form.scope.data = request.args.get("scope", ClosureScope.CLINIC.value)
    return form


def _fill(form: ClosureForm, closure: Closure) -> None:
    """Local days and times of a closure: midnight-to-midnight shows as whole days."""
    start = to_local(closure.starts_at, zone())
    end = to_local(closure.ends_at, zone())
    form.scope.data = closure.scope
    form.room_id.data = closure.room_id
    form.unit.data = closure.unit or ""
    form.radiologist_id.data = closure.radiologist_id
    form.first_day.data = start.date()
    form.start_time.data = start.time() if start.time() != dt.time(0) else None
    if end.time() == dt.time(0):
        form.last_day.data = end.date() - dt.timedelta(days=1)
        form.end_time.data = None
    else:
        form.last_day.data = end.date()
        form.end_time.data = end.time()
    form.reason.data = closure.reason


@bp.get("/closures")
@roles(Role.ADMIN)
def closures():
    now = scheduling_settings().now()
    when = request.args.get("when", "upcoming")
    scope = request.args.get("scope", "")
    stmt = select(Closure)
    if when == "past":
        stmt = stmt.where(Closure.ends_at <= now).order_by(Closure.starts_at.desc())
    elif when == "all":
        stmt = stmt.order_by(Closure.starts_at.desc())
    else:
        stmt = stmt.where(Closure.ends_at > now).order_by(Closure.starts_at)
    if scope in ClosureScope.values():
        stmt = stmt.where(Closure.scope == scope)
    rows = db.session.scalars(stmt.limit(500)).all()
    return render_template("admin/closures.html", closures=rows, when=when, scope=scope, now=now)


def _render(form, closure, *, stranded=None, status=200):
    return render_template("admin/closure_form.html", form=form, closure=closure, stranded=stranded), status


def _save(form: ClosureForm, closure: Closure | None):
    return save_form(
        form,
        lambda: setup_resources.save_closure(db.session, actor(), closure, form.fields(zone())),
        render=lambda **kw: _render(form, closure, **kw),
        message=lambda: _("Closure saved."),
        next_url=lambda: url_for("admin.closures"),
    )


@bp.route("/closures/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_closure():
    return _save(_closure_form(), None)


@bp.route("/closures/<int:closure_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def closure(closure_id: int):
    row = get_or_404(Closure, closure_id)
    return _save(_closure_form(row), row)


@bp.post("/closures/<int:closure_id>/delete")
@lands_on("admin.closures")
@roles(Role.ADMIN)
def delete_closure(closure_id: int):
    row = get_or_404(Closure, closure_id)
    now = scheduling_settings().now()
    # Deleting a closure only opens time: the confirmation is there for symmetry.
    return one_click_change(
        lambda: setup_resources.delete_closure(db.session, actor(), row, now),
        back_url=url_for("admin.closure", closure_id=row.id),
        message=_("Closure deleted."),
        next_url=url_for("admin.closures"),
        title=_("Delete this closure?"),
        question="",
        button=_("Delete it anyway"),
    )


@bp.get("/stranded")
@roles(Role.ADMIN, Role.FRONT_DESK)
def stranded():
    """Booked appointments that no longer fit the clinic's setup, for the front desk to reschedule (the
    front desk opens it too: every future booking checked, where its start page checks those that
    confirmed changes named)."""
    rows = stranding.find_stranded(db.session, scheduling_settings())
    highlight = stranding.parse_ids(request.args.get("ids"))
    return render_template(
        "admin/stranded.html", stranded=rows, highlight=highlight, missing=highlight - {s.appointment_id for s in rows}
    )
