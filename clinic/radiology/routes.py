"""The radiologist's views, one module per screen; importing them registers their routes."""

from . import day, follow_ups, holds, reports, scanner, triage, worklist  # noqa: F401
