"""Referrals, the triage decision and the pre-registration checklist."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, RootModel

from ..fields import (
    Day,
    Id,
    ModalityCode,
    PriorityCode,
    RegionCode,
    SideCode,
    StageCode,
    TargetCode,
    TreatmentCode,
    text,
)
from .common import Body, Out, PlannedProcedure

LongText = text(4000)
Question = text(4000, min_length=1)
Reason = text(4000, min_length=1)
Levels = text(80)
PhysicianName = text(120, min_length=1)
Practice = text(160)
City = text(80)
Phone = text(40)
Email = text(254)


class RedFlags(Body):
    """Every red-flag question needs an answer; any true answer makes the referral urgent and blocks
    booking until a radiologist has reviewed it."""

    bladder_bowel: bool
    saddle_numbness: bool
    progressive_weakness: bool
    weakness_with_easing_pain: bool
    infection: bool
    tumour: bool
    fracture: bool
    other_serious: bool


class PhysicianIn(Body):
    name: PhysicianName
    practice: Practice | None = None
    city: City | None = None
    phone: Phone | None = None
    fax: Phone | None = None
    email: Email | None = None


class ReferralIn(Body):
    patient_id: Id
    received_on: Day
    clinical_question: Question
    region: RegionCode | None = None
    side: SideCode | None = None
    symptom_duration_weeks: int | None = None
    treatments: list[TreatmentCode] = Field(default_factory=list, max_length=10)
    treatments_note: LongText | None = None
    red_flags: RedFlags
    referring_physician_id: Id | None = Field(default=None, description="A physician already on file.")
    physician: PhysicianIn | None = Field(default=None, description="Or a new one: give one of the two, or neither.")


class Accept(Body):
    decision: Literal["accept"]
    procedure_type_id: Id
    region: RegionCode | None = None
    side: SideCode | None = None
    levels: Levels | None = None
    stage: StageCode | None = None
    guidance: ModalityCode | None = Field(default=None, description="Defaults to the procedure's modality.")
    priority: PriorityCode = "routine"
    note: LongText | None = None
    target: TargetCode | None = Field(
        default=None,
        description="Required for SYMP (stellate, thoracic_chain, celiac, lumbar_chain, hypogastric, impar), "
        "FACET (intra_articular, medial_branch) and EPI (interlaminar, caudal).",
    )
    implant_mr_checked: bool = Field(
        default=False,
        description="The radiologist confirms that the implant the pre-registration records is MR-conditional "
        "and checked; MRI guidance for a recorded implant is refused without it.",
    )


class Decline(Body):
    decision: Literal["decline"]
    reason: Reason = Field(description="Goes into the letter to the referring physician.")


class RequestInformation(Body):
    decision: Literal["request_information"]
    text: Reason = Field(description="What is missing.")


class TriageDecision(RootModel[Annotated[Accept | Decline | RequestInformation, Field(discriminator="decision")]]):
    """The radiologist's decision: accept with a plan, decline with a reason, or ask for more."""


class RedFlagAnswer(Out):
    code: str
    present: bool
    is_open: bool = Field(description="Present and not yet cleared by a radiologist.")


class Physician(Out):
    id: int
    name: str
    practice: str | None
    city: str | None
    phone: str | None
    fax: str | None
    email: str | None


class Plan(PlannedProcedure):
    guidance: str | None
    target: str | None


class Referral(Out):
    id: int
    patient_id: int
    status: str
    priority: str
    received_on: dt.date
    clinical_question: str
    region: str | None
    side: str | None
    symptom_duration_weeks: int | None
    treatments: list[str]
    treatments_note: str | None
    red_flags: list[RedFlagAnswer]
    referring_physician: Physician | None
    plan: Plan | None = Field(description="Set when a radiologist accepted the referral.")
    triage_note: str | None
    decline_reason: str | None
    info_request: str | None
    triaged_at: dt.datetime | None
    imaging_waived: bool
    created_at: dt.datetime


class ChecklistItem(Out):
    key: str
    label: str
    done: bool
    detail: str
    settled_by: str | None
    settled_at: dt.datetime | None


class Readiness(Out):
    ready: bool
    missing: list[str] = Field(description="What stands in the way of booking the planned procedure.")
    not_before: dt.date | None = Field(description="The earliest day the medication hold plan allows.")


class Preregistration(Out):
    referral_id: int
    complete: bool
    items: list[ChecklistItem]
    missing: list[str] = Field(description="The items not done yet, each with what is missing.")
    booking: Readiness | None = Field(description="Null until the referral has a planned procedure.")
