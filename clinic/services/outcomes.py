"""Follow-up outcomes: the call list and what the patient reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, invalid
from ..core.messages import N_, Phrase
from ..models import Appointment, FollowUp
from ..models.base import utcnow
from ..models.vocab import FollowUpStatus, ReliefCategory
from . import settings


def due_statement(day: dt.date, *, include_pending_due: bool = True):
    statuses = [FollowUpStatus.DUE]
    stmt = select(FollowUp).join(Appointment)
    if include_pending_due:
        stmt = stmt.where(
            (FollowUp.status.in_(statuses)) | ((FollowUp.status == FollowUpStatus.PENDING) & (FollowUp.due_on <= day))
        )
    else:
        stmt = stmt.where(FollowUp.status.in_(statuses))
    return stmt.order_by(func.coalesce(FollowUp.next_try_on, FollowUp.due_on), FollowUp.due_on, FollowUp.id)


# The relief categories are bands of the relief the patient reports, in per cent. "Complete or significant"
# starts at 50: the response the studies count (/work/shared/clinical/procedures.md: "≥50% relief" in the PRT
# trial, GHAHREMAN; "≥50% relief plus ≥40% functional improvement" for facet nerve blocks, MANCH10). Under 20
# is no relief worth the name, 20 to 49 mild to moderate (the clinic's bands; procedures.md gives none). A
# stricter rule before a neurolytic stage or an RFA (≥80% or complete relief after controlled blocks,
# COHEN20, MACVICAR) is the clinic's setting ``positive_relief_percent``, read from the percentage
# (services/stages.py), not a category. A category that contradicts the percentage's band is refused (walk
# finding F-08: 80 % with "none" was saved), so that the two never say different things.
RELIEF_BANDS: tuple[tuple[int, ReliefCategory, str], ...] = (  # (from per cent, category, the band in words)
    (50, ReliefCategory.COMPLETE_OR_SIGNIFICANT, N_("50 per cent or more")),
    (20, ReliefCategory.MILD_TO_MODERATE, N_("20 to 49 per cent")),
    (0, ReliefCategory.NONE, N_("under 20 per cent")),
)


def band_for(relief_percent: int) -> tuple[ReliefCategory, str]:
    """The category of a relief in per cent, and its band in words."""
    for lowest, category, band in RELIEF_BANDS:
        if relief_percent >= lowest:
            return category, band
    raise ValueError(relief_percent)


def category_for(relief_percent: int) -> ReliefCategory:
    return band_for(relief_percent)[0]


def recorded(session: Session, appointment_ids) -> list[FollowUp]:
    """The recorded outcomes of these appointments (the follow-ups done), in the order they were due:
    shown where staff decide the next stage (the appointment, the referral)."""
    ids = set(appointment_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.appointment_id.in_(ids), FollowUp.status == FollowUpStatus.DONE)
            .order_by(FollowUp.due_on, FollowUp.id)
        )
    )


def record_outcome(
    session: Session,
    actor,
    follow_up: FollowUp,
    *,
    pain_score: int | None,
    relief_percent: int | None,
    relief_category: str | None,
    complications: str | None,
    note: str | None,
) -> FollowUp:
    if follow_up.status == FollowUpStatus.DONE:
        raise DomainError(N_("This follow-up is already recorded."), code="invalid_state")
    if pain_score is not None and not 0 <= pain_score <= 10:
        raise InvalidInput(N_("Pain scores run from 0 to 10."))
    if relief_percent is not None and not 0 <= relief_percent <= 100:
        raise InvalidInput(N_("Relief is a percentage from 0 to 100."))
    if relief_category is None:
        if relief_percent is None:
            raise InvalidInput(N_("Give the relief: a percentage or a category."))
        relief_category = category_for(relief_percent).value
    if relief_category not in ReliefCategory.values():
        raise InvalidInput(N_("Unknown relief category."))
    if relief_percent is not None:
        fits, band = band_for(relief_percent)
        if relief_category != fits:
            raise invalid(
                N_(
                    "{percent} per cent relief is “{fits}” ({band}), not “{chosen}”: choose that category, or "
                    "leave the category empty to take it from the percentage."
                ),
                "relief_category",
                percent=relief_percent,
                fits=Phrase(fits.label),
                band=Phrase(band),
                chosen=Phrase(ReliefCategory(relief_category).label),
            )
    follow_up.pain_score = pain_score
    follow_up.relief_percent = relief_percent
    follow_up.relief_category = relief_category
    follow_up.complications = (complications or "").strip() or None
    follow_up.note = (note or "").strip() or None
    follow_up.status = FollowUpStatus.DONE
    follow_up.recorded_by_id = audit.actor_of(actor).id
    follow_up.recorded_at = utcnow()
    session.flush()
    return follow_up


def mark_unreachable(session: Session, actor, follow_up: FollowUp, note: str | None, *, today: dt.date) -> FollowUp:
    """A call that did not reach the patient: counted, and tried again after the set days; only the
    last of the set number of attempts gives the follow-up up."""
    if follow_up.status in (FollowUpStatus.DONE, FollowUpStatus.UNREACHABLE):
        raise DomainError(N_("This follow-up is already recorded."), code="invalid_state")
    follow_up.attempts = (follow_up.attempts or 0) + 1
    line = f"{today.strftime('%d.%m.%Y')}, attempt {follow_up.attempts}: {(note or '').strip() or 'not reached'}"
    follow_up.note = f"{follow_up.note}\n{line}" if follow_up.note else line
    if follow_up.attempts >= settings.get_int(session, "follow_up_attempts"):
        follow_up.status = FollowUpStatus.UNREACHABLE
        follow_up.next_try_on = None
        follow_up.recorded_by_id = audit.actor_of(actor).id
        follow_up.recorded_at = utcnow()
    else:
        follow_up.status = FollowUpStatus.DUE
        follow_up.next_try_on = today + dt.timedelta(days=settings.get_int(session, "follow_up_retry_days"))
    session.flush()
    return follow_up
