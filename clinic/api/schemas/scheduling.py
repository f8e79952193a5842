"""Free times, booking, and the appointment itself."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ..fields import (
    AppointmentStatusCode,
    Day,
    Id,
    Instant,
    ModalityCode,
    PartOfDayCode,
    QueryId,
    RegionCode,
    SideCode,
    StageCode,
    text,
)
from .common import Body, Chain, Out, PlannedProcedure, Query, Slot

Levels = text(80)
Note = text(4000)
Reason = text(4000, min_length=1)
MAX_WINDOW_DAYS = 184


class SlotQuery(Query):
    """The plan comes from a referral (``referral_id``), or from a procedure type and its details."""

    referral_id: QueryId | None = Field(
        default=None, description="Search for this referral: its plan, its patient, its medication hold."
    )
    procedure_type_id: QueryId | None = Field(default=None, description="Or search for a procedure type.")
    region: RegionCode | None = None
    side: SideCode | None = None
    levels: Levels | None = None
    stage: StageCode | None = None
    guidance: ModalityCode | None = None
    from_date: Day | None = Field(default=None, description="First day of the window; default today.")
    to_date: Day | None = Field(
        default=None, description=f"Last day of the window; default 8 weeks on; at most {MAX_WINDOW_DAYS} days."
    )
    limit: int = Field(default=20, ge=1, le=100)
    radiologist_id: QueryId | None = None
    room_id: QueryId | None = None
    part_of_day: PartOfDayCode = "any"
    earliest_date: Day | None = None


class PlanOut(PlannedProcedure):
    guidance: str
    table_minutes: int
    observation_minutes: int


class SlotList(Out):
    plan: PlanOut
    from_date: dt.date
    to_date: dt.date
    not_before: dt.date | None = Field(description="The medication hold plan's earliest day (referral searches).")
    slots: list[Slot]


class BookingIn(Chain):
    """A slot as GET /slots returned it, for a referral whose pre-registration is complete."""

    referral_id: Id
    note: Note | None = None


class RescheduleIn(Chain):
    """The new slot (as GET /slots returned it for this appointment), and the time the client last read
    the appointment at."""

    moving_from: Instant | None = Field(
        default=None,
        description=(
            "The appointment's table_start as the client last read it. If the appointment has moved since "
            "(another desk, the patient's link), the move is refused with 409 moved_meanwhile and nothing "
            "changes; read it again and ask the patient. Without it the appointment moves from wherever it is."
        ),
    )


class Appointment(Out):
    id: int
    reference: str = Field(description="Read aloud on the phone and printed as a code on the consent form.")
    patient_id: int
    referral_id: int | None
    procedure_type_id: int
    procedure_code: str
    region: str | None
    side: str | None
    levels: str | None
    stage: str | None
    target: str | None = Field(
        description="The planned target (sympathetic target, facet technique, epidural approach), if any."
    )
    guidance: str
    room_id: int
    radiologist_id: int
    bed_id: int | None
    table_start: dt.datetime
    table_end: dt.datetime
    obs_end: dt.datetime
    status: str
    status_changed_at: dt.datetime
    cancel_reason: str | None
    note: str | None


class AppointmentEvent(Out):
    from_status: str | None
    to_status: str
    at: dt.datetime
    by_user_id: int | None
    note: str | None


class Consent(Out):
    id: int
    document_text_id: int
    pdf_sha256: str
    printed_at: dt.datetime
    signed_at: dt.datetime | None
    taken_by_id: int | None
    explained_by_id: int | None = Field(description="The physician who gave the oral explanation (§630e BGB).")
    explained_at: dt.datetime | None


class MedicationHold(Out):
    """One drug of the appointment's medication plan. Moments are instants (ISO 8601 with offset); the
    letter prints the same moments in the clinic's zone and the patient's language."""

    drug: str = Field(description="The drug's code in the hold rules, e.g. apixaban.")
    drug_name: str
    dose_class: str = Field(description="Empty when the rule applies to every dose.")
    action: str = Field(description="hold, no_hold, shared_assessment, or no_rule (a radiologist decides).")
    hold_hours: int | None = Field(description="Hours between the last dose and the table start (holds only).")
    last_dose_no_later_than: dt.datetime | None = Field(
        description="The latest moment of the last dose: table_start minus hold_hours. Null without a hold."
    )
    restart_not_before: dt.datetime | None = Field(
        description="The earliest moment to take a paused drug again after the procedure. Null when the drug "
        "is not paused (no hold, shared assessment, no rule) or the rule gives none."
    )
    rule_verified: bool = Field(description="Whether a physician has signed off the rule behind this entry.")
    plan_confirmed: bool = Field(
        description="Whether a radiologist has confirmed this patient's plan; with rule_verified false the "
        "letter prints the moments only when this is true, and otherwise says the clinic will call."
    )
    requires_inr: bool
    injected: bool
    last_dose_recorded_on: dt.date | None = Field(description="The last dose the patient reported (a day).")


class AppointmentDetail(Appointment):
    events: list[AppointmentEvent]
    consents: list[Consent]
    medication_holds: list[MedicationHold] = Field(
        description="One entry per drug that affects bleeding, for this appointment's table start."
    )


class AppointmentQuery(Query):
    date: Day | None = Field(default=None, description="The clinic's calendar day; default today.")
    room_id: QueryId | None = None
    status: list[AppointmentStatusCode] | None = Field(default=None, description="Repeat for several.")


class AppointmentList(Out):
    date: dt.date
    items: list[Appointment]


class CancelIn(Body):
    reason: Reason


class WaitlistOffer(Out):
    entry_id: int
    patient_id: int
    referral_id: int
    slot: Slot


class Cancelled(Out):
    appointment: Appointment
    waitlist_offers: list[WaitlistOffer] = Field(description="Waiting patients who could take the freed time.")
