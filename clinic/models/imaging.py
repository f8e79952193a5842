"""Prior imaging and the files that hold it, stored once by content."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from .users import User

from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of
from .vocab import FileKind, IdentityCheck


class StoredFile(db.Model):
    """A blob on disk under UPLOAD_DIR, named by its SHA-256; immutable once written."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = created_at_column()


class ImagingStudy(db.Model):
    __tablename__ = "imaging_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    modality: Mapped[str] = mapped_column(String(20))
    body_region: Mapped[str | None] = mapped_column(String(60))
    study_date: Mapped[dt.date | None] = mapped_column(Date)
    facility: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    files: Mapped[list[StudyFile]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="StudyFile.id"
    )

    @property
    def identity_mismatch(self) -> bool:
        """A file names another patient and has not been set aside as "wrong patient"."""
        return any(f.identity_status == IdentityCheck.MISMATCH and not f.set_aside for f in self.files)


class StudyFile(db.Model):
    __tablename__ = "study_files"
    __table_args__ = (
        one_of("kind", FileKind.values()),
        one_of("identity_status", IdentityCheck.values()),
        UniqueConstraint("study_id", "stored_file_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("imaging_studies.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    dicom_modality: Mapped[str | None] = mapped_column(String(16))
    dicom_body_part: Mapped[str | None] = mapped_column(String(64))
    dicom_study_date: Mapped[dt.date | None] = mapped_column(Date)
    dicom_description: Mapped[str | None] = mapped_column(String(200))
    dicom_patient_name: Mapped[str | None] = mapped_column(String(200))
    dicom_patient_birth_date: Mapped[dt.date | None] = mapped_column(Date)
    identity_status: Mapped[str] = mapped_column(String(20), default=IdentityCheck.NOT_APPLICABLE)
    identity_note: Mapped[str | None] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = created_at_column()
    # "Wrong patient": kept for the record (files are never deleted), no longer counted as the patient's imaging.
    set_aside_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    set_aside_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_aside_reason: Mapped[str | None] = mapped_column(String(300))

    study: Mapped[ImagingStudy] = relationship(back_populates="files")
    set_aside_by: Mapped[User | None] = relationship(foreign_keys=[set_aside_by_id])

    @property
    def set_aside(self) -> bool:
        return self.set_aside_at is not None

    stored_file: Mapped[StoredFile] = relationship()
