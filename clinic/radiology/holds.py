"""A radiologist confirms a patient's medication plan after the telephone call (issue 14, finding 2).

Until then, letters do not print hold moments that come from a rule nobody has signed off; they say
that the clinic will call. The confirmation lapses by itself when the plan's figures change.
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import roles
from ..core.numbers import whole
from ..extensions import db
from ..models import Appointment, Referral
from ..models.vocab import Role
from ..services import medication
from ..web import get_or_404, lands_on, one_click, zone
from . import bp


@bp.post("/referrals/<int:referral_id>/confirm-hold-plan")
@lands_on("radiology.triage_referral", anchor="blood-thinners")
@roles(Role.RADIOLOGIST)
def confirm_hold_plan(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    back = url_for("frontdesk.referral", referral_id=referral.id)
    if request.form.get("back_to") == "triage":
        back = url_for("radiology.triage_referral", referral_id=referral.id)
    appointment_id = request.form.get("appointment_id", type=whole)
    if appointment_id:
        appointment = db.session.get(Appointment, appointment_id)
        if appointment is not None and appointment.referral_id == referral.id:
            screen = "radiology.appointment" if request.form.get("back_to") == "radiology" else "frontdesk.appointment"
            back = url_for(screen, appointment_id=appointment.id)
    return one_click(
        lambda: medication.confirm_plan(db.session, current_user, referral, zone()),
        done=_("Medication plan confirmed: letters printed from now on say what applies to each drug."),
        back=back,
    )
