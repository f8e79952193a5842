"""The radiologist's views, one module per screen; importing them registers their routes."""

from . import day, follow_ups, holds, reports, triage, worklist  # noqa: F401
