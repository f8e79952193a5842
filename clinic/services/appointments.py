"""Booking, holding, confirming, moving and cancelling for the clinic: the scheduling operations with the
clinic's readiness rules (``readiness.assess``: pre-registration, medication holds, stages) handed in.

Scheduling knows nothing of pre-registration; it asks the check it is given, inside the same transaction
and before it writes. Screens, the API, FHIR, the portal and the demo book through here, so no booking
skips the rules; ``book(..., readiness=None)`` is the one way round them (the demo's past, tests of the
day). Each operation takes the arguments of its scheduling namesake, less ``readiness``.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from sqlalchemy.orm import Session

from ..models import Appointment
from ..scheduling import booking, ending, holds
from ..scheduling.context import Settings
from ..scheduling.finder import Candidate
from . import medication
from .readiness import assess

__all__ = ["book", "cancel", "confirm_hold", "freed_time_offers", "hold", "moved_time_offers", "reschedule"]

book = partial(booking.book, readiness=assess)
hold = partial(holds.hold, readiness=assess)
confirm_hold = partial(holds.confirm_hold, readiness=assess)


def reschedule(
    session: Session,
    settings: Settings,
    actor,
    appointment: Appointment,
    candidate: Candidate,
    *,
    seen_start: dt.datetime | None = None,
) -> Appointment:
    """``booking.reschedule`` with the readiness rules; a new time lapses the radiologist's confirmation of the
    medication plan, given for the old one (``medication.lapse_for_move``)."""
    old_start = appointment.table_start
    moved = booking.reschedule(
        session, settings, actor, appointment, candidate, readiness=assess, seen_start=seen_start
    )
    medication.lapse_for_move(session, actor, moved, old_start)
    return moved


cancel = partial(ending.cancel, readiness=assess)  # returns the waitlist patients, ready to book, for the time
freed_time_offers = partial(ending.freed_time_offers, readiness=assess)
moved_time_offers = partial(ending.moved_time_offers, readiness=assess)  # the time a move freed, as a cancellation
