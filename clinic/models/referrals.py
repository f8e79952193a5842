"""Referrals: what the referring physician asks, the red-flag answers and the radiologist's triage."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.messages import Phrase
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of, utcnow
from .vocab import TREATMENTS, Modality, Priority, RedFlag, ReferralStatus, Region, Side, Stage, Target


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        one_of("status", ReferralStatus.values()),
        one_of("region", Region.values(), nullable=True),
        one_of("side", Side.values(), nullable=True),
        one_of("planned_region", Region.values(), name="planned_region_valid", nullable=True),
        one_of("planned_side", Side.values(), name="planned_side_valid", nullable=True),
        one_of("planned_stage", Stage.values(), name="planned_stage_valid", nullable=True),
        one_of("planned_guidance", Modality.values(), name="planned_guidance_valid", nullable=True),
        one_of("planned_target", Target.values(), name="planned_target_valid", nullable=True),
        one_of("priority", Priority.values()),
        CheckConstraint("status <> 'accepted' OR planned_procedure_type_id IS NOT NULL", name="accepted_has_plan"),
        CheckConstraint("status <> 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"),
        CheckConstraint("imaging_waived_by_id IS NULL OR imaging_waiver_reason IS NOT NULL", name="waiver_has_reason"),
        CheckConstraint(
            "hold_override_by_id IS NULL OR (hold_override_reason IS NOT NULL AND hold_override_date IS NOT NULL)",
            name="hold_override_has_reason",
        ),
        CheckConstraint(
            "(hold_plan_confirmed_by_id IS NULL) = (hold_plan_confirmed_at IS NULL)"
            " AND (hold_plan_confirmed_at IS NULL) = (hold_plan_confirmed_key IS NULL)",
            name="hold_plan_confirmation_complete",
        ),
        Index("ix_referrals_status_received", "status", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referring_physician_id: Mapped[int | None] = mapped_column(ForeignKey("referring_physicians.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.RECEIVED)
    clinical_question: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(20))
    side: Mapped[str | None] = mapped_column(String(20))
    symptom_duration_weeks: Mapped[int | None] = mapped_column(Integer)
    treatments_tried: Mapped[str] = mapped_column(String(200), default="")  # comma-separated TREATMENTS keys
    treatments_note: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.ROUTINE)

    # Triage by a radiologist.
    planned_procedure_type_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_types.id"))
    planned_region: Mapped[str | None] = mapped_column(String(20))
    planned_side: Mapped[str | None] = mapped_column(String(20))
    planned_levels: Mapped[str | None] = mapped_column(String(80))
    planned_stage: Mapped[str | None] = mapped_column(String(20))
    planned_guidance: Mapped[str | None] = mapped_column(String(10))
    planned_target: Mapped[str | None] = mapped_column(String(20))
    triage_note: Mapped[str | None] = mapped_column(Text)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    info_request: Mapped[str | None] = mapped_column(Text)
    # The referring physician's answer to ``info_request``, recorded by the front desk.
    info_answer: Mapped[str | None] = mapped_column(Text)
    info_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    info_answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    triaged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # Exceptions a radiologist may grant, each with a reason (and an audit event).
    imaging_waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imaging_waived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    imaging_waiver_reason: Mapped[str | None] = mapped_column(Text)
    hold_override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hold_override_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    hold_override_date: Mapped[dt.date | None] = mapped_column(Date)
    hold_override_reason: Mapped[str | None] = mapped_column(Text)
    # A radiologist confirmed this patient's medication plan (after the telephone call); the key is
    # the plan's figures at that moment, so any later change (a drug, a rule, the procedure) lapses it.
    hold_plan_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hold_plan_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    hold_plan_confirmed_key: Mapped[str | None] = mapped_column(String(1000))
    # A radiologist checked that the implant the pre-registration records allows MRI guidance (MR-conditional,
    # its conditions met). The note is the implant as recorded then: another implant recorded later lapses it.
    implant_mr_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    implant_mr_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    implant_mr_checked_note: Mapped[str | None] = mapped_column(String(200))

    # Set by the scheduler when the referral has waited too long for triage.
    ageing_flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Every screen of a referral shows the patient and the checklist: load them with it.
    patient: Mapped[Patient] = relationship(lazy="joined")  # noqa: F821
    referring_physician: Mapped[ReferringPhysician | None] = relationship()  # noqa: F821
    # Joined: readiness, the finder and booking all need it with the referral (one row, no extra query).
    planned_procedure_type: Mapped[ProcedureType | None] = relationship(lazy="joined")  # noqa: F821
    triaged_by: Mapped[User | None] = relationship(foreign_keys=[triaged_by_id])  # noqa: F821
    imaging_waived_by: Mapped[User | None] = relationship(foreign_keys=[imaging_waived_by_id])  # noqa: F821
    info_answered_by: Mapped[User | None] = relationship(foreign_keys=[info_answered_by_id])  # noqa: F821
    hold_override_by: Mapped[User | None] = relationship(foreign_keys=[hold_override_by_id])  # noqa: F821
    hold_plan_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[hold_plan_confirmed_by_id])  # noqa: F821
    implant_mr_checked_by: Mapped[User | None] = relationship(foreign_keys=[implant_mr_checked_by_id])  # noqa: F821
    red_flags: Mapped[list[RedFlagAnswer]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="RedFlagAnswer.id", lazy="selectin"
    )
    documents: Mapped[list[ReferralDocument]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralDocument.id"
    )
    preregistration: Mapped[PreRegistration | None] = relationship(  # noqa: F821
        back_populates="referral", uselist=False, lazy="joined"
    )

    @property
    def treatments(self) -> list[str]:
        return [t for t in self.treatments_tried.split(",") if t in TREATMENTS]

    @property
    def open_red_flags(self) -> list[RedFlagAnswer]:
        return [f for f in self.red_flags if f.is_open]

    @property
    def has_emergency_flag(self) -> bool:
        return any(f.is_open and RedFlag(f.code).emergency for f in self.red_flags)

    @property
    def is_urgent(self) -> bool:
        return bool(self.open_red_flags) or self.priority == Priority.URGENT

    @property
    def planned_level_count(self) -> int:
        return level_count(self.planned_levels)

    @property
    def imaging_waived(self) -> bool:
        return self.imaging_waived_by_id is not None

    @property
    def has_ended(self) -> bool:
        """Declined, or closed when its episode ended: nothing is prepared or booked for it any more."""
        return self.status in (ReferralStatus.DECLINED, ReferralStatus.CLOSED)


def level_count(levels: str | None) -> int:
    """How many spinal levels a free-text list such as "L4/5, L5/S1" names (at least one)."""
    if not levels:
        return 1
    return max(1, len([p for p in levels.replace(";", ",").split(",") if p.strip()]))


class RedFlagAnswer(db.Model):
    __tablename__ = "red_flag_answers"
    __table_args__ = (
        one_of("code", RedFlag.values()),
        UniqueConstraint("referral_id", "code"),
        CheckConstraint("cleared_by_id IS NULL OR clearance_note IS NOT NULL", name="clearance_has_note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    present: Mapped[bool] = mapped_column(Boolean)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    clearance_note: Mapped[str | None] = mapped_column(Text)

    referral: Mapped[Referral] = relationship(back_populates="red_flags")
    cleared_by: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def is_open(self) -> bool:
        return self.present and self.cleared_at is None

    @property
    def question(self) -> str:
        """The question as a marked phrase: screens show it in the user's language."""
        return Phrase(RedFlag(self.code).label)


class ReferralDocument(db.Model):
    """The referral letter and other papers that came with it (stored by content)."""

    __tablename__ = "referral_documents"
    __table_args__ = (UniqueConstraint("referral_id", "stored_file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = created_at_column()

    referral: Mapped[Referral] = relationship(back_populates="documents")
    stored_file: Mapped[StoredFile] = relationship()  # noqa: F821
