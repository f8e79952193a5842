"""The day's worklist, filtered by room or radiologist; it refreshes itself (htmx) and prints."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ..auth.access import roles
from ..core.numbers import whole
from ..extensions import db
from ..i18n import screen_language
from ..models import Room, User, UserRole
from ..models.vocab import Role
from ..services import documents, restart_calls, stranding, worklist
from ..web import get_or_404, local_today, now, parse_day, pdf_response, scheduling_settings, zone
from . import bp


def _context(*, filters: bool = True):
    """What the worklist shows; ``filters``: with the rooms and radiologists of the filter form (the
    page, not its periodic refresh of the table)."""
    day = parse_day(request.args.get("day"), local_today())
    room_id = request.args.get("room_id", type=whole) or None
    radiologist_id = request.args.get("radiologist_id", type=whole) or None
    rows = worklist.rows(
        db.session,
        day,
        zone(),
        room_id=room_id,
        radiologist_id=radiologist_id,
        finished_last=True,
        now=now(),
        language=screen_language(),
    )
    # The rows name their rooms: read them in one statement (rather than one per room as each is met).
    rooms = db.session.scalars(select(Room).where(Room.active).order_by(Room.sort_order)).all()
    radiologists = []
    if filters:
        radiologists = db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.RADIOLOGIST, User.active)
            .order_by(User.full_name)
            .options(lazyload(User.role_rows))  # names for the filter: their roles are not needed
        ).all()
    # Left outside the clinic's hours by a setup change saved anyway: the front desk moves or cancels them.
    among = [r.appointment.id for r in rows]
    stranded = {s.appointment_id: s for s in stranding.still_stranded(db.session, scheduling_settings(), among)}
    return {
        "day": day,
        "stranded": stranded,
        "room_id": room_id,
        "radiologist_id": radiologist_id,
        "rows": rows,
        "rooms": rooms,
        "radiologists": radiologists,
    }


@bp.get("/worklist", endpoint="worklist")
@roles(Role.RADIOLOGIST, Role.NURSE)
def worklist_page():
    # The calls the discharge sheets promised about restarting a blood thinner, still open (whatever the day
    # shown): nurses see them too, only a radiologist records one (on the appointment's page).
    at = now()
    restart_due = restart_calls.pending(db.session, now=at, language=screen_language())
    # Overdue a day after the procedure ended (``restart_calls.OVERDUE_AFTER``): by appointment and drug.
    restart_overdue = {(d.appointment.id, d.item.drug_code) for d in restart_due if d.overdue(at)}
    return render_template(
        "radiology/worklist.html", restart_due=restart_due, restart_overdue=restart_overdue, **_context()
    )


@bp.get("/worklist/rows")
@roles(Role.RADIOLOGIST, Role.NURSE)
def worklist_rows():
    """The table alone, for the page's periodic refresh."""
    return render_template("radiology/_worklist_rows.html", **_context(filters=False))


@bp.get("/worklist/<int:room_id>.pdf")
@roles(Role.RADIOLOGIST, Role.NURSE, Role.FRONT_DESK)
def worklist_pdf(room_id: int):
    room = get_or_404(Room, room_id)
    day = parse_day(request.args.get("day"), local_today())
    language = screen_language()  # a staff sheet: in the language of the staff member's screens
    pdf = documents.worklist_pdf(db.session, day, room, zone(), language)
    return pdf_response(pdf, f"worklist-{day}-{room.name}.pdf")
