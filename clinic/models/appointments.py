"""Appointments, the resource bookings behind them, short holds, and the waitlist."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.errors import DomainError
from ..core.messages import N_, Phrase, fill, read_back
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of, utcnow
from .dicom import new_accession_number
from .vocab import STATUS_CHAIN, TRANSITIONS, AppointmentStatus, Modality, PartOfDay, Region, Side, Stage, Target

# Booked up to in observation: the appointment still holds (or is using) its time.
ACTIVE_STATUSES = ("booked", "checked_in", "in_procedure", "in_observation")
ACTIVE_STATUSES_SQL = "status IN (" + ", ".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")"

# The notes the system writes on an event (and a cancellation online), stored in English (the API and the
# audit read them as they are); screens read them back into marked phrases (``shown_text``) and say them in
# their language, rows written before this as well.
MOVED_NOTE = N_("moved from {old} to {new}")
CONFIRMED_FROM_HOLD_NOTE = N_("confirmed from a hold")
CANCELLED_ONLINE_NOTE = N_("by the patient online: {reason}")
# A waitlist entry the patient asked for through their link (``WaitlistEntry.shown_note``).
WAITLIST_THROUGH_LINK_NOTE = N_("asked for through the patient link")


class ActualTimes(NamedTuple):
    checked_in: dt.datetime | None
    started: dt.datetime | None
    ended: dt.datetime | None
    discharged: dt.datetime | None


def shown_text(note: str | None, *, move: bool = False) -> str | None:
    """A note as staff read it: a note the system wrote as a marked phrase (a screen says it in its
    language), anything typed (a cancellation's reason) as it is. Only a move's event reads as a move."""
    if not note:
        return note
    if note == CONFIRMED_FROM_HOLD_NOTE:
        return Phrase(CONFIRMED_FROM_HOLD_NOTE)
    if move and (moved := read_back(note, MOVED_NOTE)) is not None:
        return Phrase(MOVED_NOTE, **moved)
    if (online := read_back(note, CANCELLED_ONLINE_NOTE)) is not None:
        return Phrase(CANCELLED_ONLINE_NOTE, **online)
    return note


class Appointment(db.Model):
    """One procedure for one patient: the chain of room + radiologist, then an observation bed.

    The resources are held by the ``Booking`` rows; the times here are the plan the screens show.
    The status changes only through the methods below (``check_in``, ``start``, ``end_procedure``,
    ``discharge``, ``cancel``, ``mark_no_show``): each is checked against ``vocab.TRANSITIONS`` and
    recorded as an ``AppointmentEvent`` with who and when. The rules around them (consent, medication
    holds, the discharge checklist, freeing the time) are the callers': ``clinic.services.procedure_day`` for the
    day, ``clinic.scheduling.ending`` for cancellations and no-shows.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        one_of("status", AppointmentStatus.values()),
        one_of("region", Region.values(), nullable=True),
        one_of("side", Side.values(), nullable=True),
        one_of("stage", Stage.values(), nullable=True),
        one_of("target", Target.values(), nullable=True),
        one_of("guidance", Modality.values()),
        CheckConstraint("table_end > table_start", name="table_time_ordered"),
        CheckConstraint("obs_end >= table_end", name="observation_after_table"),
        CheckConstraint("status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_has_reason"),
        CheckConstraint("level_count BETWEEN 1 AND 10", name="level_count_valid"),
        Index("ix_appointments_day_status", "table_start", "status"),
        # A referral (the stage in hand) has at most one active appointment; rescheduling moves it.
        Index(
            "uq_appointments_one_active_per_referral",
            "referral_id",
            unique=True,
            sqlite_where=text(ACTIVE_STATUSES_SQL),
            postgresql_where=text(ACTIVE_STATUSES_SQL),
        ),
        Index("uq_appointments_accession_number", "accession_number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    # One per appointment, never reused: the scanner's worklist entry and images carry it (DICOM).
    accession_number: Mapped[str] = mapped_column(String(16), default=new_accession_number)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    procedure_type_id: Mapped[int] = mapped_column(ForeignKey("procedure_types.id"))
    region: Mapped[str | None] = mapped_column(String(20))
    side: Mapped[str | None] = mapped_column(String(20))
    levels: Mapped[str | None] = mapped_column(String(80))
    level_count: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str | None] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(String(20))
    guidance: Mapped[str] = mapped_column(String(10), default=Modality.CT)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    radiologist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("observation_beds.id"))
    table_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    table_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    obs_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=AppointmentStatus.BOOKED)
    status_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    reminder_queued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    patient: Mapped[Patient] = relationship()  # noqa: F821
    referral: Mapped[Referral | None] = relationship()  # noqa: F821
    procedure_type: Mapped[ProcedureType] = relationship()  # noqa: F821
    room: Mapped[Room] = relationship()  # noqa: F821
    radiologist: Mapped[User] = relationship(foreign_keys=[radiologist_id])  # noqa: F821
    bed: Mapped[ObservationBed | None] = relationship()  # noqa: F821
    bookings: Mapped[list[Booking]] = relationship(back_populates="appointment", order_by="Booking.id")
    events: Mapped[list[AppointmentEvent]] = relationship(
        back_populates="appointment", order_by="AppointmentEvent.id", cascade="all, delete-orphan"
    )

    @property
    def status_enum(self) -> AppointmentStatus:
        return AppointmentStatus(self.status)

    @property
    def is_active(self) -> bool:
        return self.status not in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)

    @property
    def next_status(self) -> AppointmentStatus | None:
        status = self.status_enum
        if status not in STATUS_CHAIN or status == STATUS_CHAIN[-1]:
            return None
        return STATUS_CHAIN[STATUS_CHAIN.index(status) + 1]

    def last_change_to(self, status: AppointmentStatus) -> dt.datetime | None:
        """When the appointment last became ``status`` (checked in, to observation, ...), or None if never."""
        times = [event.at for event in self.events if event.to_status == status]
        return max(times) if times else None

    @property
    def actual_times(self) -> ActualTimes:
        """When the day actually went: checked in, the procedure's start and end, the discharge (None where it
        has not happened), from the status changes."""
        return ActualTimes(
            checked_in=self.last_change_to(AppointmentStatus.CHECKED_IN),
            started=self.last_change_to(AppointmentStatus.IN_PROCEDURE),
            ended=self.last_change_to(AppointmentStatus.IN_OBSERVATION),
            discharged=self.last_change_to(AppointmentStatus.DISCHARGED),
        )

    # --- the appointment's life ----------------------------------------------------------------------

    def refuse_unless(self, to: AppointmentStatus) -> None:
        """Raise the refusal for a change to ``to`` that the transition table does not allow from here."""
        if to in TRANSITIONS.get(self.status_enum, ()):
            return
        status = Phrase(self.status_enum.label, lower=True)  # a screen shows the label in its language
        if to == AppointmentStatus.CANCELLED:
            raise DomainError(
                N_("An appointment that is {status} cannot be cancelled."), status=status, code="invalid_state"
            )
        if to == AppointmentStatus.NO_SHOW:
            raise DomainError(
                N_("Only a booked appointment that was never checked in can be a no-show."), code="invalid_state"
            )
        expected = STATUS_CHAIN[STATUS_CHAIN.index(to) - 1]
        raise DomainError(
            N_("This appointment is {status}; it must be {expected} to become {to}."),
            status=status,
            expected=Phrase(expected.label, lower=True),
            to=Phrase(to.label, lower=True),
            code="invalid_state",
        )

    def _event(self, from_status, to: AppointmentStatus, by, at: dt.datetime, note: str | None = None) -> None:
        """``by`` is the acting user: a User, an audit Actor, or None for the system."""
        who = getattr(by, "id", None)
        self.events.append(AppointmentEvent(from_status=from_status, to_status=to, by_user_id=who, note=note, at=at))

    def record_booked(self, by, at: dt.datetime, note: str | None = None) -> None:
        """The first event of a new appointment: booked, by whom and when."""
        self._event(None, AppointmentStatus.BOOKED, by, at, note)

    def record_moved(self, by, at: dt.datetime, *, old: str, new: str) -> None:
        """A move to another time: the appointment stays booked; the event says from when to when."""
        note = fill(MOVED_NOTE, {"old": old, "new": new})
        self._event(AppointmentStatus.BOOKED, AppointmentStatus.BOOKED, by, at, note)

    def _become(self, to: AppointmentStatus, by, at: dt.datetime, note: str | None = None) -> None:
        self.refuse_unless(to)
        self._event(self.status, to, by, at, note)
        self.status = to
        self.status_changed_at = at

    def _end(self, to: AppointmentStatus, by, at: dt.datetime, note: str | None = None) -> None:
        """An early end: the time the chain held is free again."""
        self.refuse_unless(to)
        for row in self.bookings:
            row.active = False
        self._become(to, by, at, note)

    def check_in(self, by, at: dt.datetime) -> None:
        self._become(AppointmentStatus.CHECKED_IN, by, at)

    def start(self, by, at: dt.datetime) -> None:
        self._become(AppointmentStatus.IN_PROCEDURE, by, at)

    def end_procedure(self, by, at: dt.datetime) -> None:
        self._become(AppointmentStatus.IN_OBSERVATION, by, at)

    def discharge(self, by, at: dt.datetime) -> None:
        self._become(AppointmentStatus.DISCHARGED, by, at)

    def cancel(self, by, at: dt.datetime, reason: str) -> None:
        """Cancel with a reason (kept on the appointment and in the event); frees the chain."""
        self.refuse_unless(AppointmentStatus.CANCELLED)
        self.cancel_reason = reason  # before the status: loading the bookings may flush
        self._end(AppointmentStatus.CANCELLED, by, at, note=reason)

    def mark_no_show(self, by, at: dt.datetime) -> None:
        """Never came (the caller checks that the time has come); frees the chain."""
        self._end(AppointmentStatus.NO_SHOW, by, at)

    @property
    def shown_cancel_reason(self) -> str | None:
        """The cancellation's reason as staff read it (``shown_text``: one given online says so in their
        language)."""
        return shown_text(self.cancel_reason)

    @property
    def table_minutes(self) -> int:
        return int((self.table_end - self.table_start).total_seconds() // 60)

    @property
    def observation_minutes(self) -> int:
        return int((self.obs_end - self.table_end).total_seconds() // 60)


class AppointmentEvent(db.Model):
    """Each status change of an appointment: from, to, who and when."""

    __tablename__ = "appointment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    appointment: Mapped[Appointment] = relationship(back_populates="events")
    by_user: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def shown_note(self) -> str | None:
        """The note as staff read it (``shown_text``): a move's note as a phrase with its two times, a hold's
        confirmation as a phrase, a cancellation's reason as typed."""
        return shown_text(self.note, move=self.from_status == self.to_status)


class BookingHold(db.Model):
    """A chain kept for a few minutes while the front desk confirms with the patient on the telephone."""

    __tablename__ = "booking_holds"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    procedure_type_id: Mapped[int] = mapped_column(ForeignKey("procedure_types.id"))
    region: Mapped[str | None] = mapped_column(String(20))
    side: Mapped[str | None] = mapped_column(String(20))
    levels: Mapped[str | None] = mapped_column(String(80))
    stage: Mapped[str | None] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(String(20))
    guidance: Mapped[str | None] = mapped_column(String(10))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    radiologist_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("observation_beds.id"))
    table_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    table_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    obs_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))

    bookings: Mapped[list[Booking]] = relationship(back_populates="hold")


