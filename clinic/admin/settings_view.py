"""Clinic settings: name and contact printed on letters, arrival time, reminders, follow-up."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import roles
from ..extensions import db
from ..models.vocab import Role
from ..services import settings as clinic_settings
from . import bp
from .common import INVALID
from .settings_forms import NUMBER_SETTINGS, TEXT_SETTINGS, SettingsForm

KEYS = (*TEXT_SETTINGS, *NUMBER_SETTINGS, "follow_up_days")


@bp.route("/settings", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings():
    form = SettingsForm()
    if request.method == "GET":
        for key in KEYS:
            value = clinic_settings.get(db.session, key)
            getattr(form, key).data = int(value) if key in NUMBER_SETTINGS else value
    if form.validate_on_submit():
        if clinic_settings.update(db.session, current_user, form.values()):
            flash(_("Settings saved. Letters and sheets printed from now on use them."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("admin.settings"))
    status = INVALID if request.method == "POST" else 200
    return render_template("admin/settings.html", form=form, defaults=clinic_settings.DEFAULTS), status
