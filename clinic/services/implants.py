"""MRI guidance and a recorded implant: a pacemaker, a neurostimulator or a cochlear implant may rule out
MRI, an MR-conditional device allows it only under its conditions. Before a patient with a recorded implant
is booked under MRI guidance, a radiologist checks the device and says so (who, when, which implant); the
check stands for the implant as recorded then, and lapses when the front desk records another one."""

from __future__ import annotations

from ..core.messages import N_, Phrase
from ..models import Appointment, Referral
from ..models.vocab import AppointmentStatus, Modality

BEFORE_THE_START = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


def implant_recorded(referral: Referral) -> bool:
    prereg = referral.preregistration
    return prereg is not None and prereg.conditions_settled_at is not None and bool(prereg.implant)


def implant_note(referral: Referral) -> str:
    prereg = referral.preregistration
    return ((prereg.implant_note if prereg is not None else None) or "").strip()


def mr_check_stands(referral: Referral) -> bool:
    """A radiologist checked the implant recorded now (not an earlier one)."""
    return referral.implant_mr_checked_at is not None and (referral.implant_mr_checked_note or "") == implant_note(
        referral
    )


def mr_check_missing(referral: Referral, guidance: str | None) -> bool:
    """MRI guidance for a patient with a recorded implant no radiologist has checked for it."""
    return guidance == Modality.MRI and implant_recorded(referral) and not mr_check_stands(referral)


def unchecked_implant(referral: Referral, guidance: str | None) -> Phrase | None:
    """Why the referral cannot be booked under ``guidance`` (the plan's modality), in words; None when it can."""
    if not mr_check_missing(referral, guidance):
        return None
    return Phrase(
        N_(
            "MRI guidance with a recorded implant ({implant}): a radiologist first confirms on the triage page "
            "that the implant is MR-conditional and checked (or plans CT guidance)"
        ),
        implant=implant_note(referral) or Phrase(N_("no details")),
    )


def check_outstanding(appointment: Appointment) -> Phrase | None:
    """A booked MRI-guided appointment whose patient's implant no radiologist has checked (recorded after
    the booking, or checked for another implant): the start is refused (``procedure_day.start_procedure``),
    so the worklist and the front desk's appointment page say so beforehand. None once it started."""
    referral = appointment.referral
    if referral is None or appointment.status not in BEFORE_THE_START:
        return None
    if not mr_check_missing(referral, appointment.guidance):
        return None
    return Phrase(
        N_("Implant check outstanding ({implant}): the procedure cannot start until a radiologist has checked it"),
        implant=implant_note(referral) or Phrase(N_("no details")),
    )
