"""Field types shared by the API's schemas: ids, texts, days and instants with the limits the database needs.

Every limit here protects the database or the calendar arithmetic, never a business rule (those stay in
the services): ids fit a 32-bit column and SQLite's integers, texts fit their columns and carry no NUL
character (PostgreSQL refuses it), days and instants stay in years the clinic can compute with.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, Strict

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
from ..text import search_key

MAX_ID = 2_147_483_647
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text cannot contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
    return value


def _in_calendar(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return value


def _as_utc(value: dt.datetime) -> dt.datetime:
    _in_calendar(value)
    return value.astimezone(dt.UTC)


Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
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
Day = Annotated[dt.date, Strict(False), AfterValidator(_in_calendar)]

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
