"""Small formatting helpers for the admin templates (registered for this blueprint only)."""

from __future__ import annotations

from ..models import AnticoagulantRule
from ..models.vocab import HoldAction
from ..services.medication import hold_days
from ..services.setup_resources import WEEKDAYS, hhmm


def weekday_name(weekday: int) -> str:
    return WEEKDAYS[weekday]


def hold_summary(rule: AnticoagulantRule) -> str:
    """A table cell: "hold 5 days, restart after 24 h", "no hold", "shared assessment"."""
    if rule.action == HoldAction.HOLD:
        hours = rule.hold_hours or 0
        text = f"hold {hold_days(hours)} days" if hours >= 48 else f"hold {hours} h"
    else:
        text = HoldAction(rule.action).label.lower()
    if rule.restart_hours is not None:
        text += f", restart after {rule.restart_hours} h"
    if rule.requires_inr:
        text += ", INR"
    return text


HELPERS = {"weekday_name": weekday_name, "hhmm": hhmm, "hold_summary": hold_summary}
