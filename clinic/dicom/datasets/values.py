"""Small DICOM value conversions: dates, times, instants, person names."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from ...services.modality_worklist import PersonName

UTF8 = "ISO_IR 192"
CHARACTER_SET_TAG = 0x00080005
_PN_FORBIDDEN = re.compile(r"[\^\\=\x00-\x1f]")


def da(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def tm(at: dt.datetime | dt.time) -> str:
    return at.strftime("%H%M%S")


def person_name(name: PersonName) -> str:
    """DICOM's family^given^middle^prefix, without the characters that would split a component."""
    parts = [_PN_FORBIDDEN.sub(" ", p).strip() for p in (name.family, name.given, "", name.prefix)]
    return "^".join(parts).rstrip("^")


_DA = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TM = re.compile(r"^(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?(?:\.\d{1,6})?$")  # HHMMSS.FFFFFF, colons of old


def parse_date(text) -> dt.date | None:
    """A DICOM date (YYYYMMDD); None when empty or not a date."""
    match = _DA.match(str(text or "").strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_time(text) -> dt.time | None:
    """A DICOM time (HH, HHMM, HHMMSS, with fractions); None when empty or not a time."""
    match = _TM.match(str(text or "").strip())
    if not match:
        return None
    try:
        return dt.time(*(int(g or 0) for g in match.groups()))
    except ValueError:
        return None


def instant(day_text: str | None, time_text: str | None, zone: str, offset: str | None = None) -> dt.datetime | None:
    """A DICOM date and time (local at the scanner) as an instant. The scanner's own UTC offset
    (TimezoneOffsetFromUTC, "+0100") wins; otherwise the clinic's zone is assumed."""
    day = parse_date(day_text)
    if day is None:
        return None
    at = parse_time(time_text) or dt.time(0)
    match = re.fullmatch(r"([+-])(\d{2})(\d{2})", (offset or "").strip())
    if match:
        sign = 1 if match.group(1) == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    else:
        tz = ZoneInfo(zone)
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)
