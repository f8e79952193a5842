"""Follow-up call list and outcomes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import roles
from ..core.errors import DomainError, InvalidInput
from ..core.numbers import whole
from ..extensions import db
from ..models import FollowUp
from ..models.vocab import Role
from ..services import outcomes, settings
from ..templating import local_date
from ..web import get_or_404, local_today, refused
from . import bp
from .forms import OutcomeForm, ReasonForm

CALLERS = (Role.RADIOLOGIST, Role.FRONT_DESK)


@bp.get("/follow-ups")
@roles(*CALLERS)
def follow_ups():
    kind = request.args.get("kind")
    stmt = outcomes.due_statement(local_today())
    if kind in ("0d", "2w", "3m"):
        stmt = stmt.where(FollowUp.kind == kind)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=whole), per_page=40, error_out=False)
    attempts = settings.get_int(db.session, "follow_up_attempts")
    return render_template("radiology/follow_ups.html", page=page, kind=kind, attempts=attempts)


@bp.route("/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@roles(*CALLERS)
def follow_up(follow_up_id: int):
    item = get_or_404(FollowUp, follow_up_id)
    form = OutcomeForm()
    unreachable = ReasonForm(prefix="unreachable")
    if request.method == "POST":
        if request.form.get("action") == "unreachable":
            try:
                outcomes.mark_unreachable(
                    db.session, current_user, item, request.form.get("unreachable-reason"), today=local_today()
                )
            except DomainError as error:
                flash(refused(error), "danger")
                return render_template("radiology/follow_up.html", item=item, form=form, unreachable=unreachable), 409
            if item.next_try_on is not None:
                flash(_("Not reached: try again on %(day)s.", day=local_date(item.next_try_on)), "info")
            else:
                flash(_("Not reached after %(n)s attempts: the follow-up is given up.", n=item.attempts), "info")
            return redirect(url_for("radiology.follow_ups"))
        if form.validate():
            try:
                outcomes.record_outcome(
                    db.session,
                    current_user,
                    item,
                    pain_score=form.pain_score.data,
                    relief_percent=form.relief_percent.data,
                    relief_category=form.relief_category.data or None,
                    complications=form.complications.data,
                    note=form.note.data,
                )
            except DomainError as error:
                message = refused(error)
                field = error.details.get("field") if isinstance(error.details, dict) else None
                if field in form:  # said at its field, under the form's one banner; what was typed stays
                    form[field].errors = [*form[field].errors, message]
                else:
                    flash(message, "danger")
                status = 422 if isinstance(error, InvalidInput) else error.http_status
                return render_template(
                    "radiology/follow_up.html", item=item, form=form, unreachable=unreachable
                ), status
            flash(_("Outcome recorded."), "success")
            return redirect(url_for("radiology.follow_ups"))
        return render_template("radiology/follow_up.html", item=item, form=form, unreachable=unreachable), 422
    return render_template("radiology/follow_up.html", item=item, form=form, unreachable=unreachable)
