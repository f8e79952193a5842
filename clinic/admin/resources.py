"""Rooms and observation beds: list, create, edit, switch off (after the stranding check) and on."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.access import roles
from ..extensions import db
from ..models import ObservationBed, Room, RoomSession
from ..models.vocab import Role
from ..services import setup_resources
from ..web import lands_on
from . import bp
from .common import (
    actor,
    form_page,
    get_or_404,
    one_click_change,
    save_form,
    submit_form,
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
    return submit_form(
        form,
        lambda: setup_resources.create_room(db.session, actor(), form.fields()),
        render=form_page("admin/room_form.html", form, room=None),
        message=lambda room: _(
            "Room %(name)s added. Give it session templates so that it can be booked.", name=room.name
        ),
        next_url=lambda room: url_for("admin.sessions", room=room.id),
    )


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def room(room_id: int):
    room = get_or_404(Room, room_id)
    form = RoomForm(obj=room if request.method == "GET" else None, room=room)
    return save_form(
        form,
        lambda: setup_resources.update_room(db.session, actor(), room, form.fields()),
        render=form_page("admin/room_form.html", form, room=room),
        message=lambda: _("Room %(name)s saved.", name=room.name),
        next_url=lambda: url_for("admin.rooms"),
    )


@bp.post("/rooms/<int:room_id>/deactivate")
@lands_on("admin.room")
@roles(Role.ADMIN)
def deactivate_room(room_id: int):
    room = get_or_404(Room, room_id)
    return one_click_change(
        lambda: setup_resources.set_room_active(db.session, actor(), room, False),
        back_url=url_for("admin.room", room_id=room.id),
        message=_("Room %(name)s switched off.", name=room.name),
        next_url=url_for("admin.room", room_id=room.id),
        title=_("Switch off room %(name)s?", name=room.name),
        question=_("Once switched off, %(name)s cannot be booked.", name=room.name),
        button=_("Switch off %(name)s anyway", name=room.name),
    )


@bp.post("/rooms/<int:room_id>/activate")
@lands_on("admin.room")
@roles(Role.ADMIN)
def activate_room(room_id: int):
    room = get_or_404(Room, room_id)
    setup_resources.set_room_active(db.session, actor(), room, True)
    flash(_("Room %(name)s is in use again.", name=room.name), "success")
    return redirect(url_for("admin.room", room_id=room.id))


# --- beds --------------------------------------------------------------------------------------------


@bp.route("/beds/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_bed():
    form = BedForm()
    return submit_form(
        form,
        lambda: setup_resources.create_bed(db.session, actor(), form.fields()),
        render=form_page("admin/bed_form.html", form, bed=None),
        message=lambda bed: _("%(label)s added.", label=bed.label),
        next_url=lambda bed: url_for("admin.rooms") + "#beds",
    )


@bp.route("/beds/<int:bed_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def bed(bed_id: int):
    bed = get_or_404(ObservationBed, bed_id)
    form = BedForm(obj=bed if request.method == "GET" else None, bed=bed)
    return save_form(
        form,
        lambda: setup_resources.update_bed(db.session, actor(), bed, form.fields()),
        render=form_page("admin/bed_form.html", form, bed=bed),
        message=lambda: _("%(label)s saved.", label=bed.label),
        next_url=lambda: url_for("admin.rooms") + "#beds",
    )


@bp.post("/beds/<int:bed_id>/deactivate")
@lands_on("admin.bed")
@roles(Role.ADMIN)
def deactivate_bed(bed_id: int):
    bed = get_or_404(ObservationBed, bed_id)
    return one_click_change(
        lambda: setup_resources.set_bed_active(db.session, actor(), bed, False),
        back_url=url_for("admin.bed", bed_id=bed.id),
        message=_("%(label)s switched off.", label=bed.label),
        next_url=url_for("admin.bed", bed_id=bed.id),
        title=_("Switch off %(label)s?", label=bed.label),
        question=_("Once switched off, %(label)s is not used for observation.", label=bed.label),
        button=_("Switch off %(label)s anyway", label=bed.label),
    )


@bp.post("/beds/<int:bed_id>/activate")
@lands_on("admin.bed")
@roles(Role.ADMIN)
def activate_bed(bed_id: int):
    bed = get_or_404(ObservationBed, bed_id)
    setup_resources.set_bed_active(db.session, actor(), bed, True)
    flash(_("%(label)s is in use again.", label=bed.label), "success")
    return redirect(url_for("admin.bed", bed_id=bed.id))
