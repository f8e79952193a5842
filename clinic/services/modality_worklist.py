"""The scanners' worklist (DICOM Modality Worklist), read from the appointments.

A scanner asks under its AE title; the room with that AE title is the only one it hears about, and an
AE title no room has is not answered at all. It gets the appointments of the asked days (today when
it names none) that are booked or checked in: who the patient is, what is to be done, when, by whom.
No DICOM objects here: ``clinic.dicom`` turns the entries into datasets and applies the scanner's
other matching keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from pydicom.uid import generate_uid
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.timefmt import day_bounds, to_local
from ..models import Appointment, Patient, ProcedureType, Room, User
from ..models.vocab import AppointmentStatus, Modality, Sex

WORKLIST_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
MAX_DAYS = 31  # a scanner asks for a day or a few; a wider range is cut to a month
DICOM_MODALITY = {Modality.CT: "CT", Modality.MRI: "MR"}
DICOM_SEX = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.DIVERSE: "O", Sex.UNKNOWN: ""}
# A private coding scheme ("99" + name, as DICOM asks of local ones) for our procedure codes.
CODING_SCHEME = "99PAINCLINIC"
_TITLES = {"dr.", "dr", "prof.", "prof", "pd", "med.", "dr.med.", "priv.-doz."}


@dataclass(frozen=True)
class PersonName:
    family: str
    given: str = ""
    prefix: str = ""


@dataclass(frozen=True)
class WorklistEntry:
    """One scheduled procedure step, in plain values (local wall-clock time for the schedule)."""

    appointment_id: int
    accession_number: str
    requested_procedure_id: str
    study_instance_uid: str
    patient_id: str
    patient_name: PersonName
    birth_date: dt.date
    sex: str
    procedure_code: str
    procedure_meaning: str
    procedure_description: str
    scheduled_start: dt.datetime  # naive, in the clinic's zone: how DICOM writes dates and times
    scheduled_end: dt.datetime
    station_ae_title: str
    station_name: str
    location: str
    modality: str
    performing_physician: PersonName
    checked_in: bool


@lru_cache(maxsize=4096)  # a hash of the number: the same at every query of every scanner
def study_instance_uid(accession_number: str) -> str:
    """The study's UID, the same at every query (derived from the accession number, which is unique)."""
    return generate_uid(entropy_srcs=["clinic-worklist-study", accession_number])


def person_name(full_name: str) -> PersonName:
    """A staff member's "Dr. Anna Schmidt" as DICOM's family^given^^prefix: the last word is the family
    name, leading titles go to the prefix."""
    words = full_name.split()
    prefix = []
    while words and words[0].lower() in _TITLES and len(words) > 1:
        prefix.append(words.pop(0))
    if not words:
        return PersonName(full_name.strip())
    return PersonName(words[-1], " ".join(words[:-1]), " ".join(prefix))


def room_for_station(session: Session, ae_title: str) -> Room | None:
    """The active room whose scanner has this AE title (DICOM pads AE titles with spaces)."""
    title = (ae_title or "").strip()
    if not title:
        return None
    return session.scalar(select(Room).where(Room.ae_title == title, Room.active))


def station_titles(session: Session) -> list[str]:
    """The AE titles of the active rooms' scanners: the only callers the worklist answers."""
    return list(session.scalars(select(Room.ae_title).where(Room.ae_title.is_not(None), Room.active)))


def entries(
    session: Session,
    room: Room,
    first_day: dt.date,
    last_day: dt.date,
    zone: str,
    *,
    audit_actor=None,
) -> list[WorklistEntry]:
    """The room's booked and checked-in appointments from ``first_day`` to ``last_day`` (local days)."""
    last_day = min(last_day, first_day + dt.timedelta(days=MAX_DAYS - 1))
    if last_day < first_day:
        return []
    start, _ = day_bounds(first_day, zone)
    _, end = day_bounds(last_day, zone)
    # Columns, not ORM objects: this runs at every query of every scanner.
    rows = session.execute(
        select(
            Appointment.id,
            Appointment.accession_number,
            Appointment.reference,
            Appointment.table_start,
            Appointment.table_end,
            Appointment.status,
            Appointment.region,
            Appointment.side,
            Appointment.levels,
            Appointment.stage,
            Appointment.guidance,
            Patient.clinic_number,
            Patient.family_name,
            Patient.given_name,
            Patient.birth_date,
            Patient.sex,
            ProcedureType.code,
            ProcedureType.name_en,
            User.full_name,
        )
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(ProcedureType, ProcedureType.id == Appointment.procedure_type_id)
        .join(User, User.id == Appointment.radiologist_id)
        .where(
            Appointment.table_start >= start,
            Appointment.table_start < end,
            Appointment.status.in_(WORKLIST_STATUSES),
            Appointment.room_id == room.id,
        )
        .order_by(Appointment.table_start, Appointment.id)
    ).all()
    result = [_entry(row, room, zone) for row in rows]
    audit.record(
        session,
        "dicom.worklist_query",
        "rooms",
        room.id,
        summary={"station": room.ae_title, "entries": len(result), "appointments": [e.appointment_id for e in result]},
        actor=audit_actor,
    )
    session.flush()
    return result


def _entry(row, room: Room, zone: str) -> WorklistEntry:
    what = " ".join(part for part in (row.code, row.region, row.side, row.levels, row.stage) if part)
    return WorklistEntry(
        appointment_id=row.id,
        accession_number=row.accession_number,
        requested_procedure_id=row.reference.replace("-", ""),
        study_instance_uid=study_instance_uid(row.accession_number),
        patient_id=row.clinic_number,
        patient_name=PersonName(row.family_name, row.given_name),
        birth_date=row.birth_date,
        sex=DICOM_SEX.get(row.sex, ""),
        procedure_code=row.code,
        procedure_meaning=row.name_en,
        procedure_description=what,
        scheduled_start=to_local(row.table_start, zone).replace(tzinfo=None),
        scheduled_end=to_local(row.table_end, zone).replace(tzinfo=None),
        station_ae_title=room.ae_title or "",
        station_name=room.name,
        location=room.location_hint or room.unit,
        modality=DICOM_MODALITY.get(row.guidance, row.guidance),
        performing_physician=person_name(row.full_name),
        checked_in=row.status == AppointmentStatus.CHECKED_IN,
    )


def appointment_by_accession(session: Session, accession_number: str | None) -> Appointment | None:
    number = (accession_number or "").strip()
    if not number:
        return None
    return session.scalar(select(Appointment).where(Appointment.accession_number == number))
