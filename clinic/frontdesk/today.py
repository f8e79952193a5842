"""The front desk's start page: today's list, what needs doing (appointments to reschedule too), the call list."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.access import roles
from ..core.numbers import whole
from ..core.timefmt import day_bounds
from ..extensions import db
from ..models import Appointment, FollowUp, Referral, WaitlistEntry
from ..models.vocab import FollowUpStatus, ReferralStatus, Role
from ..services import booking_queue, stranding
from ..web import local_today, now, scheduling_settings, zone
from . import bp
from .forms import CheckInForm

PER_PAGE = 15


@dataclass(frozen=True)
class ListPage:
    """One page of a list the page holds in full (the open work is bounded, history is not in it)."""

    rows: list
    number: int
    total: int

    @classmethod
    def of(cls, rows, number: int) -> ListPage:
        rows = list(rows)
        pages = max(1, -(-len(rows) // PER_PAGE))
        number = min(max(number, 1), pages)
        return cls(rows[(number - 1) * PER_PAGE : number * PER_PAGE], number, len(rows))

    def shown(self, found: dict) -> ListPage:
        """This page with each entry's row as ``found`` has it (by referral id)."""
        rows = [found[e.referral_id] for e in self.rows if e.referral_id in found]
        return replace(self, rows=rows)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _page(name: str) -> int:
    return request.args.get(name, 1, type=whole) or 1


@bp.get("/")
@roles(Role.FRONT_DESK)
def today():
    day = local_today()
    start, end = day_bounds(day, zone())
    appointments = db.session.scalars(
        select(Appointment)
        .options(
            selectinload(Appointment.patient),
            selectinload(Appointment.procedure_type),
            selectinload(Appointment.room),  # the list names the room: one statement, not one per room
        )
        .where(Appointment.table_start >= start, Appointment.table_start < end)
        .order_by(Appointment.table_start)
    ).all()
    lists = booking_queue.sorting(db.session)
    to_book = ListPage.of(lists.ready, _page("page"))
    blocked = ListPage.of(lists.blocked, _page("blocked_page"))
    to_prepare = ListPage.of(lists.prepare, _page("prepare_page"))
    found = booking_queue.waiting(db.session, [*to_book.rows, *blocked.rows, *to_prepare.rows])
    calls = db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.status == FollowUpStatus.DUE))
    on_waitlist = db.session.scalar(select(func.count(WaitlistEntry.id)).where(WaitlistEntry.active))
    received = db.session.scalar(select(func.count(Referral.id)).where(Referral.status == ReferralStatus.RECEIVED))
    # Left outside the clinic's hours by a setup change saved anyway: the desk moves or cancels them.
    stranded = stranding.still_stranded(db.session, scheduling_settings())
    return render_template(
        "frontdesk/today.html",
        day=day,
        appointments=appointments,
        now_utc=now(),  # a booked patient past the table start is marked late, as on the radiologist's worklist
        to_book=to_book.shown(found),
        blocked=blocked.shown(found),
        to_prepare=to_prepare.shown(found),
        calls=calls,
        waiting=on_waitlist,
        received=received,
        stranded=ListPage.of(stranded, _page("stranded_page")),
        checkin_form=CheckInForm(),
    )
