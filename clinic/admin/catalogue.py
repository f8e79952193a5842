"""The procedure catalogue screens: list, create, edit (with qualified radiologists), stage rules,
switch off and on."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..models import Appointment, ProcedureType
from ..models.vocab import AppointmentStatus, Role
from ..services import setup_catalogue
from ..web import lands_on, one_click
from . import bp
from .catalogue_forms import ProcedureForm, StageRuleForm
from .common import (
    INVALID,
    actor,
    containing,
    get_or_404,
    in_state,
    save_form,
    scheduling_settings,
    show_error,
    submit_form,
)
from .display import procedure_name


def _radiologist_choices() -> list[tuple[int, str]]:
    return [
        (u.id, u.full_name if u.active else _("%(name)s (deactivated)", name=u.full_name))
        for u in setup_catalogue.radiologists(db.session)
    ]


def _stage_rule_form(procedure: ProcedureType) -> StageRuleForm:
    form = StageRuleForm()
    form.requires_procedure_type_id.choices = [
        (p.id, f"{p.code}: {procedure_name(p)}")
        for p in db.session.scalars(select(ProcedureType).order_by(ProcedureType.sort_order, ProcedureType.code))
    ]
    return form


def _future_bookings(procedure: ProcedureType) -> int:
    return (
        db.session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.procedure_type_id == procedure.id,
                Appointment.status.in_((AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)),
                Appointment.table_start >= scheduling_settings().now(),
            )
        )
        or 0
    )


@bp.get("/procedures")
@roles(Role.ADMIN)
def procedures():
    q = request.args.get("q", "").strip()
    show = request.args.get("show", "active")
    stmt = select(ProcedureType).order_by(ProcedureType.sort_order, ProcedureType.code)
    stmt = in_state(stmt, show, ProcedureType.active)
    if q:
        stmt = stmt.where(containing(q, ProcedureType.code, ProcedureType.name_en, ProcedureType.name_de))
    rows = db.session.scalars(stmt).all()
    qualified = {p.id: setup_catalogue.qualified_ids(db.session, p) for p in rows}
    return render_template("admin/procedures.html", procedures=rows, q=q, show=show, qualified=qualified)


@bp.route("/procedures/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_procedure():
    form = ProcedureForm()
    form.radiologists.choices = _radiologist_choices()
    if request.method == "GET":
        form.table_minutes.data = 20
        form.observation_minutes.data = 30
        form.needs_side.data = form.needs_levels.data = True

    def create():
        procedure = setup_catalogue.create_procedure(db.session, actor(), form.fields())
        setup_catalogue.set_qualified(db.session, actor(), procedure, set(form.radiologists.data))
        return procedure

    return submit_form(
        form,
        create,
        render=lambda status: (render_template("admin/procedure_form.html", form=form, procedure=None), status),
        message=lambda procedure: _(
            "%(code)s added. Write its information and consent texts next.", code=procedure.code
        ),
        next_url=lambda procedure: url_for("admin.procedure", procedure_type_id=procedure.id),
    )


def _render_edit(procedure, form, rule_form, *, stranded=None, status=200):
    return (
        render_template(
            "admin/procedure_form.html",
            form=form,
            rule_form=rule_form,
            procedure=procedure,
            stranded=stranded,
            future_bookings=_future_bookings(procedure),
        ),
        status,
    )


@bp.route("/procedures/<int:procedure_type_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def procedure(procedure_type_id: int):
    procedure = get_or_404(ProcedureType, procedure_type_id)
    form = ProcedureForm(obj=procedure if request.method == "GET" else None, procedure=procedure)
    form.radiologists.choices = _radiologist_choices()
    if request.method == "GET":
        form.code.data = procedure.code
        form.bleeding_class_cervical.data = procedure.bleeding_class_cervical or ""
        form.radiologists.data = sorted(setup_catalogue.qualified_ids(db.session, procedure))
    rule_form = _stage_rule_form(procedure)

    def change():
        setup_catalogue.update_procedure(db.session, actor(), procedure, form.fields())
        setup_catalogue.set_qualified(db.session, actor(), procedure, set(form.radiologists.data))

    return save_form(
        form,
        change,
        render=lambda **kw: _render_edit(procedure, form, rule_form, **kw),
        message=lambda: _("%(code)s saved.", code=procedure.code),
        next_url=lambda: url_for("admin.procedures"),
    )


@bp.post("/procedures/<int:procedure_type_id>/stage-rules")
@lands_on("admin.procedure", anchor="stage-rules")
@roles(Role.ADMIN)
def add_stage_rule(procedure_type_id: int):
    procedure = get_or_404(ProcedureType, procedure_type_id)
    rule_form = _stage_rule_form(procedure)
    if rule_form.validate_on_submit():
        try:
            setup_catalogue.add_stage_rule(
                db.session,
                actor(),
                procedure,
                stage=rule_form.rule_stage.data or None,
                requires_procedure_type_id=rule_form.requires_procedure_type_id.data,
                requires_stage=rule_form.requires_stage.data or None,
            )
        except DomainError as error:
            show_error(rule_form, error)
        else:
            flash(_("Stage rule added."), "success")
            return redirect(url_for("admin.procedure", procedure_type_id=procedure.id) + "#stage-rules")
    form = ProcedureForm(obj=procedure, procedure=procedure, formdata=None)
    form.radiologists.choices = _radiologist_choices()
    form.radiologists.data = sorted(setup_catalogue.qualified_ids(db.session, procedure))
    form.bleeding_class_cervical.data = procedure.bleeding_class_cervical or ""
    return _render_edit(procedure, form, rule_form, status=INVALID)


@bp.post("/procedures/<int:procedure_type_id>/stage-rules/<int:stage_rule_id>/delete")
@lands_on("admin.procedure", anchor="stage-rules")
@roles(Role.ADMIN)
def delete_stage_rule(procedure_type_id: int, stage_rule_id: int):
    procedure = get_or_404(ProcedureType, procedure_type_id)
    return one_click(
        lambda: setup_catalogue.remove_stage_rule(db.session, actor(), procedure, stage_rule_id),
        done=_("Stage rule removed."),
        back=url_for("admin.procedure", procedure_type_id=procedure.id),
        next_url=url_for("admin.procedure", procedure_type_id=procedure.id) + "#stage-rules",
    )


@bp.post("/procedures/<int:procedure_type_id>/deactivate")
@lands_on("admin.procedure")
@roles(Role.ADMIN)
def deactivate_procedure(procedure_type_id: int):
    procedure = get_or_404(ProcedureType, procedure_type_id)
    setup_catalogue.set_active(db.session, actor(), procedure, False)
    booked = _future_bookings(procedure)
    message = _("%(code)s can no longer be booked.", code=procedure.code)
    if booked:
        message += " " + _("Its %(num)d booked appointment(s) keep their times.", num=booked)
    flash(message, "success")
    return redirect(url_for("admin.procedure", procedure_type_id=procedure.id))


@bp.post("/procedures/<int:procedure_type_id>/activate")
@lands_on("admin.procedure")
@roles(Role.ADMIN)
def activate_procedure(procedure_type_id: int):
    procedure = get_or_404(ProcedureType, procedure_type_id)
    setup_catalogue.set_active(db.session, actor(), procedure, True)
    flash(_("%(code)s can be booked again.", code=procedure.code), "success")
    return redirect(url_for("admin.procedure", procedure_type_id=procedure.id))
