"""Rooms, observation beds and when they (and the radiologists) are available."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Time
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..core.messages import N_, Phrase
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of
from .vocab import ClosureScope, Modality


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (
        one_of("modality", Modality.values()),
        Index("uq_rooms_ae_title", "ae_title", unique=True),  # one scanner, one room
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    modality: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(60), default="Radiology")
    location_hint: Mapped[str | None] = mapped_column(String(160))  # printed on German letters
    location_hint_en: Mapped[str | None] = mapped_column(String(160))  # printed on English letters

    def location(self, language: str) -> str | None:
        """Where to find the room, in the patient's language; None when not written in that language."""
        return self.location_hint_en if language == "en" else self.location_hint

    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # The DICOM AE title of the room's scanner: it asks for its worklist and reports its steps under it.
    ae_title: Mapped[str | None] = mapped_column(String(16))

    sessions: Mapped[list[RoomSession]] = relationship(back_populates="room", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class ObservationBed(db.Model):
    __tablename__ = "observation_beds"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)
    unit: Mapped[str] = mapped_column(String(60), default="Observation")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.label


class WeeklyPattern:
    """The columns and rules of a weekly pattern (a room's session template, a radiologist's roster entry):
    a weekday's hours in the clinic's local wall-clock time, in effect from ``valid_from`` on and, when
    ``valid_to`` is set, up to that day."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (
            CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
            CheckConstraint("end_time > start_time", name="ends_after_start"),
            CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_ordered"),
        )

    weekday: Mapped[int] = mapped_column(Integer)  # Monday = 0
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class RoomSession(WeeklyPattern, db.Model):
    """A weekly opening of a room."""

    __tablename__ = "room_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)

    room: Mapped[Room] = relationship(back_populates="sessions")


class RosterEntry(WeeklyPattern, db.Model):
    """A radiologist's weekly duty pattern."""

    __tablename__ = "roster_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    radiologist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    radiologist: Mapped[User] = relationship()  # noqa: F821


class RosterException(db.Model):
    """A dated change to a radiologist's pattern: an extra duty, or a day (or part of it) off."""

    __tablename__ = "roster_exceptions"
    __table_args__ = (
        one_of("kind", ["extra", "off"]),
        CheckConstraint("(start_time IS NULL AND end_time IS NULL) OR (end_time > start_time)", name="times_valid"),
        CheckConstraint("kind = 'off' OR start_time IS NOT NULL", name="extra_has_times"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    radiologist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    note: Mapped[str | None] = mapped_column(String(200))

    radiologist: Mapped[User] = relationship()  # noqa: F821


class Closure(db.Model):
    """Time when the clinic, a room, the observation unit or one radiologist is not available."""

    __tablename__ = "closures"
    __table_args__ = (
        one_of("scope", ClosureScope.values()),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "(scope = 'clinic' AND room_id IS NULL AND radiologist_id IS NULL AND unit IS NULL)"
            " OR (scope = 'room' AND room_id IS NOT NULL AND radiologist_id IS NULL)"
            " OR (scope = 'unit' AND unit IS NOT NULL AND room_id IS NULL AND radiologist_id IS NULL)"
            " OR (scope = 'radiologist' AND radiologist_id IS NOT NULL AND room_id IS NULL)",
            name="target_matches_scope",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    unit: Mapped[str | None] = mapped_column(String(60))
    radiologist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    room: Mapped[Room | None] = relationship()
    radiologist: Mapped[User | None] = relationship(foreign_keys=[radiologist_id])  # noqa: F821

    @property
    def target_label(self) -> str:
        """What is closed, in words a screen translates (a Phrase; a radiologist by name)."""
        if self.scope == ClosureScope.ROOM and self.room:
            return Phrase(N_("Room {room}"), room=self.room.name)
        if self.scope == ClosureScope.RADIOLOGIST and self.radiologist:
            return self.radiologist.full_name
        if self.scope == ClosureScope.UNIT:
            return Phrase(N_("Unit {unit}"), unit=self.unit)
        return Phrase(N_("Whole clinic"))
