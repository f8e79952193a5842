"""The telephone list of medication plans: upcoming appointments whose plan waits for confirmation.

Their letters print no hold moments (a rule not signed off by a physician, or no rule): they tell the
patient that the clinic will call. After the call a radiologist confirms the plan on the appointment.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template, request

from ..auth.access import roles
from ..core.timefmt import local_midnight
from ..extensions import db
from ..i18n import screen_language
from ..models.vocab import Role
from ..services import medication
from ..web import local_today, now, zone
from . import bp, list_search

WEEKS_AHEAD = 8


SEARCH_KEY = "medication_call_search"


@bp.route("/medication-calls", methods=["GET", "POST"])
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
def medication_calls():
    if request.method == "POST":  # the name searched for: in the session, not the address
        return list_search.remember(SEARCH_KEY)
    today = local_today()
    end = local_midnight(today + dt.timedelta(weeks=WEEKS_AHEAD), zone())
    waiting = medication.awaiting_confirmation(db.session, now(), end, zone(), screen_language())
    search = list_search.current(SEARCH_KEY)
    unsearched = len(waiting)  # the page says "2 of 5" while a search filters the list
    if search.patient_ids is not None:
        found = set(db.session.scalars(search.patient_ids))
        waiting = [row for row in waiting if row.appointment.patient_id in found]
    return render_template(
        "frontdesk/medication_calls.html",
        waiting=waiting,
        weeks=WEEKS_AHEAD,
        today=today,
        soon=now() + medication.CALL_SOON,
        search=search,
        unsearched=unsearched,
    )
