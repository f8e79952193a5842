"""Every resource type this server offers: who may read it (the roles of the matching /api/v1 views),
how one is read, how it is searched, and the search parameters the CapabilityStatement lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import (
    Appointment,
    Consent,
    ImagingStudy,
    ObservationBed,
    Patient,
    ProcedureRecord,
    ProcedureType,
    Referral,
    Room,
    User,
    UserRole,
)
from ..models.vocab import Role
from ..web import local_today, scheduling_settings, zone
from . import queries, slots
from .outcome import FhirError
from .resources import care, people, records
from .resources import slots as slot_resources
from .resources.slots import SlotKey
from .search import Page

CLINICAL = (Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
REFERRALS = (Role.FRONT_DESK, Role.RADIOLOGIST)
PROCEDURES = (Role.RADIOLOGIST, Role.NURSE)
STAFF = tuple(Role.values())

Found = tuple[dict, int | None]  # a resource and the patient it belongs to (None: no patient's record)


@dataclass
class Result:
    entries: list[Found]
    total: int | None = None
    has_more: bool = False
    private: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    roles: tuple[str, ...]
    read: Callable[[str], Found | None]
    search: Callable[[MultiDict, Page, bool], Result]
    params: dict[str, str] = field(default_factory=dict)  # search parameter → its FHIR type
    create: bool = False


def _number(ident: str) -> int | None:
    return int(ident) if ident.isdigit() and len(ident) < 10 else None


def _prefixed(ident: str, prefix: str) -> int | None:
    return _number(ident[len(prefix) :]) if ident.startswith(prefix) else None


def _run(search: queries.Search, page: Page, present: Callable) -> Result:
    total = db.session.scalar(select(func.count()).select_from(search.statement.order_by(None).subquery()))
    rows = db.session.execute(search.statement.limit(page.count).offset(page.offset)).unique().all()
    return Result([present(*row) for row in rows], total=total, private=search.private)


# --- present one row (the tuple a query returns) --------------------------------------------------


def _patient(p: Patient) -> Found:
    return people.patient(p), p.id


def _service_request(r: Referral) -> Found:
    return care.service_request(r, zone()), r.patient_id


def _appointment(a: Appointment) -> Found:
    return care.appointment(a, zone()), a.patient_id


def _procedure(record: ProcedureRecord, a: Appointment) -> Found:
    return records.procedure(record, a, zone()), a.patient_id


def _consent(c: Consent, a: Appointment) -> Found:
    return records.consent(c, a, zone()), a.patient_id


def _study(s: ImagingStudy) -> Found:
    return records.imaging_study(s, zone()), s.patient_id


def _by_id(search: queries.Search, ident: str, present: Callable) -> Found | None:
    number = _number(ident)
    if number is None:
        return None
    row = db.session.execute(search.statement).unique().first()
    return present(*row) if row else None


def _sql_kind(name, roles, search_fn, present, params, id_column) -> Kind:
    def read(ident: str) -> Found | None:
        number = _number(ident)
        if number is None:
            return None
        return _by_id(
            queries.Search(search_fn(MultiDict(), zone()).statement.where(id_column == number)), ident, present
        )

    def search(args: MultiDict, page: Page, posted: bool) -> Result:
        return _run(search_fn(args, zone()), page, present)

    return Kind(name, roles, read, search, params)


# --- resources without a patient: radiologists, rooms and beds, schedules, slots ----------------------


def _radiologists():
    return select(User).join(UserRole).where(UserRole.role == Role.RADIOLOGIST).order_by(User.id)


def _read_practitioner(ident: str) -> Found | None:
    number = _number(ident)
    user = db.session.scalar(_radiologists().where(User.id == number)) if number else None
    return (people.practitioner(user), None) if user else None


def _search_practitioners(args: MultiDict, page: Page, posted: bool) -> Result:
    queries.check_known(args, {"_id", "active"}, "Practitioner")
    stmt = _radiologists()
    if "_id" in args:
        stmt = stmt.where(User.id.in_(queries._ids(args)))
    for raw in args.getlist("active"):
        stmt = stmt.where(User.active.is_(raw == "true"))
    return _run(queries.Search(stmt), page, lambda u: (people.practitioner(u), None))


def _read_location(ident: str) -> Found | None:
    if (room_id := _prefixed(ident, "room-")) is not None:
        room = db.session.get(Room, room_id)
        return (people.room(room), None) if room else None
    if (bed_id := _prefixed(ident, "bed-")) is not None:
        bed = db.session.get(ObservationBed, bed_id)
        return (people.bed(bed), None) if bed else None
    return None


def _search_locations(args: MultiDict, page: Page, posted: bool) -> Result:
    queries.check_known(args, set(), "Location")
    found = [people.room(r) for r in db.session.scalars(select(Room).order_by(Room.sort_order, Room.id))]
    found += [
        people.bed(b)
        for b in db.session.scalars(select(ObservationBed).order_by(ObservationBed.sort_order, ObservationBed.id))
    ]
    return Result([(r, None) for r in found[page.offset : page.offset + page.count]], total=len(found))


def _horizon() -> tuple[dt.date, dt.date]:
    first = local_today()
    return first, first + dt.timedelta(days=slots.SCHEDULE_HORIZON_DAYS)


def _read_schedule(ident: str) -> Found | None:
    room_id = _prefixed(ident, "room-")
    found = slots.schedules(db.session, MultiDict({"_id": f"room-{room_id}"})) if room_id is not None else []
    return (slot_resources.schedule(*found[0], *_horizon()), None) if found else None


def _search_schedules(args: MultiDict, page: Page, posted: bool) -> Result:
    found = [(slot_resources.schedule(room, pts, *_horizon()), None) for room, pts in slots.schedules(db.session, args)]
    return Result(found[page.offset : page.offset + page.count], total=len(found))


def _read_slot(ident: str) -> Found | None:
    key = SlotKey.parse(ident)
    if key is None:
        return None
    pt, status = slots.status_of(db.session, scheduling_settings(), key)
    return slot_resources.slot(key, pt, zone(), status), None


def _search_slots(args: MultiDict, page: Page, posted: bool) -> Result:
    keys, more = slots.search(db.session, scheduling_settings(), args, page)
    found = [
        (slot_resources.slot(key, db.session.get(ProcedureType, key.procedure_type_id), zone()), None) for key in keys
    ]
    return Result(found, has_more=more)


# --- the registry -------------------------------------------------------------------------------------


def _patient_kind() -> Kind:
    def read(ident: str) -> Found | None:
        number = _number(ident)
        patient = db.session.get(Patient, number) if number else None
        return _patient(patient) if patient else None

    def search(args: MultiDict, page: Page, posted: bool) -> Result:
        return _run(queries.patients(args, zone(), posted=posted), page, _patient)

    params = {"_id": "token", "identifier": "token", "name": "string", "family": "string", "given": "string"}
    return Kind("Patient", CLINICAL, read, search, {**params, "birthdate": "date"})


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        _patient_kind(),
        _sql_kind(
            "ServiceRequest",
            REFERRALS,
            queries.service_requests,
            _service_request,
            {"_id": "token", "patient": "reference", "status": "token", "authored": "date"},
            Referral.id,
        ),
        _sql_kind(
            "Appointment",
            CLINICAL,
            queries.appointments,
            _appointment,
            {
                "_id": "token",
                "patient": "reference",
                "date": "date",
                "status": "token",
                "practitioner": "reference",
                "location": "reference",
                "based-on": "reference",
                "identifier": "token",
            },
            Appointment.id,
        ),
        _sql_kind(
            "Procedure",
            PROCEDURES,
            queries.procedures,
            _procedure,
            {"_id": "token", "patient": "reference", "date": "date", "status": "token"},
            ProcedureRecord.id,
        ),
        _sql_kind(
            "Consent",
            CLINICAL,
            queries.consents,
            _consent,
            {"_id": "token", "patient": "reference", "date": "date", "status": "token"},
            Consent.id,
        ),
        _sql_kind(
            "ImagingStudy",
            REFERRALS,
            queries.imaging_studies,
            _study,
            {"_id": "token", "patient": "reference", "started": "date", "basedon": "reference"},
            ImagingStudy.id,
        ),
        Kind("Practitioner", STAFF, _read_practitioner, _search_practitioners, {"_id": "token", "active": "token"}),
        Kind("Location", STAFF, _read_location, _search_locations),
        Kind(
            "Schedule",
            REFERRALS,
            _read_schedule,
            _search_schedules,
            {"_id": "token", "actor": "reference", "active": "token", "service-type": "token"},
        ),
        Kind(
            "Slot",
            REFERRALS,
            _read_slot,
            _search_slots,
            {
                "service-type": "token",
                "service-request": "reference",
                "schedule": "reference",
                "start": "date",
                "status": "token",
            },
        ),
    )
}
KINDS["Appointment"] = Kind(**{**KINDS["Appointment"].__dict__, "create": True})


def kind(name: str) -> Kind:
    if name not in KINDS:
        raise FhirError(404, f"This server does not offer {name} resources (see /fhir/R4/metadata).", "not-supported")
    return KINDS[name]
