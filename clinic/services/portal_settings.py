"""Which steps of the patient's link the clinic offers: an admin turns each on or off.

Kept as one clinic setting (``portal_steps``, a comma-separated list). Nothing is on until an admin
turns it on: a clinic decides when its patients may book for themselves.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..core.errors import InvalidInput
from ..core.messages import N_
from ..models import ClinicSetting
from ..models.vocab import Labelled
from . import settings

KEY = "portal_steps"


class PortalStep(Labelled):
    LINKS = "links", N_("Patient links (the portal itself)")  # links can be sent and opened
    QUESTIONNAIRE = "questionnaire", N_("Pre-registration questionnaire")  # the items of PortalItem
    UPLOADS = "uploads", N_("Prior imaging uploads")
    BOOKING = "booking", N_("Choosing a time")
    MANAGE = "manage", N_("Moving and cancelling")  # a booked time
    WAITLIST = "waitlist", N_("Waitlist: earlier times")  # asking for an earlier time and taking one offered


def enabled(session: Session) -> frozenset[str]:
    """The steps that are on. Every other step needs LINKS too: without it, none is."""
    row = session.get(ClinicSetting, KEY)
    steps = frozenset(s for s in (row.value.split(",") if row else []) if s in PortalStep.values())
    return steps if PortalStep.LINKS in steps else frozenset()


def is_on(session: Session, step: str) -> bool:
    return step in enabled(session)


def put(session: Session, steps: set[str]) -> frozenset[str]:
    unknown = set(steps) - set(PortalStep.values())
    if unknown:
        raise InvalidInput(N_("Unknown portal step {steps}."), steps=", ".join(sorted(unknown)))
    value = ",".join(s for s in PortalStep.values() if s in steps)
    settings.store(session, KEY, value)
    return enabled(session)
