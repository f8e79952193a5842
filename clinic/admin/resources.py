"""Rooms and observation beds: list, create, edit, switch off (after the stranding check) and on."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..models import ObservationBed, Room, RoomSession
from ..models.vocab import Role
from ..services import setup_resources
from . import bp
from .common import (
    INVALID,
    actor,
    confirm_action,
    get_or_404,
    save_form,
    saved,
    show_error,
    try_change,
)
from .resource_forms import BedForm, RoomForm


@bp.get("/rooms")
@roles(Role.ADMIN)
def rooms():
    show_all = request.args.get("show") == "all"
    room_stmt = select(Room).order_by(Room.sort_order, Room.name)
    bed_stmt = select(ObservationBed).order_by(ObservationBed.sort_order, ObservationBed.label)
    if not show_all:
        room_stmt = room_stmt.where(Room.active)
        bed_stmt = bed_stmt.where(ObservationBed.active)
    session_counts = dict(
        db.session.execute(select(RoomSession.room_id, func.count(RoomSession.id)).group_by(RoomSession.room_id)).all()
    )
    hidden = (
        db.session.scalar(select(func.count(Room.id)).where(~Room.active)) or 0,
        db.session.scalar(select(func.count(ObservationBed.id)).where(~ObservationBed.active)) or 0,
    )
    return render_template(
        "admin/rooms.html",
        rooms=db.session.scalars(room_stmt).all(),
        beds=db.session.scalars(bed_stmt).all(),
        session_counts=session_counts,
        show_all=show_all,
        hidden=hidden,
    )


# --- rooms -------------------------------------------------------------------------------------------


@bp.route("/rooms/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_room():
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = setup_resources.create_room(db.session, actor(), form.fields())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _("Room %(name)s added. Give it session templates so that it can be booked.", name=room.name), "success"
            )
            return redirect(url_for("admin.sessions", room=room.id))
    status = INVALID if request.method == "POST" else 200
    return render_template("admin/room_form.html", form=form, room=None), status


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def room(room_id: int):
    room = get_or_404(Room, room_id)
    form = RoomForm(obj=room if request.method == "GET" else None, room=room)
    return save_form(
        form,
        lambda: setup_resources.update_room(db.session, actor(), room, form.fields()),
        render=lambda stranded=None, status=200: (
            render_template("admin/room_form.html", form=form, room=room, stranded=stranded),
            status,
        ),
        message=lambda: _("Room %(name)s saved.", name=room.name),
        next_url=lambda: url_for("admin.rooms"),
    )


@bp.post("/rooms/<int:room_id>/deactivate")
@roles(Role.ADMIN)
def deactivate_room(room_id: int):
    room = get_or_404(Room, room_id)
    outcome = try_change(lambda: setup_resources.set_room_active(db.session, actor(), room, False))
    if outcome.needs_confirmation:
        return confirm_action(
            outcome,
            title=_("Switch off room %(name)s?", name=room.name),
            question=_("Once switched off, %(name)s cannot be booked.", name=room.name),
            back_url=url_for("admin.room", room_id=room.id),
            button=_("Switch off %(name)s anyway", name=room.name),
        )
    return saved(outcome, _("Room %(name)s switched off.", name=room.name), url_for("admin.rooms"))


@bp.post("/rooms/<int:room_id>/activate")
@roles(Role.ADMIN)
def activate_room(room_id: int):
    room = get_or_404(Room, room_id)
    setup_resources.set_room_active(db.session, actor(), room, True)
    flash(_("Room %(name)s is in use again.", name=room.name), "success")
    return redirect(url_for("admin.rooms"))


# --- beds --------------------------------------------------------------------------------------------


@bp.route("/beds/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_bed():
    form = BedForm()
    if form.validate_on_submit():
        try:
            bed = setup_resources.create_bed(db.session, actor(), form.fields())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("%(label)s added.", label=bed.label), "success")
            return redirect(url_for("admin.rooms") + "#beds")
    status = INVALID if request.method == "POST" else 200
    return render_template("admin/bed_form.html", form=form, bed=None), status


@bp.route("/beds/<int:bed_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def bed(bed_id: int):
    bed = get_or_404(ObservationBed, bed_id)
    form = BedForm(obj=bed if request.method == "GET" else None, bed=bed)
    return save_form(
        form,
        lambda: setup_resources.update_bed(db.session, actor(), bed, form.fields()),
        render=lambda stranded=None, status=200: (
            render_template("admin/bed_form.html", form=form, bed=bed, stranded=stranded),
            status,
        ),
        message=lambda: _("%(label)s saved.", label=bed.label),
        next_url=lambda: url_for("admin.rooms") + "#beds",
    )


@bp.post("/beds/<int:bed_id>/deactivate")
@roles(Role.ADMIN)
def deactivate_bed(bed_id: int):
    bed = get_or_404(ObservationBed, bed_id)
    outcome = try_change(lambda: setup_resources.set_bed_active(db.session, actor(), bed, False))
    if outcome.needs_confirmation:
        return confirm_action(
            outcome,
            title=_("Switch off %(label)s?", label=bed.label),
            question=_("Once switched off, %(label)s is not used for observation.", label=bed.label),
            back_url=url_for("admin.bed", bed_id=bed.id),
            button=_("Switch off %(label)s anyway", label=bed.label),
        )
    return saved(outcome, _("%(label)s switched off.", label=bed.label), url_for("admin.rooms") + "#beds")


@bp.post("/beds/<int:bed_id>/activate")
@roles(Role.ADMIN)
def activate_bed(bed_id: int):
    bed = get_or_404(ObservationBed, bed_id)
    setup_resources.set_bed_active(db.session, actor(), bed, True)
    flash(_("%(label)s is in use again.", label=bed.label), "success")
    return redirect(url_for("admin.rooms") + "#beds")
