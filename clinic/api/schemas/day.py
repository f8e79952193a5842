"""The procedure day: consent, discharge, the worklist."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ..fields import Day, Id, Instant, QueryId, text
from .common import Body, Out, Query
from .patients import PatientSummary
from .scheduling import Appointment


class ConsentIn(Body):
    taken_by_id: Id = Field(description="The radiologist who took the consent.")
    explained_by_id: Id = Field(description="The physician who gave the information talk (§630e BGB).")
    explained_at: Instant = Field(description="When the information talk took place; not after signed_at.")
    signed_at: Instant | None = Field(default=None, description="Default: now.")
    consent_id: Id | None = Field(default=None, description="The printed form signed; default the last printed.")


class DischargeIn(Body):
    """The discharge checklist; items left out keep what the observation board recorded."""

    stable: bool | None = None
    can_walk: bool | None = None
    escort_present: bool | None = None
    instructions_given: bool | None = None
    reason: text(500) | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Needed to discharge before the planned end or without the checks the procedure needs "
        "(422 discharge_early, details.gaps); the discharge is then flagged.",
    )


class WorklistQuery(Query):
    date: Day | None = Field(default=None, description="The clinic's calendar day; default today.")
    room_id: QueryId | None = None
    radiologist_id: QueryId | None = None


class Flag(Out):
    label: str
    ok: bool
    warn: bool
    detail: str


class WorklistRow(Out):
    appointment: Appointment
    patient: PatientSummary
    age: int
    flags: list[Flag]
    alerts: list[str]
    next_action: str


class Worklist(Out):
    date: dt.date
    items: list[WorklistRow]
