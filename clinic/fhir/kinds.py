"""Every resource type this server offers: who may read it (the roles of the matching /api/v1 views),
how one is read, how it is searched, and the search parameters the CapabilityStatement lists."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import Appointment, Consent, ImagingStudy, Patient, ProcedureRecord, Referral
from ..models.vocab import Role
from ..web import zone
from . import places, queries
from .found import Found, Kind, Result, numeric_id, run
from .outcome import FhirError
from .resources import care, people, records
from .search import Page

CLINICAL = (Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
REFERRALS = (Role.FRONT_DESK, Role.RADIOLOGIST)
PROCEDURES = (Role.RADIOLOGIST, Role.NURSE)
STAFF = tuple(Role.values())

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
    number = numeric_id(ident)
    if number is None:
        return None
    row = db.session.execute(search.statement).unique().first()
    return present(*row) if row else None


def _sql_kind(name, roles, search_fn, present, params, id_column) -> Kind:
    def read(ident: str) -> Found | None:
        number = numeric_id(ident)
        if number is None:
            return None
        return _by_id(
            queries.Search(search_fn(MultiDict(), zone()).statement.where(id_column == number)), ident, present
        )

    def search(args: MultiDict, page: Page, posted: bool) -> Result:
        return run(search_fn(args, zone()), page, present)

    return Kind(name, roles, read, search, params)


# --- resources without a patient: radiologists, rooms and beds, schedules, slots ----------------------


# --- the registry -------------------------------------------------------------------------------------


def _patient_kind() -> Kind:
    def read(ident: str) -> Found | None:
        number = numeric_id(ident)
        patient = db.session.get(Patient, number) if number else None
        return _patient(patient) if patient else None

    def search(args: MultiDict, page: Page, posted: bool) -> Result:
        return run(queries.patients(args, zone(), posted=posted), page, _patient)

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
        Kind(
            "Practitioner",
            STAFF,
            places.read_practitioner,
            places.search_practitioners,
            {"_id": "token", "active": "token"},
        ),
        Kind("Location", STAFF, places.read_location, places.search_locations),
        Kind(
            "Schedule",
            REFERRALS,
            places.read_schedule,
            places.search_schedules,
            {"_id": "token", "actor": "reference", "active": "token", "service-type": "token"},
        ),
        Kind(
            "Slot",
            REFERRALS,
            places.read_slot,
            places.search_slots,
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
