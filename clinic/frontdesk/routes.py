"""The front desk's views live in one module per screen; importing them registers their routes."""

from . import (  # noqa: F401
    appointment,
    booking,
    calendar,
    intake,
    medication_calls,
    pacs,
    portal,
    prereg,
    today,
    waitlist,
)
