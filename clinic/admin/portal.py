"""The patient portal, step by step: an admin turns each step of the patient's link on or off."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.access import roles
from ..core import audit
from ..extensions import db
from ..forms import FlaskForm
from ..models.vocab import Role
from ..services import portal_settings
from ..services.portal_settings import PortalStep
from . import bp
from .common import INVALID
from .fields import options


class StepsForm(FlaskForm):
    steps = SelectMultipleField(
        _l("Steps offered through the patient's link"),
        choices=options((s.value, s.label) for s in PortalStep),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


@bp.route("/portal", methods=["GET", "POST"])
@roles(Role.ADMIN)
def portal():
    form = StepsForm()
    if request.method == "GET":
        form.steps.data = sorted(portal_settings.enabled(db.session))
    if form.validate_on_submit():
        before = portal_settings.enabled(db.session)
        after = portal_settings.put(db.session, set(form.steps.data or []))
        if before != after:
            audit.record(
                db.session,
                "portal.steps_changed",
                "clinic_settings",
                portal_settings.KEY,
                summary={"before": sorted(before), "after": sorted(after)},
            )
        flash(_("Saved. Patients' links offer these steps from now on."), "success")
        return redirect(url_for("admin.portal"))
    status = INVALID if request.method == "POST" else 200
    return render_template("admin/portal.html", form=form), status
