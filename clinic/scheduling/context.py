"""The settings the scheduling code needs, passed in explicitly (no Flask config in here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.clock import utcnow
from ..core.holds import HoldPlan

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import Referral
    from .plan import ProcedurePlan

# No booking row is longer than this; queries look this far back for rows that reach into a window,
# which keeps them on the starts_at index instead of scanning years of history.
MAX_BOOKING_SPAN = dt.timedelta(hours=12)
# How far ahead a search for free times looks, everywhere: the desk, the patient's link, the API, FHIR
# and the next times offered after a conflict.
SEARCH_WINDOW_DAYS = 56


@dataclass(frozen=True)
class Settings:
    zone: str  # the clinic's (CLINIC_TIMEZONE): handed in, never assumed
    grid_minutes: int = 5
    hold_minutes: int = 5
    clock: Callable[[], dt.datetime] = field(default=utcnow)
    # The shortest time from now to a new table start: for the patient to hear of it and arrive in time
    # (the clinic's notice plus the arrival before the table time; ``services.settings.booking_notice``).
    # A function where it is read from the database when first needed: pages that offer no times skip it.
    notice: dt.timedelta | Callable[[], dt.timedelta] = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return self.clock()

    def earliest_start(self) -> dt.datetime:
        """The first table start a new booking, hold or move may take."""
        return self.now() + (self.notice() if callable(self.notice) else self.notice)

    @classmethod
    def from_config(cls, config, *, notice: dt.timedelta | Callable[[], dt.timedelta] = dt.timedelta(0)) -> Settings:
        return cls(zone=config["CLINIC_TIMEZONE"], hold_minutes=config.get("BOOKING_HOLD_MINUTES", 5), notice=notice)


@dataclass(frozen=True)
class Readiness:
    """Whether a referral may be booked for a plan (invariants 3, 6 and 8), and from when. The clinic's
    rules that decide it live above scheduling (``services.readiness.assess``); booking is handed them."""

    missing: list[str] = field(default_factory=list)
    not_before: dt.date | None = None  # the local day of not_before_at
    hold_plan: HoldPlan | None = None
    not_before_at: dt.datetime | None = None  # the first table start the medication holds allow

    @property
    def ready(self) -> bool:
        return not self.missing


# How booking asks whether a referral is ready (``services.readiness.assess`` in the clinic, handed in by
# ``services.appointments``). Booking calls it inside its own transaction, before anything is written.
ReadinessCheck = Callable[["Session", Settings, "Referral", "ProcedurePlan"], Readiness]
