"""The front desk's views live in one module per screen; importing them registers their routes."""

from . import appointment, booking, calendar, intake, medication_calls, pacs, prereg, today, waitlist  # noqa: F401
