"""From a request to the scheduling code's terms: the plan of a referral, a chain, a date window."""

from __future__ import annotations

import datetime as dt

from ..core.errors import InvalidInput
from ..extensions import db
from ..models import Referral
from ..scheduling.booking import NotReady
from ..scheduling.context import SEARCH_WINDOW_DAYS
from ..scheduling.finder import Candidate
from ..scheduling.plan import ProcedurePlan
from ..services import preregistration
from ..web import local_today
from .schemas.common import Chain
from .schemas.scheduling import MAX_WINDOW_DAYS


def referral_plan(referral: Referral) -> ProcedurePlan:
    """The referral's planned procedure; before triage accepted one, the referral is not ready, and the
    checklist says why (422 not_ready, as booking answers)."""
    if referral.planned_procedure_type is None:
        raise NotReady(preregistration.missing(preregistration.checklist(db.session, referral)))
    return ProcedurePlan.from_referral(referral)


def candidate(chain: Chain) -> Candidate:
    """The chain (of a body that names one) in the finder's terms: the same six fields."""
    return Candidate(**chain.model_dump(include=set(Chain.model_fields)))


def window(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    first = first or local_today()
    last = last or first + dt.timedelta(days=SEARCH_WINDOW_DAYS)
    if (last - first).days > MAX_WINDOW_DAYS:
        raise InvalidInput(f"Search at most {MAX_WINDOW_DAYS} days at a time.")
    return first, last
