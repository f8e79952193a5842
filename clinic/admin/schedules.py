"""Session templates (when rooms are open) and rosters (when radiologists are on duty).

Every change goes through the stranding check: a change that leaves booked appointments outside the
new availability shows them first and is saved only when the admin confirms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.access import roles
from ..core.numbers import whole
from ..extensions import db
from ..models import Room, RoomSession, RosterEntry, RosterException, User
from ..models.vocab import Role
from ..services import setup_catalogue, setup_resources
from ..web import lands_on
from . import bp
from .common import (
    actor,
    form_page,
    get_or_404,
    local_today,
    one_click_change,
    save_form,
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
        field.data = request.args.get(arg, type=whole)
        getattr(form, first_day).data = local_today()
    return form


@dataclass(frozen=True)
class _Weekly:
    """Where the screens of session templates and of roster entries differ."""

    form_page: str
    row_name: str  # what the form page calls the row
    endpoint: str  # the row's form page
    id_arg: str
    list_endpoint: str
    owner: str  # the column, and the form field, naming the row's room or radiologist
    list_arg: str  # the list's filter by that owner
    save: Callable
    saved: Callable[[], str]
    end_endpoint: str
    delete_endpoint: str
    form_id: str
    owner_name: Callable[[object], str]  # the room's or radiologist's name, on the page of a row

    def edit_url(self, row) -> str:
        return url_for(self.endpoint, **{self.id_arg: row.id})

    def page_args(self, form, row) -> dict:
        """What the form page (``admin/_weekly_form.html``) needs besides its words."""
        args = {
            "row": row,
            self.row_name: row,
            "owner_field": form[self.owner],
            "form_id": self.form_id,
            "list_url": self.list_url(getattr(row, self.owner) if row else None),
            "cancel_url": self.list_url(None),
        }
        if row:
            args.update(
                owner_name=self.owner_name(row),
                end_url=url_for(self.end_endpoint, **{self.id_arg: row.id}),
                delete_url=url_for(self.delete_endpoint, **{self.id_arg: row.id}),
                **_weekly_view_args(row, local_today()),
            )
        return args

    def list_url(self, owner_id: int | None) -> str:
        return url_for(self.list_endpoint, **{self.list_arg: owner_id})


WEEKLY = {
    RoomSession: _Weekly(
        form_page="admin/session_form.html",
        row_name="template",
        endpoint="admin.session_template",
        id_arg="session_template_id",
        list_endpoint="admin.sessions",
        owner="room_id",
        list_arg="room",
        save=setup_resources.save_session_template,
        saved=lambda: _("Session template saved."),
        end_endpoint="admin.end_session",
        delete_endpoint="admin.delete_session",
        form_id="session-form",
        owner_name=lambda template: template.room.name,
    ),
    RosterEntry: _Weekly(
        form_page="admin/roster_form.html",
        row_name="entry",
        endpoint="admin.roster_entry",
        id_arg="roster_entry_id",
        list_endpoint="admin.rosters",
        owner="radiologist_id",
        list_arg="radiologist",
        save=setup_resources.save_roster_entry,
        saved=lambda: _("Roster entry saved."),
        end_endpoint="admin.end_roster_entry",
        delete_endpoint="admin.delete_roster_entry",
        form_id="roster-form",
        owner_name=lambda entry: entry.radiologist.full_name,
    ),
}


def _save_weekly(kind: type[RoomSession | RosterEntry], form, row: RoomSession | RosterEntry | None):
    weekly = WEEKLY[kind]

    def render(*, stranded=None, status=200):
        return render_template(weekly.form_page, form=form, stranded=stranded, **weekly.page_args(form, row)), status

    return save_form(
        form,
        lambda: weekly.save(db.session, actor(), row, form.fields()),
        render=render,
        message=weekly.saved,
        next_url=lambda: weekly.list_url(getattr(form, weekly.owner).data),
    )


def _end_weekly(row: RoomSession | RosterEntry):
    weekly = WEEKLY[type(row)]
    form = EndForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.last_day.errors)) or _("Give the last day."), "danger")
        return redirect(weekly.edit_url(row))
    last_day = form.last_day.data
    return one_click_change(
        lambda: setup_resources.end_weekly(db.session, actor(), row, last_day),
        back_url=weekly.edit_url(row),
        message=_("Ends after %(day)s.", day=last_day.strftime("%d.%m.%Y")),
        next_url=weekly.list_url(getattr(row, weekly.owner)),
        title=_("End this after %(day)s?", day=last_day.strftime("%d.%m.%Y")),
        question=_("From %(day)s on it no longer applies.", day=(last_day + dt.timedelta(days=1)).strftime("%d.%m.%Y")),
        button=_("End it anyway"),
        fields={"last_day": last_day.isoformat()},
    )


def _delete_weekly(row: RoomSession | RosterEntry):
    weekly = WEEKLY[type(row)]
    today = local_today()
    return one_click_change(
        lambda: setup_resources.delete_weekly(db.session, actor(), row, today),
        back_url=weekly.edit_url(row),
        message=_("Deleted."),
        next_url=weekly.list_url(getattr(row, weekly.owner)),
        title=_("Delete this?"),
        question=_("Once deleted, it no longer applies."),
        button=_("Delete it anyway"),
    )


# --- session templates -------------------------------------------------------------------------------


@bp.get("/sessions")
@roles(Role.ADMIN)
def sessions():
    today = local_today()
    room_id = request.args.get("room", type=whole)
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
    return _save_weekly(RoomSession, _new_form(SessionTemplateForm(), "room_id", _room_choices(), "room"), None)


@bp.route("/sessions/<int:session_template_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def session_template(session_template_id: int):
    template = get_or_404(RoomSession, session_template_id)
    form = SessionTemplateForm(obj=template if request.method == "GET" else None)
    form.room_id.choices = _room_choices()
    return _save_weekly(RoomSession, form, template)


@bp.post("/sessions/<int:session_template_id>/end")
@lands_on("admin.session_template", anchor="end-title")
@roles(Role.ADMIN)
def end_session(session_template_id: int):
    return _end_weekly(get_or_404(RoomSession, session_template_id))


@bp.post("/sessions/<int:session_template_id>/delete")
@lands_on("admin.session_template", anchor="end-title")
@roles(Role.ADMIN)
def delete_session(session_template_id: int):
    return _delete_weekly(get_or_404(RoomSession, session_template_id))


# --- rosters -------------------------------------------------------------------------------------------


@bp.get("/rosters")
@roles(Role.ADMIN)
def rosters():
    today = local_today()
    radiologist_id = request.args.get("radiologist", type=whole)
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
    form = _new_form(RosterEntryForm(), "radiologist_id", _radiologist_choices(), "radiologist")
    return _save_weekly(RosterEntry, form, None)


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
    return _save_weekly(RosterEntry, form, entry)


@bp.post("/rosters/<int:roster_entry_id>/end")
@lands_on("admin.roster_entry", anchor="end-title")
@roles(Role.ADMIN)
def end_roster_entry(roster_entry_id: int):
    return _end_weekly(get_or_404(RosterEntry, roster_entry_id))


@bp.post("/rosters/<int:roster_entry_id>/delete")
@lands_on("admin.roster_entry", anchor="end-title")
@roles(Role.ADMIN)
def delete_roster_entry(roster_entry_id: int):
    return _delete_weekly(get_or_404(RosterEntry, roster_entry_id))


# --- roster exceptions ---------------------------------------------------------------------------------


@bp.route("/rosters/exceptions/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_roster_exception():
    form = _new_form(RosterExceptionForm(), "radiologist_id", _radiologist_choices(), "radiologist", "on_date")
    return save_form(
        form,
        lambda: setup_resources.save_roster_exception(db.session, actor(), form.fields()),
        render=form_page("admin/roster_exception_form.html", form),
        message=lambda: _("Roster exception saved."),
        next_url=lambda: url_for("admin.rosters", radiologist=form.radiologist_id.data),
    )


@bp.post("/rosters/exceptions/<int:roster_exception_id>/delete")
@lands_on("admin.rosters")
@roles(Role.ADMIN)
def delete_roster_exception(roster_exception_id: int):
    row = get_or_404(RosterException, roster_exception_id)
    back_url = url_for("admin.rosters", radiologist=row.radiologist_id)
    today = local_today()
    return one_click_change(
        lambda: setup_resources.delete_roster_exception(db.session, actor(), row, today),
        back_url=back_url,
        message=_("Roster exception deleted."),
        next_url=back_url,
        title=_("Delete this extra duty?"),
        question=_("Without it the radiologist is not on duty at that time."),
        button=_("Delete it anyway"),
    )
