"""The front desk's views live in one module per screen; importing them registers their routes."""

from . import appointment, booking, calendar, intake, portal, prereg, today, waitlist  # noqa: F401
