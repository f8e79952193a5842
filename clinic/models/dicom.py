"""What the scanners and the PACS tell us: performed procedure steps (MPPS) and retrievals of prior
studies from the PACS. The worklist itself needs no table: it is read from the appointments."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.messages import N_, Phrase, Phrases, as_phrase, fill, read_back
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of, utcnow
from .vocab import AppointmentStatus, Labelled

# Digits and capitals without 0/O and 1/I: read off a scanner console without doubt.
ACCESSION_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ACCESSION_LENGTH = 12  # DICOM's AccessionNumber (SH) holds 16; 32**12 values leave collisions out of reach


def new_accession_number() -> str:
    """The accession number of a new appointment: what the scanner's images and reports carry."""
    return "".join(secrets.choice(ACCESSION_ALPHABET) for _ in range(ACCESSION_LENGTH))


# What the DICOM side writes on a scanner's report and on a retrieval is stored in English (the API and the
# audit read it as it is); screens read it back into marked phrases (``shown_step_warning``,
# ``shown_retrieval_message``) and say them in their language, rows written before this as well.
STEP_NO_APPOINTMENT = N_("No appointment has the accession number {accession}.")
STEP_NO_ACCESSION = N_("The scanner sent no accession number.")
STEP_ENDED = N_(
    "The scanner {scanner} reported the start at {time}, but the appointment is {status}: nothing was changed."
)
STEP_NOT_CHECKED_IN = N_(
    "The scanner {scanner} reported the start at {time}, but the patient is not checked in: the appointment was "
    "not moved to in procedure. Check the patient in, record the signed consent, then start the procedure."
)
STEP_NO_CONSENT = N_(
    "The scanner {scanner} reported the start at {time}, but no signed consent is recorded: the appointment was "
    "not moved to in procedure. Record the signed consent, then start the procedure."
)
STEP_NOT_STARTED = N_(
    "The scanner {scanner} reported the start at {time}, but the appointment could not be moved to in procedure: "
    "{reason}"
)
_STEP_WARNINGS = (STEP_NO_APPOINTMENT, STEP_NO_ACCESSION, STEP_ENDED, STEP_NOT_CHECKED_IN, STEP_NO_CONSENT)
_STATUS_WORDS = {status.label.lower(): status.label for status in AppointmentStatus}


def shown_step_warning(warning: str | None) -> str | None:
    """A scanner report's warning as staff read it: one the system wrote as a marked phrase (a screen says
    it in its language), anything else as it is."""
    if not warning:
        return warning
    for template in _STEP_WARNINGS:
        if (values := read_back(warning, template)) is not None:
            if "status" in values and values["status"] in _STATUS_WORDS:
                values["status"] = Phrase(_STATUS_WORDS[values["status"]], lower=True)
            return Phrase(template, **values)
    if (values := read_back(warning, STEP_NOT_STARTED)) is not None:
        return Phrase(STEP_NOT_STARTED, **{**values, "reason": as_phrase(values["reason"])})
    return warning


