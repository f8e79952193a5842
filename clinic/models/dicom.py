"""What the scanners and the PACS tell us: performed procedure steps (MPPS) and retrievals of prior
studies from the PACS. The worklist itself needs no table: it is read from the appointments."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.messages import N_
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of, utcnow
from .vocab import Labelled

# Digits and capitals without 0/O and 1/I: read off a scanner console without doubt.
ACCESSION_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ACCESSION_LENGTH = 12  # DICOM's AccessionNumber (SH) holds 16; 32**12 values leave collisions out of reach


def new_accession_number() -> str:
    """The accession number of a new appointment: what the scanner's images and reports carry."""
    return "".join(secrets.choice(ACCESSION_ALPHABET) for _ in range(ACCESSION_LENGTH))


class StepStatus(Labelled):
    """A performed procedure step as the scanner reports it (DICOM: IN PROGRESS, COMPLETED, DISCONTINUED)."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


class RetrievalStatus(Labelled):
    QUEUED = "queued", N_("Waiting")
    RUNNING = "running", N_("Retrieving")
    DONE = "done", N_("Done")
    FAILED = "failed", N_("Failed")


ACTIVE_RETRIEVALS = (RetrievalStatus.QUEUED, RetrievalStatus.RUNNING)


class PerformedStep(db.Model):
    """One Modality Performed Procedure Step: the scanner says it started, finished or gave up.

    Every report is kept, also when it could not move the appointment (no consent, not checked in,
    unknown accession number): ``warning`` then says why, and the screens show it. The times and the
    dose are proposals until a radiologist takes them into the procedure record (``confirmed_at``).
    """

    __tablename__ = "performed_steps"
    __table_args__ = (
        one_of("status", StepStatus.values()),
        CheckConstraint("ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("ctdivol_mgy IS NULL OR ctdivol_mgy >= 0", name="ctdivol_valid"),
        CheckConstraint("dlp_mgycm IS NULL OR dlp_mgycm >= 0", name="dlp_valid"),
        CheckConstraint("(confirmed_at IS NULL) = (confirmed_by_id IS NULL)", name="confirmation_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_instance_uid: Mapped[str] = mapped_column(String(64), unique=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    station_ae_title: Mapped[str] = mapped_column(String(16))
    accession_number: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default=StepStatus.IN_PROGRESS)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ctdivol_mgy: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    dlp_mgycm: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    warning: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    appointment: Mapped[Appointment | None] = relationship()  # noqa: F821
    confirmed_by: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def status_enum(self) -> StepStatus:
        return StepStatus(self.status)


class PacsRetrieval(db.Model):
    """One study asked for from the PACS: queued by the front desk, fetched by the DICOM process,
    stored like an upload (``imaging_study_id``) or failed with a message."""

    __tablename__ = "pacs_retrievals"
    __table_args__ = (
        one_of("status", RetrievalStatus.values()),
        CheckConstraint("received >= 0 AND (expected IS NULL OR expected >= 0)", name="counts_valid"),
        CheckConstraint("status <> 'done' OR imaging_study_id IS NOT NULL", name="done_has_study"),
        CheckConstraint("status <> 'failed' OR message IS NOT NULL", name="failed_has_message"),
        # One retrieval of a study at a time for a patient: a double click queues it once.
        Index(
            "uq_pacs_retrievals_active_study",
            "patient_id",
            "study_instance_uid",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    study_instance_uid: Mapped[str] = mapped_column(String(64))
    study_date: Mapped[dt.date | None] = mapped_column(Date)
    modality: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=RetrievalStatus.QUEUED)
    expected: Mapped[int | None] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    imaging_study_id: Mapped[int | None] = mapped_column(ForeignKey("imaging_studies.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = created_at_column()
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    imaging_study: Mapped[ImagingStudy | None] = relationship()  # noqa: F821
    requested_by: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def status_enum(self) -> RetrievalStatus:
        return RetrievalStatus(self.status)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RETRIEVALS


# The labels derived from the values, marked for the catalogue (see vocab.SCREEN_LABELS).
SCREEN_LABELS = (
    # StepStatus
    N_("In progress"),
    N_("Completed"),
    N_("Discontinued"),
)
