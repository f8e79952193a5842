"""Search parameters FHIR clients send, and the Bundle that answers them.

``date`` parameters take FHIR's prefixes (eq, ne, gt, lt, ge, le, sa, eb) and any precision from a year
to an instant; a value without a time means days in the clinic's zone. ``_count`` sets the page size,
``_offset`` the page; the Bundle's links (self, first, previous, next) carry both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, false, not_, or_
from werkzeug.datastructures import MultiDict

from ..core.timefmt import local_midnight, to_local
from .outcome import FhirError

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 10_000
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
FIRST_SEARCHED_DAY = dt.date(1900, 1, 1)
LAST_SEARCHED_DAY = dt.date(2199, 12, 31)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?$")
# Parameters of every search (FHIR's result parameters); anything else unknown is refused.
COMMON = {"_count", "_offset", "_format"}


@dataclass(frozen=True)
class DateParam:
    """One ``date`` value: a prefix and the half-open range ``[lo, hi)`` its precision stands for."""

    prefix: str
    lo: dt.datetime
    hi: dt.datetime
    day_lo: dt.date  # the same range in clinic days, for date columns
    day_hi: dt.date

    def instant_clause(self, column) -> ColumnElement[bool]:
        """For a column holding one instant (an appointment's start, a signature)."""
        return self._clause(column, self.lo, self.hi)

    def day_clause(self, column) -> ColumnElement[bool]:
        """For a column holding a clinic day (a referral's date of receipt, a study date)."""
        return self._clause(column, self.day_lo, self.day_hi)

    def _clause(self, column, lo, hi) -> ColumnElement[bool]:
        return {
            "eq": lambda: and_(column >= lo, column < hi),
            "ne": lambda: not_(and_(column >= lo, column < hi)),
            "gt": lambda: column >= hi,
            "sa": lambda: column >= hi,
            "lt": lambda: column < lo,
            "eb": lambda: column < lo,
            "ge": lambda: column >= lo,
            "le": lambda: column < hi,
        }[self.prefix]()


def _within_searched_years(raw: str, day: dt.date) -> None:
    # The day after 9999-12-31 does not exist in Python's calendar; the API's days keep to these years too.
    if not FIRST_SEARCHED_DAY <= day <= LAST_SEARCHED_DAY:
        raise FhirError(
            400,
            f"{raw!r}: search dates lie between {FIRST_SEARCHED_DAY.isoformat()} and {LAST_SEARCHED_DAY.isoformat()}.",
        )


def parse_date(raw: str, zone: str) -> DateParam:
    prefix = raw[:2] if raw[:2] in PREFIXES else "eq"
    value = raw[2:] if raw[:2] in PREFIXES else raw
    match = _DATE.match(value)
    if not match:
        raise FhirError(400, f"{raw!r} is not a FHIR date: write e.g. ge2026-11-23 or lt2026-11-30T12:00:00+01:00.")
    year, month, day, time_part = match.groups()
    try:
        if time_part:
            instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if instant.tzinfo is None:
                raise FhirError(400, f"{raw!r}: a date with a time needs a time zone (Z or +01:00).")
            _within_searched_years(raw, instant.date())
            lo = instant.astimezone(dt.UTC)
            step = dt.timedelta(seconds=1) if instant.microsecond == 0 else dt.timedelta(microseconds=1)
            hi = lo + step
            return DateParam(prefix, lo, hi, to_local(lo, zone).date(), to_local(hi, zone).date())
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise FhirError(400, f"{raw!r} is not a real date.") from None
    _within_searched_years(raw, first)
    if day:
        last = first + dt.timedelta(days=1)
    elif month:
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        last = first.replace(year=first.year + 1)
    return DateParam(prefix, local_midnight(first, zone), local_midnight(last, zone), first, last)


def integer(args: MultiDict, name: str, default: int, maximum: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise FhirError(400, f"{name} is a whole number.")
    return min(int(raw), maximum)


@dataclass(frozen=True)
class Page:
    count: int
    offset: int

    @classmethod
    def of(cls, args: MultiDict) -> Page:
        return cls(integer(args, "_count", DEFAULT_COUNT, MAX_COUNT), integer(args, "_offset", 0, MAX_OFFSET))


def reference_id(value: str, resource_type: str) -> int:
    """``Patient/12``, ``12`` or an absolute URL ending in ``Patient/12`` → 12."""
    tail = value.rstrip("/").split("/")
    if len(tail) >= 2 and tail[-2] != resource_type:
        raise FhirError(400, f"{value!r} is not a reference to a {resource_type}.")
    if not tail[-1].isdigit() or int(tail[-1]) > 2**31 - 1:
        raise FhirError(400, f"{value!r} is not a reference to a {resource_type} of this server.")
    return int(tail[-1])


def token_values(args: MultiDict, name: str) -> list[str]:
    """A token parameter: comma means or, repeated means and (we only take the values)."""
    values = []
    for raw in args.getlist(name):
        values.extend(part.split("|")[-1] for part in raw.split(",") if part)
    return values


def one_of(column, values: list[str]) -> ColumnElement[bool]:
    return or_(*[column == value for value in values]) if values else false()


def check_known(args: MultiDict, known: set[str], resource_type: str) -> None:
    unknown = sorted(set(args.keys()) - known - COMMON)
    if unknown:
        raise FhirError(
            400,
            f"{resource_type} cannot be searched by {', '.join(unknown)} here; "
            f"see /fhir/R4/metadata for the parameters this server supports.",
            "not-supported",
        )


def bundle(
    base: str, resource_type: str, args: MultiDict, entries: list[dict], total: int, page: Page, *, private=False
) -> dict:
    """A searchset Bundle with paging links. The links repeat the search's own parameters, except for a
    ``private`` search (patients by name, sent as a POST body): its terms never go into a URL, so its
    answer is one page."""

    def link(relation: str, offset: int) -> dict:
        if private:
            return {"relation": relation, "url": f"{base}/{resource_type}/_search"}
        params = [(k, v) for k, v in args.items(multi=True) if k not in ("_offset", "_count")]
        params += [("_count", str(page.count)), ("_offset", str(offset))]
        return {"relation": relation, "url": f"{base}/{resource_type}?{urlencode(params)}"}

    links = [link("self", page.offset)]
    if not private:
        links.append(link("first", 0))
        if page.offset > 0:
            links.append(link("previous", max(0, page.offset - page.count)))
        if page.offset + page.count < total and page.offset + page.count <= MAX_OFFSET:
            links.append(link("next", page.offset + page.count))
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {"fullUrl": f"{base}/{e['resourceType']}/{e['id']}", "resource": e, "search": {"mode": "match"}}
            for e in entries
        ],
    }
