"""Dates and times for people: in the clinic's zone and in the clinic's (or the patient's) format."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date

# Numeric formats that staff read at a glance; month names come from Babel for letters.
NUMERIC_DATE = {"de": "dd.MM.yyyy", "en": "dd/MM/yyyy"}

# The days a screen shows or searches (a calendar, a worklist, a report, the finder's "not before"): a
# clinic works within this century. A year typed wrongly (0002, 9999) is refused rather than shown, and
# the arithmetic around a day (the next midnight, the week's Sunday) never leaves Python's calendar.
FIRST_SHOWN_DAY = dt.date(2000, 1, 1)
LAST_SHOWN_DAY = dt.date(2099, 12, 31)


# Dates of birth go back further (the API's days start there too); a year typed wrongly (0001) is refused.
FIRST_BIRTH_DAY = dt.date(1900, 1, 1)


def is_shown_day(day: dt.date | dt.datetime) -> bool:
    """Whether ``day`` (or the day of a wall-clock time) lies in the years a screen shows or takes."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return FIRST_SHOWN_DAY <= day <= LAST_SHOWN_DAY


def _lang(locale: str) -> str:
    return locale.split("_")[0].lower()


def to_local(instant: dt.datetime, zone: str) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(ZoneInfo(zone))


# The numeric formats written directly: what Babel writes for these patterns (ASCII digits, zero-padded),
# without its pattern machinery, which a screen with hundreds of times (the day calendar) paid for each.
_NUMERIC_DATE_FORMAT = {"dd.MM.yyyy": "{d:02d}.{m:02d}.{y:04d}", "dd/MM/yyyy": "{d:02d}/{m:02d}/{y:04d}"}


def fmt_date(day: dt.date | dt.datetime | None, locale: str = "de_DE", zone: str | None = None) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = to_local(day, zone or "UTC").date()
    pattern = NUMERIC_DATE.get(_lang(locale), "yyyy-MM-dd")
    written = _NUMERIC_DATE_FORMAT.get(pattern)
    if written is not None:
        return written.format(d=day.day, m=day.month, y=day.year)
    return format_date(day, pattern, locale=locale)


def fmt_time(instant: dt.datetime | None, zone: str, locale: str = "de_DE") -> str:
    """HH:mm in the clinic's zone (the same in every locale the clinic uses)."""
    if instant is None:
        return ""
    local = to_local(instant, zone)
    return f"{local.hour:02d}:{local.minute:02d}"


def fmt_datetime(instant: dt.datetime | None, zone: str, locale: str = "de_DE") -> str:
    if instant is None:
        return ""
    return f"{fmt_date(instant, locale, zone)} {fmt_time(instant, zone, locale)}"


def fmt_long_date(day: dt.date | dt.datetime, locale: str = "de_DE", zone: str | None = None) -> str:
    """ "Montag, 14. Dezember 2026" / "Monday, 14 December 2026", for letters."""
    if isinstance(day, dt.datetime):
        day = to_local(day, zone or "UTC").date()
    return format_date(day, "full", locale=locale)


def local_midnight(day: dt.date, zone: str) -> dt.datetime:
    """The instant a local calendar day begins (zoneinfo resolves the offset for that date)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def local_instant(day: dt.date, at: dt.time, zone: str) -> dt.datetime:
    """Local wall-clock time on a date, as a UTC instant. 08:00 stays 08:00 across DST changes."""
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def day_bounds(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(day, zone), local_midnight(day + dt.timedelta(days=1), zone)
