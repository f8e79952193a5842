"""What the scanner reported (MPPS) on the procedure page: a radiologist takes the proposed times and
dose into the procedure record."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import roles
from ..extensions import db
from ..models import Appointment, PerformedStep
from ..models.vocab import Role
from ..services import mpps
from ..web import get_or_404, lands_on, one_click
from . import bp


@bp.post("/appointments/<int:appointment_id>/scanner/<int:step_id>/confirm")
@lands_on("radiology.appointment", anchor="scanner")
@roles(Role.RADIOLOGIST)
def confirm_scanner_values(appointment_id: int, step_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    step = get_or_404(PerformedStep, step_id)
    back = url_for("radiology.appointment", appointment_id=appointment.id, _anchor="scanner")
    if step.appointment_id != appointment.id:
        flash(_("That scanner report belongs to another appointment."), "danger")
        return redirect(back)
    return one_click(
        lambda: mpps.confirm(db.session, current_user, step),
        done=_("The scanner's times and dose are in the procedure record."),
        back=back,
    )
