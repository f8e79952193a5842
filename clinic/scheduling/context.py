"""The settings the scheduling code needs, passed in explicitly (no Flask config in here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.clock import utcnow

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

    def now(self) -> dt.datetime:
        return self.clock()

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(zone=config["CLINIC_TIMEZONE"], hold_minutes=config.get("BOOKING_HOLD_MINUTES", 5))
