"""The early ends of an appointment: a cancellation (with a reason) and a no-show. Both free the chain
(``Appointment.cancel`` and ``Appointment.mark_no_show`` check the change and record it); a cancellation
returns the waitlist patients who could take the freed time."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..core.errors import DomainError, InvalidInput
from ..core.messages import N_
from ..models import Appointment
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus
from .booking import WaitlistOffer, chain_of, waitlist_offers
from .context import ReadinessCheck, Settings


def cancel(
    session: Session, settings: Settings, actor, appointment: Appointment, reason: str, *, readiness: ReadinessCheck
) -> list[WaitlistOffer]:
    """Cancel with a reason, free the chain, and return waitlist patients who could take the time (those
    ready by ``readiness``)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(N_("Give a reason for the cancellation."))
    appointment.refuse_unless(AppointmentStatus.CANCELLED)
    freed = chain_of(appointment)
    appointment.cancel(actor, utcnow(), reason)
    session.flush()
    return waitlist_offers(session, settings, freed, readiness=readiness)


def freed_time_offers(
    session: Session, settings: Settings, appointment: Appointment, *, readiness: ReadinessCheck
) -> list[WaitlistOffer]:
    """The waitlist offers for the time a cancelled appointment freed, as they stand now (none once the
    time has passed; a chain someone booked since is no longer offered)."""
    if appointment.status != AppointmentStatus.CANCELLED:
        return []
    return waitlist_offers(session, settings, chain_of(appointment), readiness=readiness)


def mark_no_show(session: Session, settings: Settings, actor, appointment: Appointment) -> None:
    appointment.refuse_unless(AppointmentStatus.NO_SHOW)
    if appointment.table_start > settings.now():
        raise DomainError(N_("An appointment cannot be a no-show before its time."), code="invalid_state")
    appointment.mark_no_show(actor, utcnow())
    session.flush()
