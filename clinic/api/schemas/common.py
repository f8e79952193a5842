"""Base classes and the shapes several resources share: errors and resource chains (slots)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..fields import Id, Instant


class Body(BaseModel):
    """A JSON request body: types as written (no "12" for 12), unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Query(BaseModel):
    """Query-string parameters: text by nature, so "12" is read as 12; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    """A response body, built from domain objects."""

    model_config = ConfigDict(from_attributes=True)


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable: e.g. not_found, slot_taken, not_ready.")
    message: str = Field(description="For people.")
    details: Any = Field(
        default=None,
        description=(
            "Depends on the code: the validation problems for invalid_request, {candidates: [...]} for "
            "slot_taken, {missing: [...]} for not_ready, null when there is nothing more to say."
        ),
    )


class Error(BaseModel):
    """Every error answer: {"error": {"code", "message", "details"}}."""

    error: ErrorBody


class Chain(Body):
    """A bookable chain: room and radiologist for the table time, then a bed for the observation."""

    room_id: Id
    radiologist_id: Id
    bed_id: Id | None = Field(default=None, description="Null for procedures without observation.")
    table_start: Instant
    table_end: Instant
    obs_end: Instant = Field(description="End of the observation; the bed is held from table_end to obs_end.")


class PlannedProcedure(Out):
    """The procedure a plan names, and where: the part a referral's plan and a slot search's plan share."""

    procedure_type_id: int
    procedure_code: str
    region: str | None
    side: str | None
    levels: str | None
    stage: str | None


class Slot(Out):
    """A free chain, exactly as POST /appointments takes it."""

    room_id: int
    radiologist_id: int
    bed_id: int | None
    table_start: dt.datetime
    table_end: dt.datetime
    obs_end: dt.datetime


class SlotTakenDetails(BaseModel):
    candidates: list[Slot] = Field(description="The next free chains after the one asked for.")


class AlreadyBookedDetails(BaseModel):
    appointment_id: int = Field(description="The referral's active appointment: reschedule it to move it.")
    reference: str


class SlotTakenBody(ErrorBody):
    details: SlotTakenDetails | AlreadyBookedDetails | None = None  # type: ignore[assignment]


class SlotTaken(BaseModel):
    """409: slot_taken, the time was taken meanwhile (details.candidates are the next free times); or
    already_booked, the referral has an active appointment (details.appointment_id: reschedule it)."""

    error: SlotTakenBody