class Booking(db.Model):
    """One resource held for one half-open time range ``[starts_at, ends_at)``.

    Exactly one of room, radiologist, bed or patient is set. On PostgreSQL, exclusion constraints
    (written in the migration, see ``migrations/versions``) forbid two *active* rows of the same
    resource from overlapping: ``ex_bookings_room_overlap``, ``ex_bookings_radiologist_overlap``,
    ``ex_bookings_bed_overlap`` and ``ex_bookings_patient_overlap``. On SQLite the booking
    transaction takes the write lock first and checks inside it.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "(CASE WHEN room_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN radiologist_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bed_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN patient_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_resource",
        ),
        CheckConstraint("(appointment_id IS NULL) <> (hold_id IS NULL)", name="appointment_or_hold"),
        CheckConstraint("hold_id IS NULL OR hold_expires_at IS NOT NULL", name="hold_has_expiry"),
        Index(
            "ix_bookings_room_time",
            "room_id",
            "starts_at",
            sqlite_where=text("active = 1"),
            postgresql_where=text("active"),
        ),
        Index(
            "ix_bookings_radiologist_time",
            "radiologist_id",
            "starts_at",
            sqlite_where=text("active = 1"),
            postgresql_where=text("active"),
        ),
        Index(
            "ix_bookings_bed_time",
            "bed_id",
            "starts_at",
            sqlite_where=text("active = 1"),
            postgresql_where=text("active"),
        ),
        Index(
            "ix_bookings_patient_time",
            "patient_id",
            "starts_at",
            sqlite_where=text("active = 1"),
            postgresql_where=text("active"),
        ),
        Index("ix_bookings_starts_at", "starts_at", sqlite_where=text("active = 1"), postgresql_where=text("active")),
        Index(
            "ix_bookings_hold_expiry",
            "hold_expires_at",
            sqlite_where=text("active = 1 AND hold_id IS NOT NULL"),
            postgresql_where=text("active AND hold_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("booking_holds.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    radiologist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("observation_beds.id"))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    hold_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    appointment: Mapped[Appointment | None] = relationship(back_populates="bookings")
    hold: Mapped[BookingHold | None] = relationship(back_populates="bookings")

    @property
    def resource(self) -> tuple[str, int]:
        for kind in ("room", "radiologist", "bed", "patient"):
            value = getattr(self, f"{kind}_id")
            if value is not None:
                return kind, value
        raise ValueError("booking without a resource")


class WaitlistEntry(db.Model):
    """A patient ready to book who would take an earlier date if one frees up."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        one_of("part_of_day", PartOfDay.values()),
        CheckConstraint("latest_date IS NULL OR latest_date >= earliest_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    procedure_type_id: Mapped[int] = mapped_column(ForeignKey("procedure_types.id"))
    earliest_date: Mapped[dt.date] = mapped_column(Date)
    latest_date: Mapped[dt.date | None] = mapped_column(Date)
    part_of_day: Mapped[str] = mapped_column(String(10), default=PartOfDay.ANY)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))

    patient: Mapped[Patient] = relationship()  # noqa: F821
    referral: Mapped[Referral] = relationship()  # noqa: F821
    procedure_type: Mapped[ProcedureType] = relationship()  # noqa: F821

    @property
    def shown_note(self) -> str | None:
        """The note as staff read it: the one the patient link writes as a marked phrase (a screen says it
        in its language), a note the desk typed as it is."""
        if self.note == WAITLIST_THROUGH_LINK_NOTE:
            return Phrase(WAITLIST_THROUGH_LINK_NOTE)
        return self.note
