"""The waitlist: patients ready to book who would take an earlier date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, invalid
from ..core.messages import N_
from ..core.timefmt import fmt_date
from ..models import Referral, WaitlistEntry
from ..models.base import utcnow
from ..models.vocab import PartOfDay, ReferralStatus
from ..scheduling.booking import NotReady
from ..scheduling.context import Settings
from ..scheduling.plan import ProcedurePlan
from . import readiness


def add(
    session: Session,
    actor,
    referral: Referral,
    *,
    earliest: dt.date,
    latest: dt.date | None,
    part_of_day: str = PartOfDay.ANY,
    note: str | None = None,
    today: dt.date,
    settings: Settings | None = None,
    language: str = "en",
) -> WaitlistEntry:
    """``today`` is the clinic's date (in its zone), which the caller knows; the machine's UTC date would
    be yesterday's for the first hour or two of a Berlin morning. ``settings``: the readiness rules judge
    the referral's plan first, and a referral the booking would refuse is refused here with the same
    reasons (``NotReady``), nothing written (walk 26: it waited, and booking its offer was refused). The
    patient's portal passes none: its patient waits for an earlier time than one booked already.
    ``language``: of the drug names in the reasons (the screen's)."""
    problem = date_problem(earliest, latest, today)
    if problem:
        raise InvalidInput(problem, details={"field": "earliest_date"})
    if referral.status != ReferralStatus.ACCEPTED or referral.planned_procedure_type_id is None:
        raise DomainError(
            N_("Only an accepted referral with a planned procedure can wait for a date."), code="invalid_state"
        )
    if latest is not None and latest < earliest:
        raise InvalidInput(N_("The latest date is before the earliest."))
    if part_of_day not in PartOfDay.values():
        raise InvalidInput(N_("Unknown part of day."))
    if settings is not None:
        ready = readiness.assess(session, settings, referral, ProcedurePlan.from_referral(referral), language=language)
        if not ready.ready:
            raise NotReady(ready.missing)
        # Walk 27: 08.12 was accepted while the medication hold allowed 17.12 at the earliest; the waitlist
        # would wait for days no offer can be booked on. Refused, with the first day the hold allows.
        if ready.not_before is not None and earliest < ready.not_before:
            raise invalid(
                N_(
                    "The medication hold allows this procedure from {day} at the earliest: choose that day or a "
                    "later one as the earliest date. Nothing was saved."
                ),
                "earliest_date",
                day=fmt_date(ready.not_before),
            )
    existing = session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.referral_id == referral.id, WaitlistEntry.active)
    )
    if existing is not None:
        existing.earliest_date, existing.latest_date = earliest, latest
        existing.part_of_day, existing.note = part_of_day, (note or "").strip() or None
        session.flush()
        return existing
    entry = WaitlistEntry(
        patient_id=referral.patient_id,
        referral_id=referral.id,
        procedure_type_id=referral.planned_procedure_type_id,
        earliest_date=earliest,
        latest_date=latest,
        part_of_day=part_of_day,
        note=(note or "").strip() or None,
        active=True,
        created_by_id=audit.actor_of(actor).id,
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


MAX_AHEAD = dt.timedelta(days=366)


def date_problem(earliest: dt.date | None, latest: dt.date | None, today: dt.date) -> str | None:
    """What is wrong with a waitlist's dates: it waits for times from today up to a year ahead (a sentence
    marked with N_: a screen shows it through gettext)."""
    if earliest is None:
        return N_("Give the earliest date.")
    if earliest < today:
        return N_("The earliest date lies in the past: the waitlist offers times from today on.")
    for day in (earliest, latest):
        if day is not None and day > today + MAX_AHEAD:
            return N_("That date is more than a year ahead: the waitlist looks for times within a year.")
    if latest is not None and latest < earliest:
        return N_("The latest date is before the earliest.")
    return None


def remove(session: Session, actor, entry: WaitlistEntry) -> None:
    entry.active = False
    entry.resolved_at = utcnow()
    session.flush()


def active_entries(session: Session):
    return select(WaitlistEntry).where(WaitlistEntry.active).order_by(WaitlistEntry.created_at, WaitlistEntry.id)
