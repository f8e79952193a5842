"""The telephone list of medication plans: upcoming appointments whose plan waits for confirmation.

Their letters print no hold moments (a rule not signed off by a physician, or no rule): they tell the
patient that the clinic will call. After the call a radiologist confirms the plan on the appointment.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template

from ..auth.access import roles
from ..core.timefmt import local_midnight
from ..extensions import db
from ..i18n import screen_language
from ..models.vocab import Role
from ..services import medication
from ..web import local_today, now, zone
from . import bp

WEEKS_AHEAD = 8


@bp.get("/medication-calls")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
def medication_calls():
    today = local_today()
    end = local_midnight(today + dt.timedelta(weeks=WEEKS_AHEAD), zone())
    waiting = medication.awaiting_confirmation(db.session, now(), end, screen_language())
    return render_template(
        "frontdesk/medication_calls.html",
        waiting=waiting,
        weeks=WEEKS_AHEAD,
        today=today,
        soon=now() + medication.CALL_SOON,
    )
