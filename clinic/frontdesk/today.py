"""The front desk's start page: today's list, what needs doing, the call list."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.access import roles
from ..core.timefmt import day_bounds
from ..extensions import db
from ..models import Appointment, FollowUp, Referral, WaitlistEntry
from ..models.vocab import AppointmentStatus, FollowUpStatus, ReferralStatus, Role
from ..services import preregistration
from ..web import local_today, zone
from . import bp
from .forms import CheckInForm


@bp.get("/")
@roles(Role.FRONT_DESK)
def today():
    day = local_today()
    start, end = day_bounds(day, zone())
    appointments = db.session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.patient), selectinload(Appointment.procedure_type))
        .where(Appointment.table_start >= start, Appointment.table_start < end)
        .order_by(Appointment.table_start)
    ).all()
    accepted = db.session.scalars(
        select(Referral).where(Referral.status == ReferralStatus.ACCEPTED).order_by(Referral.received_on)
    ).all()
    booked_referrals = set(
        db.session.scalars(
            select(Appointment.referral_id).where(
                Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN])
            )
        )
    )
    waiting_referrals = [r for r in accepted if r.id not in booked_referrals]
    # One query for the imaging of every listed patient, none for who settled which item (not shown).
    imaging = preregistration.imaging_statuses_by_patient(db.session, {r.patient_id for r in waiting_referrals})
    to_prepare, to_book = [], []
    for referral in waiting_referrals:
        items = preregistration.checklist(db.session, referral, people=False, imaging=imaging[referral.patient_id])
        missing = preregistration.missing(items)
        (to_prepare if missing else to_book).append((referral, missing))
    calls = db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.status == FollowUpStatus.DUE))
    waiting = db.session.scalar(select(func.count(WaitlistEntry.id)).where(WaitlistEntry.active))
    received = db.session.scalar(select(func.count(Referral.id)).where(Referral.status == ReferralStatus.RECEIVED))
    return render_template(
        "frontdesk/today.html",
        day=day,
        appointments=appointments,
        to_prepare=to_prepare[:15],
        to_book=to_book[:15],
        prepare_total=len(to_prepare),
        book_total=len(to_book),
        calls=calls,
        waiting=waiting,
        received=received,
        checkin_form=CheckInForm(),
    )
