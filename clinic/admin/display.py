"""Small formatting helpers for the admin templates (registered for this blueprint only)."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from ..core.timefmt import fmt_date, to_local
from ..models import AnticoagulantRule, Closure
from ..models.vocab import HoldAction
from ..services.medication import hold_days
from ..services.setup_resources import WEEKDAYS, hhmm


def weekday_name(weekday: int) -> str:
    return WEEKDAYS[weekday]


def local_weekday(instant: dt.datetime) -> str:
    """The weekday of an instant in the clinic's zone, e.g. "Monday"."""
    return WEEKDAYS[to_local(instant, current_app.config["CLINIC_TIMEZONE"]).weekday()]


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


def closure_span(closure: Closure) -> str:
    """ "Thursday 24.12.2026, whole day", "24.12.2026 – 26.12.2026, whole days", "Monday 30.11.2026 08:00–12:30"."""
    zone, locale = current_app.config["CLINIC_TIMEZONE"], current_app.config["CLINIC_LOCALE"]
    start, end = to_local(closure.starts_at, zone), to_local(closure.ends_at, zone)
    midnight = dt.time(0)
    if start.time() == midnight and end.time() == midnight:
        last = end.date() - dt.timedelta(days=1)
        if last == start.date():
            return f"{WEEKDAYS[last.weekday()]} {fmt_date(last, locale)}, whole day"
        return f"{fmt_date(start.date(), locale)} – {fmt_date(last, locale)}, whole days"
    if start.date() == end.date():
        return f"{WEEKDAYS[start.weekday()]} {fmt_date(start.date(), locale)} {hhmm(start.time())}–{hhmm(end.time())}"
    return f"{fmt_date(start.date(), locale)} {hhmm(start.time())} – {fmt_date(end.date(), locale)} {hhmm(end.time())}"


HELPERS = {
    "weekday_name": weekday_name,
    "local_weekday": local_weekday,
    "hhmm": hhmm,
    "hold_summary": hold_summary,
    "closure_span": closure_span,
}
