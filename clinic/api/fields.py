"""Field types shared by the API's schemas: ids, texts, days and instants with the limits the database needs.

Every limit here protects the database or the calendar arithmetic, never a business rule (those stay in
the services): ids fit a 32-bit column and SQLite's integers, texts fit their columns and carry no NUL
character (PostgreSQL refuses it), days and instants stay in years the clinic can compute with.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, Strict

from ..core.text import has_control_characters, search_key
from ..models.vocab import (
    TREATMENTS,
    AppointmentStatus,
    Language,
    Modality,
    PartOfDay,
    Priority,
    Region,
    Sex,
    Side,
    Stage,
    Target,
)

MAX_ID = 2_147_483_647
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def _clean_text(value: str) -> str:
    # The same rule as the screens' forms (clinic.forms).
    if has_control_characters(value):
        raise ValueError("text cannot contain control characters (NUL and the like) or lone surrogates")
    return value


def _in_calendar(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return value


def _as_utc(value: dt.datetime) -> dt.datetime:
    _in_calendar(value)
    return value.astimezone(dt.UTC)


def _integral(value: object) -> object:
    """JSON Schema's "integer" includes 12.0; text and true/false are not numbers."""
    if isinstance(value, bool | str):
        raise ValueError("must be a number without a fraction, not text or true/false")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_integral)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]  # query strings are text: "12" is read as 12


def text(max_length: int | None = None, *, min_length: int = 0) -> type[str]:
    """A string of at most ``max_length`` characters (its column's size)."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_clean_text)]  # type: ignore[return-value]


NAME_LENGTH = 100


def _fits_name_key(value: str) -> str:
    # Names are stored with an ASCII search key of the same column size; letters that transliterate
    # to several (ß, Chinese characters) can make the key longer than the name.
    if len(search_key(value)) > NAME_LENGTH:
        raise ValueError(f"the name is too long once written in Latin letters (at most {NAME_LENGTH})")
    return value


PersonName = Annotated[
    str, Field(min_length=1, max_length=NAME_LENGTH), AfterValidator(_clean_text), AfterValidator(_fits_name_key)
]

# A calendar day, written YYYY-MM-DD.
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _written_as_day(value: object) -> object:
    # pydantic would read a number ("0", 0) as seconds since 1970: a day is written YYYY-MM-DD, as the
    # schema says (format: date), and nothing else.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("must be a day written YYYY-MM-DD")
    return value


Day = Annotated[
    dt.date,
    Strict(False),  # the bodies' models are strict; a day arrives as text
    BeforeValidator(_written_as_day),
    AfterValidator(_in_calendar),
    Field(json_schema_extra={"pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]

# An instant: ISO 8601 with an offset (any offset; "Z" is UTC). Times without an offset are refused
# with 400: the same wall-clock time is two instants on the night the clocks go back. Handed to the
# services in UTC.
Instant = Annotated[
    AwareDatetime,
    Strict(False),
    AfterValidator(_as_utc),
    Field(description="ISO 8601 with an offset, e.g. 2026-11-23T09:30:00+01:00; stored and returned in UTC."),
]

SexCode = Literal[tuple(Sex.values())]  # type: ignore[valid-type]
LanguageCode = Literal[tuple(Language.values())]  # type: ignore[valid-type]
RegionCode = Literal[tuple(Region.values())]  # type: ignore[valid-type]
SideCode = Literal[tuple(Side.values())]  # type: ignore[valid-type]
StageCode = Literal[tuple(Stage.values())]  # type: ignore[valid-type]
TargetCode = Literal[tuple(Target.values())]  # type: ignore[valid-type]
ModalityCode = Literal[tuple(Modality.values())]  # type: ignore[valid-type]
PriorityCode = Literal[tuple(Priority.values())]  # type: ignore[valid-type]
PartOfDayCode = Literal[tuple(PartOfDay.values())]  # type: ignore[valid-type]
AppointmentStatusCode = Literal[tuple(AppointmentStatus.values())]  # type: ignore[valid-type]
TreatmentCode = Literal[tuple(TREATMENTS)]  # type: ignore[valid-type]
