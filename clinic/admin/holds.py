"""The medication hold table: drug × dose class × bleeding class, each row verified by a named clinician
or marked as unverified."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..i18n import screen_language
from ..models import AnticoagulantRule
from ..models.vocab import BleedingClass, Role
from ..services import hold_rules as hold_service
from ..services.medication import DOSE_CLASS_LABELS
from ..web import lands_on, refused
from . import bp
from .common import INVALID, actor, form_page, get_or_404, show_error, submit_form
from .hold_forms import NewRuleForm, RuleForm, VerifyForm


@bp.get("/hold-rules")
@roles(Role.ADMIN)
def hold_rules():
    q = request.args.get("q", "").strip()
    unverified_only = request.args.get("unverified") == "1"
    return render_template(
        "admin/hold_rules.html",
        rows=hold_service.table(db.session, search=q, unverified_only=unverified_only, language=screen_language()),
        classes=list(BleedingClass),
        counts=hold_service.counts(db.session),
        q=q,
        unverified_only=unverified_only,
    )


def _render_rule(rule, form=None, verify_form=None, *, status=200):
    return (
        render_template(
            "admin/hold_rule.html",
            rule=rule,
            form=form or RuleForm(formdata=None, obj=rule),
            verify_form=verify_form or VerifyForm(formdata=None),
            dose_label=_(DOSE_CLASS_LABELS.get(rule.dose_class, rule.dose_class)),
        ),
        status,
    )


@bp.route("/hold-rules/<int:hold_rule_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def hold_rule(hold_rule_id: int):
    rule = get_or_404(AnticoagulantRule, hold_rule_id)
    if request.method == "GET":
        return _render_rule(rule)
    form = RuleForm()
    if form.validate_on_submit():
        try:
            cleared = hold_service.update_rule(db.session, actor(), rule, form.fields())
        except DomainError as error:
            show_error(form, error)
        else:
            if cleared:
                flash(_("Saved. The figures changed, so the row is no longer marked as verified."), "warning")
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("admin.hold_rule", hold_rule_id=rule.id))
    return _render_rule(rule, form, status=INVALID)


@bp.post("/hold-rules/<int:hold_rule_id>/verify")
@lands_on("admin.hold_rule")
@roles(Role.ADMIN)
def verify_hold_rule(hold_rule_id: int):
    rule = get_or_404(AnticoagulantRule, hold_rule_id)
    form = VerifyForm()
    return submit_form(
        form,
        lambda: hold_service.verify(db.session, actor(), rule, form.clinician.data),
        render=lambda status: _render_rule(rule, verify_form=form, status=status),
        message=lambda _verified: _("Marked as verified by %(verified_by)s.", verified_by=rule.verified_by),
        next_url=lambda _verified: url_for("admin.hold_rules") + f"#drug-{rule.drug_code}",
    )


@bp.post("/hold-rules/<int:hold_rule_id>/unverify")
@lands_on("admin.hold_rule")
@roles(Role.ADMIN)
def unverify_hold_rule(hold_rule_id: int):
    rule = get_or_404(AnticoagulantRule, hold_rule_id)
    try:
        hold_service.unverify(db.session, actor(), rule)
    except DomainError as error:
        flash(refused(error), "danger")
    else:
        flash(_("The row is marked as unverified."), "success")
    return redirect(url_for("admin.hold_rule", hold_rule_id=rule.id))


@bp.route("/hold-rules/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_hold_rule():
    form = NewRuleForm()
    return submit_form(
        form,
        lambda: hold_service.create_rule(
            db.session,
            actor(),
            drug_code=form.drug_code.data,
            drug_name_en=form.drug_name_en.data,
            drug_name_de=form.drug_name_de.data,
            dose_class=form.dose_class.data,
            bleeding_class=form.bleeding_class.data,
            fields=form.fields(),
        ),
        render=form_page("admin/hold_rule_new.html", form),
        message=lambda _rule: _("Row added. It is unverified until a clinician checks it."),
        next_url=lambda rule: url_for("admin.hold_rule", hold_rule_id=rule.id),
    )