# A retrieval's message. The images stored are written as they always were (the API reads them so) and
# shown without the "(s)": "Images stored: 12."
RETRIEVAL_STORED = "{stored} image(s) stored."
RETRIEVAL_MISMATCHES = " {mismatches} name a different patient or birth date: check before use."
IMAGES_STORED = N_("Images stored: {count}.")
IMAGES_MISMATCHED = N_("With a different patient's name or birth date: {count}. Check them before use.")
PACS_NOT_SET_UP = N_("No PACS connection is set up; ask the administrator. Upload the images from a CD instead.")
STUDY_GONE = N_("The PACS no longer has this study.")
IMAGES_NOT_SENT = N_("The PACS could not send the images ({failed} failed).")
IMAGES_NOT_STORED = N_("The images could not be stored: {reason}")
RETRIEVAL_BROKE = N_("The retrieval failed with an unexpected error; nothing was stored. Try again.")
# What the PACS did (``clinic.dicom.pacs``): shown at a search, stored on a retrieval that failed of it.
PACS_NO_ANSWER = N_(
    "The PACS {ae_title} at {address} did not answer in time ({seconds} s). Nothing was fetched; try again "
    "later, or tell IT if it keeps happening."
)
PACS_UNREACHABLE = N_(
    "The PACS {ae_title} at {address} cannot be reached (connection refused or no route). Is it running? "
    "Nothing was fetched."
)
PACS_REFUSED_US = N_(
    "The PACS {ae_title} at {address} refused us: it must know our AE title {our_ae_title} (ask IT to add it)."
)
PACS_STOPPED = N_("The PACS {ae_title} at {address} stopped answering (no reply within {seconds} s). Try again later.")
PACS_TOO_MANY = N_(
    "The PACS has more than {max_studies} studies for this search: please narrow it (patient ID, or name with "
    "birth date)."
)
PACS_SEARCH_FAILED = N_("The PACS {ae_title} at {address} could not answer the search (DICOM status {status}).")
PACS_NO_DESTINATION = N_(
    "The PACS {ae_title} at {address} does not know where to send the images: it must know our AE title "
    "{our_ae_title} with our address and port (ask IT)."
)
PACS_SEND_FAILED = N_(
    "The PACS {ae_title} at {address} could not send the study (DICOM status {status}). Check that it knows our "
    "AE title {our_ae_title} with our address and port (ask IT)."
)
PACS_SEND_FAILED_SAYING = N_(
    "The PACS {ae_title} at {address} could not send the study (DICOM status {status}: {said}). Check that it "
    "knows our AE title {our_ae_title} with our address and port (ask IT)."
)
_RETRIEVAL_FAILURES = (
    STUDY_GONE,
    IMAGES_NOT_SENT,
    RETRIEVAL_BROKE,
    PACS_NOT_SET_UP,
    PACS_NO_ANSWER,
    PACS_UNREACHABLE,
    PACS_REFUSED_US,
    PACS_STOPPED,
    PACS_TOO_MANY,
    PACS_SEARCH_FAILED,
    PACS_NO_DESTINATION,
    PACS_SEND_FAILED_SAYING,  # before the one without: its status would take the PACS's words too
    PACS_SEND_FAILED,
)
# Written before the seconds lost their plural: read as the sentences above.
_RETRIEVAL_FAILURES_BEFORE = {
    f"The PACS {{ae_title}} at {{address}} did not answer within {{seconds}} {unit}. Nothing was fetched; try "
    "again later, or tell IT if it keeps happening.": PACS_NO_ANSWER
    for unit in ("second", "seconds")
} | {
    f"The PACS {{ae_title}} at {{address}} stopped answering (no reply within {{seconds}} {unit}). Try again later.": (
        PACS_STOPPED
    )
    for unit in ("second", "seconds")
}


def retrieval_stored(stored: int, mismatches: int) -> str:
    """The message of a retrieval that stored its images, as it is stored."""
    written = fill(RETRIEVAL_STORED, {"stored": stored})
    return written + fill(RETRIEVAL_MISMATCHES, {"mismatches": mismatches}) if mismatches else written


def _measured(values: dict[str, str]) -> dict[str, object]:
    """The values read back from a stored message, a wait in seconds ("2.5") as a number: a screen writes it
    in its own format ("2,5 s"), as it does for a search's refusal (``clinic.dicom.pacs``)."""
    seconds = values.get("seconds")
    if seconds is None:
        return values
    try:
        number = Decimal(seconds)
    except InvalidOperation:
        return values
    return {**values, "seconds": number} if number.is_finite() else values


def shown_retrieval_message(message: str | None) -> str | None:
    """A retrieval's message as staff read it: one the system wrote as a marked phrase (a screen says it in
    its language), anything else as it is."""
    if not message:
        return message
    if (values := read_back(message, RETRIEVAL_STORED + RETRIEVAL_MISMATCHES)) is not None:
        return Phrases(
            [Phrase(IMAGES_STORED, count=values["stored"]), Phrase(IMAGES_MISMATCHED, count=values["mismatches"])],
            " ",
        )
    if (values := read_back(message, RETRIEVAL_STORED)) is not None:
        return Phrase(IMAGES_STORED, count=values["stored"])
    for template in _RETRIEVAL_FAILURES:
        if (values := read_back(message, template)) is not None:
            return Phrase(template, **_measured(values))
    for before, template in _RETRIEVAL_FAILURES_BEFORE.items():
        if (values := read_back(message, before)) is not None:
            return Phrase(template, **_measured(values))
    if (values := read_back(message, IMAGES_NOT_STORED)) is not None:
        return Phrase(IMAGES_NOT_STORED, reason=as_phrase(values["reason"]))
    return message


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

    @property
    def shown_warning(self) -> str | None:
        """The warning as staff read it (``shown_step_warning``)."""
        return shown_step_warning(self.warning)


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

    @property
    def shown_message(self) -> str | None:
        """The message as staff read it (``shown_retrieval_message``)."""
        return shown_retrieval_message(self.message)


# The labels derived from the values, marked for the catalogue (see vocab.SCREEN_LABELS).
SCREEN_LABELS = (
    # StepStatus
    N_("In progress"),
    N_("Completed"),
    N_("Discontinued"),
)
