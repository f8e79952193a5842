"""Booking, holding, confirming, moving and cancelling for the clinic: the scheduling operations with the
clinic's readiness rules (``readiness.assess``: pre-registration, medication holds, stages) handed in.

Scheduling knows nothing of pre-registration; it asks the check it is given, inside the same transaction
and before it writes. Screens, the API, FHIR, the portal and the demo book through here, so no booking
skips the rules; ``book(..., readiness=None)`` is the one way round them (the demo's past, tests of the
day). Each operation takes the arguments of its scheduling namesake, less ``readiness``.
"""

from __future__ import annotations

from functools import partial

from ..scheduling import booking, ending, holds
from .readiness import assess

__all__ = ["book", "cancel", "confirm_hold", "freed_time_offers", "hold", "moved_time_offers", "reschedule"]

book = partial(booking.book, readiness=assess)
hold = partial(holds.hold, readiness=assess)
confirm_hold = partial(holds.confirm_hold, readiness=assess)
reschedule = partial(booking.reschedule, readiness=assess)
cancel = partial(ending.cancel, readiness=assess)  # returns the waitlist patients, ready to book, for the time
freed_time_offers = partial(ending.freed_time_offers, readiness=assess)
moved_time_offers = partial(ending.moved_time_offers, readiness=assess)  # the time a move freed, as a cancellation
