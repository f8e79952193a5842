"""Small formatting helpers for the admin templates (registered for this blueprint only)."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _

from ..core.timefmt import fmt_date, to_local
from ..i18n import screen_language
from ..models import AnticoagulantRule, Closure, ProcedureType
from ..models.vocab import HoldAction
from ..services.accounts import MIN_PASSWORD_LENGTH
from ..services.medication import hold_days
from ..services.setup_resources import hhmm
from .fields import WEEKDAY_NAMES


def procedure_name(procedure: ProcedureType) -> str:
    """The procedure's name in the language of the screen (the German one for German screens, when given)."""
    if screen_language() == "de" and procedure.name_de:
        return procedure.name_de
    return procedure.name_en


def weekday_name(weekday: int) -> str:
    return str(WEEKDAY_NAMES[weekday])


def local_weekday(instant: dt.datetime) -> str:
    """The weekday of an instant in the clinic's zone, e.g. "Monday"."""
    return str(WEEKDAY_NAMES[to_local(instant, current_app.config["CLINIC_TIMEZONE"]).weekday()])


def hold_summary(rule: AnticoagulantRule) -> str:
    """A table cell: "hold 5 days, restart after 24 h", "no hold", "shared assessment"."""
    if rule.action == HoldAction.HOLD:
        hours = rule.hold_hours or 0
        text = _("hold %(days)s days", days=hold_days(hours)) if hours >= 48 else _("hold %(hours)s h", hours=hours)
    else:
        english = HoldAction(rule.action).label
        text = _(english)
        text = text.lower() if text == english else text  # "no hold"; German keeps its nouns
    if rule.restart_hours is not None:
        text += _(", restart after %(hours)s h", hours=rule.restart_hours)
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
            return _(
                "%(weekday)s %(day)s, whole day", weekday=WEEKDAY_NAMES[last.weekday()], day=fmt_date(last, locale)
            )
        return _("%(first)s – %(last)s, whole days", first=fmt_date(start.date(), locale), last=fmt_date(last, locale))
    if start.date() == end.date():
        return (
            f"{WEEKDAY_NAMES[start.weekday()]} {fmt_date(start.date(), locale)} {hhmm(start.time())}–{hhmm(end.time())}"
        )
    return f"{fmt_date(start.date(), locale)} {hhmm(start.time())} – {fmt_date(end.date(), locale)} {hhmm(end.time())}"


HELPERS = {
    "procedure_name": procedure_name,
    "weekday_name": weekday_name,
    "local_weekday": local_weekday,
    "hhmm": hhmm,
    "hold_summary": hold_summary,
    "closure_span": closure_span,
    "min_password_length": MIN_PASSWORD_LENGTH,
}
