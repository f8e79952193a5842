"""The waitlist screen."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.access import roles
from ..extensions import db
from ..models import Appointment, WaitlistEntry
from ..models.vocab import AppointmentStatus, PartOfDay, Role
from ..services import preregistration
from ..services import waitlist as waitlist_service
from ..web import get_or_404, lands_on, now
from . import bp, list_search

FREED_SHOWN = 20


SEARCH_KEY = "waitlist_search"


@bp.route("/waitlist", methods=["GET", "POST"])
@roles(Role.FRONT_DESK)
def waitlist():
    if request.method == "POST":  # the name searched for: in the session, not the address
        return list_search.remember(SEARCH_KEY)
    stmt = waitlist_service.active_entries(db.session)
    part = request.args.get("part_of_day")
    if part in PartOfDay.values():
        stmt = stmt.where(WaitlistEntry.part_of_day.in_(PartOfDay(part).includes()))
    search = list_search.current(SEARCH_KEY)
    unsearched = None  # how many the list holds without the search: the page says "2 of 5"
    if search.patient_ids is not None:
        unsearched = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        stmt = stmt.where(WaitlistEntry.patient_id.in_(search.patient_ids))
    entries = db.session.scalars(stmt).all()
    lists = preregistration.checklists(db.session, [e.referral for e in entries])
    missing = {e.id: preregistration.missing(lists[e.referral_id]) for e in entries}
    # Times freed by cancellations that still lie ahead: their offers are one click away.
    freed = db.session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.patient), selectinload(Appointment.room))
        .where(Appointment.status == AppointmentStatus.CANCELLED, Appointment.table_start > now())
        .order_by(Appointment.table_start)
        .limit(FREED_SHOWN)
    ).all()
    return render_template(
        "frontdesk/waitlist.html",
        entries=entries,
        part=part,
        freed=freed,
        missing=missing,
        search=search,
        unsearched=unsearched,
    )


@bp.post("/waitlist/<int:entry_id>/remove")
@lands_on("frontdesk.waitlist")
@roles(Role.FRONT_DESK)
def remove_from_waitlist(entry_id: int):
    entry = get_or_404(WaitlistEntry, entry_id)
    waitlist_service.remove(db.session, current_user, entry)
    flash(_("Taken off the waitlist."), "info")
    return redirect(url_for("frontdesk.waitlist"))
