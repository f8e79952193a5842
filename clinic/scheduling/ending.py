"""The early ends of an appointment: a cancellation (with a reason) and a no-show. Both free the chain
(``Appointment.cancel`` and ``Appointment.mark_no_show`` check the change and record it); a cancellation
returns the waitlist patients who could take the freed time."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..core.errors import Conflict, DomainError, InvalidInput
from ..core.messages import N_, Phrase
from ..core.timefmt import fmt_datetime, fmt_time
from ..models import Appointment
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus
from .booking import WaitlistOffer, chain_of, waitlist_offers
from .context import ReadinessCheck, Settings
from .finder import Candidate


class StatusChangedMeanwhile(Conflict):
    """The appointment's status is no longer the one the page showed (walk finding: a second tab, still
    showing "booked", cancelled a patient checked in meanwhile in the first without a word). The change is
    refused and says what happened; from the page as it is now, the change can be made knowingly."""

    code = "changed_meanwhile"


def refuse_if_changed(appointment: Appointment, seen_status: str | None, zone: str) -> None:
    """``seen_status``: the status the page showed when it was drawn (None: not known, e.g. the API)."""
    if seen_status not in AppointmentStatus.values() or seen_status == appointment.status:
        return
    seen = Phrase(AppointmentStatus(seen_status).label, lower=True)
    if appointment.status_enum == AppointmentStatus.CHECKED_IN:
        raise StatusChangedMeanwhile(
            N_(
                "The patient was checked in at {time} meanwhile; this page still showed the appointment as "
                "{seen}. Nothing was changed. To cancel anyway, give the reason again below."
            ),
            time=fmt_time(appointment.status_changed_at, zone),
            seen=seen,
        )
    raise StatusChangedMeanwhile(
        N_(
            "This appointment became {status} on {when} meanwhile; this page still showed it as {seen}. "
            "Nothing was changed: look at the appointment as it is now."
        ),
        status=Phrase(appointment.status_enum.label, lower=True),
        when=fmt_datetime(appointment.status_changed_at, zone),
        seen=seen,
    )


def cancel(
    session: Session,
    settings: Settings,
    actor,
    appointment: Appointment,
    reason: str,
    *,
    readiness: ReadinessCheck,
    seen_status: str | None = None,
) -> list[WaitlistOffer]:
    """Cancel with a reason, free the chain, and return waitlist patients who could take the time (those
    ready by ``readiness``). With ``seen_status`` (the status the page showed), a status changed since is
    refused (``refuse_if_changed``)."""
    refuse_if_changed(appointment, seen_status, settings.zone)
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


def moved_time_offers(
    session: Session, settings: Settings, appointment: Appointment, freed: Candidate, *, readiness: ReadinessCheck
) -> list[WaitlistOffer]:
    """The waitlist offers for the time a move freed (``freed``: the chain the appointment had before), as
    they stand now, as a cancellation offers its time: none while the appointment still holds that time."""
    if appointment.status != AppointmentStatus.BOOKED or chain_of(appointment) == freed:
        return []
    return waitlist_offers(session, settings, freed, readiness=readiness)


def mark_no_show(session: Session, settings: Settings, actor, appointment: Appointment) -> None:
    appointment.refuse_unless(AppointmentStatus.NO_SHOW)
    if appointment.table_start > settings.now():
        raise DomainError(N_("An appointment cannot be a no-show before its time."), code="invalid_state")
    appointment.mark_no_show(actor, utcnow())
    session.flush()
