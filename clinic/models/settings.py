"""Clinic-wide settings that an admin can change, the scheduler's record of job runs, and the count of
committed changes that memos of derived lists are keyed by."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, created_at_column, utcnow


class ClinicSetting(db.Model):
    __tablename__ = "clinic_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60), index=True)
    started_at: Mapped[dt.datetime] = created_at_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(120))
    pid: Mapped[int] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(Text)


class ChangeMark(db.Model):
    """How many committed transactions changed data since the row was made (``clinic.changes``). A memo of a
    list derived from the data (the front desk's waiting referrals) is kept under the mark it was computed
    at and is used again only while the mark stands. ``epoch`` is drawn when the row is made, so a database
    emptied and filled again never repeats an earlier (epoch, generation)."""

    __tablename__ = "change_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    epoch: Mapped[str] = mapped_column(String(32))
    generation: Mapped[int] = mapped_column(BigInteger)


class ChangeScope(db.Model):
    """What one counted change touched (``clinic.changes``): the patients whose rows it wrote, and the tables
    it wrote rows of that belong to no patient (settings, rooms) or that a bulk statement wrote. A memo of
    a list kept under an earlier mark reads the scopes since and reads again only what they name, or
    everything when a scope is missing (kept for the last ``KEPT`` changes) or names a table it reads."""

    __tablename__ = "change_scopes"

    epoch: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    patients: Mapped[str] = mapped_column(Text, default="")  # patient ids, comma-separated
    tables: Mapped[str] = mapped_column(Text, default="")  # table names, comma-separated
