"""Session templates (when rooms are open) and rosters (when radiologists are on duty).

Every change goes through the stranding check: a change that leaves booked appointments outside the
new availability shows them first and is saved only when the admin confirms.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..models import Room, RoomSession, RosterEntry, RosterException, User
from ..models.vocab import Role
from ..services import setup_catalogue, setup_resources
from ..web import refused
from . import bp
from .common import (
    actor,
    confirm_action,
    get_or_404,
    local_today,
    save_form,
    saved,
    try_change,
)
from .schedule_forms import EndForm, RosterEntryForm, RosterExceptionForm, SessionTemplateForm


def period_state(row: RoomSession | RosterEntry, today: dt.date) -> str:
    if row.valid_from > today:
        return "upcoming"
    if row.valid_to is not None and row.valid_to < today:
        return "ended"
    return "in effect"


def _room_choices() -> list[tuple[int, str]]:
    rooms = db.session.scalars(select(Room).order_by(Room.active.desc(), Room.sort_order, Room.name))
    return [(r.id, r.name if r.active else _("%(name)s (switched off)", name=r.name)) for r in rooms]


def _radiologist_choices() -> list[tuple[int, str]]:
    return [(u.id, u.full_name) for u in setup_catalogue.radiologists(db.session) if u.active]


def _filter_by_period(rows, period: str, today: dt.date):
    if period == "all":
        return rows
    if period == "current":
        return [r for r in rows if period_state(r, today) != "ended"]
    return [r for r in rows if period_state(r, today) == period]


def _weekly_view_args(row, today: dt.date) -> dict:
    return {
        "state": period_state(row, today),
        "deletable": not setup_resources.in_effect_since(row, today),
        "end_form": EndForm(formdata=None, last_day=max(today, row.valid_from)),
    }


def _new_form(form, owner: str, choices, arg: str, first_day: str = "valid_from"):
    """The form of a new row: its owner (room or radiologist) as the list was filtered, from today on."""
    field = getattr(form, owner)
    field.choices = choices
    if request.method == "GET":
        field.data = request.args.get(arg, type=int)
        getattr(form, first_day).data = local_today()
    return form


# The form page of a session template and of a roster entry: its template, and the name it gives the row.
FORM_PAGES = {RoomSession: ("admin/session_form.html", "template"), RosterEntry: ("admin/roster_form.html", "entry")}


def _render_weekly(kind, form, row, *, stranded=None, status=200):
    page, name = FORM_PAGES[kind]
    extra = _weekly_view_args(row, local_today()) if row else {}
    return render_template(page, form=form, stranded=stranded, **{name: row}, **extra), status


# --- session templates -------------------------------------------------------------------------------


@bp.get("/sessions")
@roles(Role.ADMIN)
def sessions():
    today = local_today()
    room_id = request.args.get("room", type=int)
    period = request.args.get("period", "current")
    stmt = (
        select(RoomSession).join(Room).order_by(Room.sort_order, Room.name, RoomSession.weekday, RoomSession.start_time)
    )
    if room_id:
        stmt = stmt.where(RoomSession.room_id == room_id)
    rows = _filter_by_period(db.session.scalars(stmt).all(), period, today)
    by_room: dict[Room, list[RoomSession]] = {}
    for row in rows:
        by_room.setdefault(row.room, []).append(row)
    return render_template(
        "admin/sessions.html",
        by_room=by_room,
        rooms=_room_choices(),
        room_id=room_id,
        period=period,
        today=today,
        state=period_state,
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_session():
    return _save_session(_new_form(SessionTemplateForm(), "room_id", _room_choices(), "room"), None)


@bp.route("/sessions/<int:session_template_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def session_template(session_template_id: int):
    template = get_or_404(RoomSession, session_template_id)
    form = SessionTemplateForm(obj=template if request.method == "GET" else None)
    form.room_id.choices = _room_choices()
    return _save_session(form, template)


def _save_session(form: SessionTemplateForm, template: RoomSession | None):
    return save_form(
        form,
        lambda: setup_resources.save_session_template(db.session, actor(), template, form.fields()),
        render=lambda **kw: _render_weekly(RoomSession, form, template, **kw),
        message=lambda: _("Session template saved."),
        next_url=lambda: url_for("admin.sessions", room=form.room_id.data),
    )


@bp.post("/sessions/<int:session_template_id>/end")
@roles(Role.ADMIN)
def end_session(session_template_id: int):
    template = get_or_404(RoomSession, session_template_id)
    return _end_weekly(template, "admin.session_template", "admin.sessions", {"room": template.room_id})


@bp.post("/sessions/<int:session_template_id>/delete")
@roles(Role.ADMIN)
def delete_session(session_template_id: int):
    template = get_or_404(RoomSession, session_template_id)
    return _delete_weekly(template, "admin.session_template", "admin.sessions", {"room": template.room_id})


def _end_weekly(row, edit_endpoint: str, list_endpoint: str, list_args: dict):
    edit_url = url_for(edit_endpoint, **{_id_arg(row): row.id})
    form = EndForm()
    if not form.validate_on_submit():
        flash(" ".join(form.last_day.errors) or _("Give the last day."), "danger")
        return redirect(edit_url)
    last_day = form.last_day.data
    try:
        outcome = try_change(lambda: setup_resources.end_weekly(db.session, actor(), row, last_day))
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(edit_url)
    if outcome.needs_confirmation:
        return confirm_action(
            outcome,
            title=_("End this after %(day)s?", day=last_day.strftime("%d.%m.%Y")),
            question=_(
                "From %(day)s on it no longer applies.", day=(last_day + dt.timedelta(days=1)).strftime("%d.%m.%Y")
            ),
            back_url=edit_url,
            button=_("End it anyway"),
            fields={"last_day": last_day.isoformat()},
        )
    return saved(
        outcome, _("Ends after %(day)s.", day=last_day.strftime("%d.%m.%Y")), url_for(list_endpoint, **list_args)
    )


def _delete_weekly(row, edit_endpoint: str, list_endpoint: str, list_args: dict):
    edit_url = url_for(edit_endpoint, **{_id_arg(row): row.id})
    today = local_today()
    try:
        outcome = try_change(lambda: setup_resources.delete_weekly(db.session, actor(), row, today))
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(edit_url)
    if outcome.needs_confirmation:
        return confirm_action(
            outcome,
            title=_("Delete this?"),
            question=_("Once deleted, it no longer applies."),
            back_url=edit_url,
            button=_("Delete it anyway"),
        )
    return saved(outcome, _("Deleted."), url_for(list_endpoint, **list_args))


def _id_arg(row) -> str:
    return "session_template_id" if isinstance(row, RoomSession) else "roster_entry_id"


# --- rosters -------------------------------------------------------------------------------------------


@bp.get("/rosters")
@roles(Role.ADMIN)
def rosters():
    today = local_today()
    radiologist_id = request.args.get("radiologist", type=int)
    period = request.args.get("period", "current")
    stmt = (
        select(RosterEntry)
        .join(User, User.id == RosterEntry.radiologist_id)
        .order_by(User.full_name, RosterEntry.weekday, RosterEntry.start_time)
    )
    exceptions_stmt = (
        select(RosterException)
        .join(User, User.id == RosterException.radiologist_id)
        .order_by(RosterException.on_date, User.full_name)
    )
    if radiologist_id:
        stmt = stmt.where(RosterEntry.radiologist_id == radiologist_id)
        exceptions_stmt = exceptions_stmt.where(RosterException.radiologist_id == radiologist_id)
    if period != "all":
        exceptions_stmt = exceptions_stmt.where(RosterException.on_date >= today)
    rows = _filter_by_period(db.session.scalars(stmt).all(), period, today)
    by_radiologist: dict[User, list[RosterEntry]] = {}
    for row in rows:
        by_radiologist.setdefault(row.radiologist, []).append(row)
    return render_template(
        "admin/rosters.html",
        by_radiologist=by_radiologist,
        exceptions=db.session.scalars(exceptions_stmt).all(),
        radiologists=_radiologist_choices(),
        radiologist_id=radiologist_id,
        period=period,
        today=today,
        state=period_state,
    )


@bp.route("/rosters/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_roster_entry():
    return _save_roster(_new_form(RosterEntryForm(), "radiologist_id", _radiologist_choices(), "radiologist"), None)


@bp.route("/rosters/<int:roster_entry_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def roster_entry(roster_entry_id: int):
    entry = get_or_404(RosterEntry, roster_entry_id)
    form = RosterEntryForm(obj=entry if request.method == "GET" else None)
    form.radiologist_id.choices = _radiologist_choices()
    if entry.radiologist_id not in form.radiologist_id.allowed():
        form.radiologist_id.choices.append(
            (entry.radiologist_id, _("%(name)s (deactivated)", name=entry.radiologist.full_name))
        )
    return _save_roster(form, entry)


def _save_roster(form: RosterEntryForm, entry: RosterEntry | None):
    return save_form(
        form,
        lambda: setup_resources.save_roster_entry(db.session, actor(), entry, form.fields()),
        render=lambda **kw: _render_weekly(RosterEntry, form, entry, **kw),
        message=lambda: _("Roster entry saved."),
        next_url=lambda: url_for("admin.rosters", radiologist=form.radiologist_id.data),
    )


@bp.post("/rosters/<int:roster_entry_id>/end")
@roles(Role.ADMIN)
def end_roster_entry(roster_entry_id: int):
    entry = get_or_404(RosterEntry, roster_entry_id)
    return _end_weekly(entry, "admin.roster_entry", "admin.rosters", {"radiologist": entry.radiologist_id})


@bp.post("/rosters/<int:roster_entry_id>/delete")
@roles(Role.ADMIN)
def delete_roster_entry(roster_entry_id: int):
    entry = get_or_404(RosterEntry, roster_entry_id)
    return _delete_weekly(entry, "admin.roster_entry", "admin.rosters", {"radiologist": entry.radiologist_id})


# --- roster exceptions ---------------------------------------------------------------------------------


@bp.route("/rosters/exceptions/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_roster_exception():
    form = _new_form(RosterExceptionForm(), "radiologist_id", _radiologist_choices(), "radiologist", "on_date")
    return save_form(
        form,
        lambda: setup_resources.save_roster_exception(db.session, actor(), form.fields()),
        render=lambda stranded=None, status=200: (
            render_template("admin/roster_exception_form.html", form=form, stranded=stranded),
            status,
        ),
        message=lambda: _("Roster exception saved."),
        next_url=lambda: url_for("admin.rosters", radiologist=form.radiologist_id.data),
    )


@bp.post("/rosters/exceptions/<int:roster_exception_id>/delete")
@roles(Role.ADMIN)
def delete_roster_exception(roster_exception_id: int):
    row = get_or_404(RosterException, roster_exception_id)
    back_url = url_for("admin.rosters", radiologist=row.radiologist_id)
    today = local_today()
    try:
        outcome = try_change(lambda: setup_resources.delete_roster_exception(db.session, actor(), row, today))
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(back_url)
    if outcome.needs_confirmation:
        return confirm_action(
            outcome,
            title=_("Delete this extra duty?"),
            question=_("Without it the radiologist is not on duty at that time."),
            back_url=back_url,
            button=_("Delete it anyway"),
        )
    return saved(outcome, _("Roster exception deleted."), back_url)
