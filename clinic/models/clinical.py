"""The procedure day: consent, the procedure record, observation, and the follow-up afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.messages import N_, Phrase, Phrases, read_back
from ..core.vitals import (
    DIASTOLIC_POSSIBLE,
    PULSE_POSSIBLE,
    SYSTOLIC_POSSIBLE,
    Vitals,
    critical_reasons,
    latest_vitals,
    measured,
)
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of
from .vocab import FollowUpKind, FollowUpStatus, ReliefCategory, Side


class Consent(db.Model):
    """A consent form printed for an appointment (text version + PDF hash), and its signature."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("signed_at IS NULL OR taken_by_id IS NOT NULL", name="signed_has_physician"),
        CheckConstraint("(explained_by_id IS NULL) = (explained_at IS NULL)", name="explanation_complete"),
        CheckConstraint(
            "explained_at IS NULL OR signed_at IS NULL OR explained_at <= signed_at", name="explained_before_signed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    document_text_id: Mapped[int] = mapped_column(ForeignKey("document_texts.id"))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    printed_at: Mapped[dt.datetime] = created_at_column()
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The appointment's table start the form was printed for: a reschedule makes earlier prints stale.
    printed_for_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The oral explanation (§630e BGB), recorded apart from the signature: which physician, and when.
    explained_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    explained_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    document_text: Mapped[DocumentText] = relationship()  # noqa: F821
    taken_by: Mapped[User | None] = relationship(foreign_keys=[taken_by_id])  # noqa: F821
    printed_by: Mapped[User | None] = relationship(foreign_keys=[printed_by_id])  # noqa: F821
    explained_by: Mapped[User | None] = relationship(foreign_keys=[explained_by_id])  # noqa: F821


class ProcedureRecord(db.Model):
    """What was done. Once signed it is never edited; corrections go into addenda."""

    __tablename__ = "procedure_records"
    __table_args__ = (
        one_of("side", Side.values(), nullable=True),
        CheckConstraint("pain_before IS NULL OR pain_before BETWEEN 0 AND 10", name="pain_before_valid"),
        CheckConstraint("pain_after IS NULL OR pain_after BETWEEN 0 AND 10", name="pain_after_valid"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("dlp_mgycm IS NULL OR dlp_mgycm >= 0", name="dlp_valid"),
        CheckConstraint("ctdivol_mgy IS NULL OR ctdivol_mgy >= 0", name="ctdivol_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), unique=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    levels: Mapped[str | None] = mapped_column(String(80))
    side: Mapped[str | None] = mapped_column(String(20))
    approach: Mapped[str | None] = mapped_column(String(120))
    guidance: Mapped[str | None] = mapped_column(String(10))
    dlp_mgycm: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    ctdivol_mgy: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # from the scanner (MPPS), confirmed
    complications: Mapped[str | None] = mapped_column(Text)
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    # Contrast given to a patient with a recorded contrast allergy: when the radiologist confirmed the allergy
    # was taken into account (premedication, another agent); who, in its audit event.
    contrast_allergy_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    drugs: Mapped[list[ProcedureDrug]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="ProcedureDrug.id"
    )
    addenda: Mapped[list[ProcedureAddendum]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="ProcedureAddendum.id"
    )
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])  # noqa: F821

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class ProcedureDrug(db.Model):
    __tablename__ = "procedure_drugs"
    __table_args__ = (CheckConstraint("dose > 0", name="dose_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("procedure_records.id", ondelete="CASCADE"), index=True)
    drug_option_id: Mapped[int] = mapped_column(ForeignKey("drug_options.id"))
    dose: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    unit: Mapped[str] = mapped_column(String(20))

    record: Mapped[ProcedureRecord] = relationship(back_populates="drugs")
    drug_option: Mapped[DrugOption] = relationship()  # noqa: F821


class ProcedureAddendum(db.Model):
    __tablename__ = "procedure_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("procedure_records.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    record: Mapped[ProcedureRecord] = relationship(back_populates="addenda")
    author: Mapped[User | None] = relationship()  # noqa: F821


# What an early discharge skipped (``services.procedure_day.discharge_gaps``), stored in English in the record
# and the audit trail, and read back for a screen in its language (``gap_phrases``).
GAP_OBSERVED = N_("observed {stayed} of {planned} planned minutes")
GAP_NO_VITALS = N_("no blood pressure and pulse recorded")
GAP_NO_MOTOR = N_("leg strength (motor) not checked")
# After a cervical level the arm is what local anaesthetic at the root weakens (procedures.md §2.1 PRT: "The
# leg or arm may be numb or weak for some hours"; longer observation "after cervical levels"). Walk 27: the
# board asked for the leg strength after a cervical PRT.
GAP_NO_MOTOR_ARM = N_("arm strength (motor) not checked")


def gap_phrases(stored: str | list | None) -> Phrases:
    """The gaps of a discharge as stored ("observed 1 of 20 planned minutes; ..." or a list of them), each a
    marked phrase again, so a German screen says "1 von 20 geplanten Minuten überwacht"; a gap written by no
    known sentence shows as stored."""
    parts = stored if isinstance(stored, list) else (stored or "").split("; ")
    phrases = []
    for part in (str(p) for p in parts if p):
        values = read_back(part, GAP_OBSERVED)
        phrases.append(Phrase(GAP_OBSERVED, **values) if values is not None else Phrase(part))
    return Phrases(phrases, "; ")


class ObservationRecord(db.Model):
    """A patient's stay on an observation bed, from arrival to discharge."""

    __tablename__ = "observation_records"
    __table_args__ = (
        CheckConstraint("extension_minutes BETWEEN 0 AND 240", name="extension_valid"),
        CheckConstraint("extension_minutes <= 60 OR extension_reason IS NOT NULL", name="long_extension_has_reason"),
        CheckConstraint("NOT discharge_flagged OR discharge_reason IS NOT NULL", name="flagged_discharge_has_reason"),
        CheckConstraint(
            "critical_released_at IS NULL OR (critical_release_reason IS NOT NULL AND critical_released_by_id "
            "IS NOT NULL AND critical_released_check_id IS NOT NULL)",
            name="critical_release_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), unique=True)
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("observation_beds.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    planned_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    extension_minutes: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    stable: Mapped[bool] = mapped_column(Boolean, default=False)
    can_walk: Mapped[bool] = mapped_column(Boolean, default=False)
    escort_present: Mapped[bool] = mapped_column(Boolean, default=False)
    instructions_given: Mapped[bool] = mapped_column(Boolean, default=False)
    discharged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    discharged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A discharge before the planned end or without the checks the procedure needs: what was missing, and
    # the radiologist's or nurse's reason (issue 21).
    discharge_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    discharge_gaps: Mapped[str | None] = mapped_column(Text)
    discharge_reason: Mapped[str | None] = mapped_column(Text)
    # A physician's release of critical values (a patient whose pressure is high as it always is): the patient
    # may go home with them. It covers the checks up to ``critical_released_check_id``; a later check that is
    # critical itself needs a physician again (``critical_released``).
    critical_released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    critical_released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    critical_release_reason: Mapped[str | None] = mapped_column(Text)
    critical_released_check_id: Mapped[int | None] = mapped_column(Integer)
    critical_released_by: Mapped[User | None] = relationship(foreign_keys=[critical_released_by_id])  # noqa: F821
    # Every release given, the latest last (the columns above hold the latest one): a second release after a
    # later critical check kept only its own reason, the first physician's was lost (walk 27).
    critical_releases: Mapped[list[CriticalRelease]] = relationship(
        back_populates="observation",
        cascade="all, delete-orphan",
        order_by="[CriticalRelease.released_at, CriticalRelease.id]",
    )

    @property
    def critical_released(self) -> bool:
        """Whether a physician's release covers the critical values standing now: given, and no check since
        measured a critical value of its own."""
        if self.critical_released_at is None or self.critical_released_check_id is None:
            return False
        return not any(
            measured(check).critical
            for check in self.checks
            if check.id is None or check.id > self.critical_released_check_id  # None: added, not saved yet
        )

    @property
    def critical_blocks(self) -> bool:
        """The latest vitals are critical and no physician's release covers them: no discharge."""
        return self.vitals.critical and not self.critical_released

    @property
    def discharge_gap_phrases(self) -> Phrases:
        """``discharge_gaps`` in the screen's language (``gap_phrases``; shown with ``|say``)."""
        return gap_phrases(self.discharge_gaps)

    checks: Mapped[list[ObservationCheck]] = relationship(
        back_populates="observation",
        cascade="all, delete-orphan",
        order_by="[ObservationCheck.at, ObservationCheck.id]",  # checks saved in the same second: as saved
    )
    bed: Mapped[ObservationBed | None] = relationship()  # noqa: F821

    @property
    def discharge_ready(self) -> bool:
        return self.stable and self.can_walk and self.escort_present and self.instructions_given

    @property
    def vitals(self) -> Vitals:
        """The latest blood pressure and pulse; ``vitals.critical`` keeps the patient from going home."""
        return latest_vitals(self.checks)


class ObservationCheck(db.Model):
    __tablename__ = "observation_checks"
    __table_args__ = (
        # The bounds of clinic.core.vitals (the same SQL as the migration wrote: 40–300, 20–200, 20–250).
        CheckConstraint(
            "systolic IS NULL OR systolic BETWEEN {} AND {}".format(*SYSTOLIC_POSSIBLE), name="systolic_valid"
        ),
        CheckConstraint(
            "diastolic IS NULL OR diastolic BETWEEN {} AND {}".format(*DIASTOLIC_POSSIBLE), name="diastolic_valid"
        ),
        CheckConstraint("pulse IS NULL OR pulse BETWEEN {} AND {}".format(*PULSE_POSSIBLE), name="pulse_valid"),
        CheckConstraint("pain_score IS NULL OR pain_score BETWEEN 0 AND 10", name="pain_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation_records.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = created_at_column()
    systolic: Mapped[int | None] = mapped_column(Integer)
    diastolic: Mapped[int | None] = mapped_column(Integer)
    pulse: Mapped[int | None] = mapped_column(Integer)
    pain_score: Mapped[int | None] = mapped_column(Integer)
    motor_normal: Mapped[bool | None] = mapped_column(Boolean)
    sensory_normal: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    observation: Mapped[ObservationRecord] = relationship(back_populates="checks")

    @property
    def critical_reasons(self) -> Phrases:
        """Why the check's values lie outside the discharge band (``clinic.core.vitals``); empty if they do not."""
        return critical_reasons(self.systolic, self.diastolic, self.pulse)


class CriticalRelease(db.Model):
    """A physician's release of critical observation values (``procedure_day.release_critical``): who, when,
    why, and the last check it covers. Each release is kept; the observation's ``critical_released_*``
    columns repeat the latest one."""

    __tablename__ = "critical_releases"
    __table_args__ = (
        UniqueConstraint("observation_id", "check_id"),  # the same values released twice at once: one stands
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation_records.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("observation_checks.id", ondelete="CASCADE"))
    released_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)

    observation: Mapped[ObservationRecord] = relationship(back_populates="critical_releases")
    check: Mapped[ObservationCheck] = relationship()
    released_by: Mapped[User] = relationship(foreign_keys=[released_by_id])  # noqa: F821

    @property
    def vitals(self) -> Vitals:
        """The values released: the last measured up to the check it covers."""
        return latest_vitals(c for c in self.observation.checks if c.id is not None and c.id <= self.check_id)


class FollowUp(db.Model):
    __tablename__ = "follow_ups"
    __table_args__ = (
        one_of("kind", FollowUpKind.values()),
        one_of("status", FollowUpStatus.values()),
        one_of("relief_category", ReliefCategory.values(), nullable=True),
        UniqueConstraint("appointment_id", "kind"),
        CheckConstraint("pain_score IS NULL OR pain_score BETWEEN 0 AND 10", name="pain_valid"),
        CheckConstraint("relief_percent IS NULL OR relief_percent BETWEEN 0 AND 100", name="relief_valid"),
        CheckConstraint("status <> 'done' OR relief_category IS NOT NULL", name="done_has_outcome"),
        # calls due, the call list and the scheduler's pending ones find follow-ups by status (issue 20)
        Index("ix_follow_ups_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default=FollowUpStatus.PENDING)
    on_call_list_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    pain_score: Mapped[int | None] = mapped_column(Integer)
    relief_percent: Mapped[int | None] = mapped_column(Integer)
    relief_category: Mapped[str | None] = mapped_column(String(30))
    complications: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Calls that did not reach the patient; the next one is tried on ``next_try_on``.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_try_on: Mapped[dt.date | None] = mapped_column(Date)

    appointment: Mapped[Appointment] = relationship()  # noqa: F821
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])  # noqa: F821


class RestartCall(db.Model):
    """The call the discharge sheet promised for a paused blood thinner whose restart it could not tell
    ("Wir rufen Sie an, um den Wiederbeginn mit Ihnen abzusprechen"), as a radiologist recorded it: the
    agreed restart (UTC) and/or a note. One per drug of an appointment; recorded, it leaves the call list."""

    __tablename__ = "restart_calls"
    __table_args__ = (
        UniqueConstraint("appointment_id", "drug_code"),
        CheckConstraint("agreed_restart_at IS NOT NULL OR note IS NOT NULL", name="agreed_or_noted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    drug_code: Mapped[str] = mapped_column(String(40))
    agreed_restart_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    appointment: Mapped[Appointment] = relationship()  # noqa: F821
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])  # noqa: F821
