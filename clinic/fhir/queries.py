"""Searches as SQL: each resource type's parameters become a statement over its table. No Flask here:
the views hand in the parameters; paging, audit and presentation happen there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from ..core.text import name_parts
from ..models import (
    Appointment,
    Consent,
    DocumentText,
    ImagingStudy,
    Patient,
    ProcedureDrug,
    ProcedureRecord,
    Referral,
)
from ..models.vocab import ReferralStatus
from ..services.patients import PatientQuery, search_statement
from . import codes
from .outcome import FhirError
from .search import check_known, one_of, parse_date, reference_id, token_values


@dataclass(frozen=True)
class Search:
    """A statement of rows (ordered), the column that says whose record each row is, and whether the
    terms are patient data that must stay out of URLs."""

    statement: Select
    private: bool = False


def _ids(args: MultiDict, name: str = "_id") -> list[int]:
    values = token_values(args, name)
    if not all(v.isdigit() and int(v) < 2**31 for v in values):
        raise FhirError(400, f"{name} takes this server's numeric ids.")
    return [int(v) for v in values]


def _patients(args: MultiDict) -> list[int]:
    return [reference_id(v, "Patient") for raw in args.getlist("patient") for v in raw.split(",") if v]


def _common(stmt: Select, args: MultiDict, id_column, patient_column=None) -> Select:
    if "_id" in args:
        stmt = stmt.where(id_column.in_(_ids(args)))
    if patient_column is not None and "patient" in args:
        stmt = stmt.where(patient_column.in_(_patients(args)))
    return stmt


# --- Patient ------------------------------------------------------------------------------------------

PATIENT_PARAMS = {"_id", "identifier"}
PATIENT_PRIVATE_PARAMS = {"name", "family", "given", "birthdate"}


def patients(args: MultiDict, zone: str, *, posted: bool) -> Search:
    check_known(args, PATIENT_PARAMS | PATIENT_PRIVATE_PARAMS, "Patient")
    private = sorted(PATIENT_PRIVATE_PARAMS & set(args.keys()))
    if private and not posted:
        raise FhirError(
            400,
            f"Search patients by {', '.join(private)} with POST /fhir/R4/Patient/_search "
            "(form-encoded): names and dates of birth stay out of URLs and logs.",
        )
    names = tuple(
        key for raw in args.getlist("name") + args.getlist("family") + args.getlist("given") for key in raw.split()
    )
    names = tuple(part for n in names for part in name_parts(n))
    birth_date = None
    for raw in args.getlist("birthdate"):
        param = parse_date(raw, zone)
        if param.prefix != "eq" or param.day_hi.toordinal() - param.day_lo.toordinal() != 1:
            raise FhirError(400, "birthdate takes one day (YYYY-MM-DD).")
        birth_date = param.day_lo
    stmt = search_statement(PatientQuery(names, birth_date, None)) if (names or birth_date) else select(Patient)
    stmt = _common(stmt, args, Patient.id)
    identifiers = token_values(args, "identifier")
    if identifiers:
        stmt = stmt.where(Patient.clinic_number.in_(identifiers))
    if not (names or birth_date):
        stmt = stmt.order_by(Patient.id)
    return Search(stmt, private=bool(private))


# --- ServiceRequest -----------------------------------------------------------------------------------

SERVICE_REQUEST_PARAMS = {"_id", "patient", "subject", "status", "authored"}


def service_requests(args: MultiDict, zone: str) -> Search:
    check_known(args, SERVICE_REQUEST_PARAMS, "ServiceRequest")
    args = _subject_as_patient(args)
    stmt = select(Referral).options(selectinload(Referral.referring_physician))
    stmt = _common(stmt, args, Referral.id, Referral.patient_id)
    for wanted in args.getlist("status"):
        ours = [s for fhir in wanted.split(",") for s in codes.statuses_for(fhir, codes.REFERRAL_STATUS)]
        stmt = stmt.where(one_of(Referral.status, [ReferralStatus(s).value for s in ours]))
    for raw in args.getlist("authored"):
        stmt = stmt.where(parse_date(raw, zone).day_clause(Referral.received_on))
    return Search(stmt.order_by(Referral.received_on.desc(), Referral.id.desc()))


def _subject_as_patient(args: MultiDict) -> MultiDict:
    if "subject" not in args:
        return args
    merged = MultiDict(args)
    for value in merged.poplist("subject"):
        merged.add("patient", value)
    return merged


# --- Appointment --------------------------------------------------------------------------------------

APPOINTMENT_PARAMS = {"_id", "patient", "date", "status", "practitioner", "location", "based-on", "identifier"}


def appointment_options():
    return (joinedload(Appointment.procedure_type),)


def appointments(args: MultiDict, zone: str) -> Search:
    check_known(args, APPOINTMENT_PARAMS, "Appointment")
    stmt = select(Appointment).options(*appointment_options())
    stmt = _common(stmt, args, Appointment.id, Appointment.patient_id)
    for wanted in args.getlist("status"):
        ours = [s for fhir in wanted.split(",") for s in codes.statuses_for(fhir, codes.APPOINTMENT_STATUS)]
        stmt = stmt.where(one_of(Appointment.status, ours))
    for raw in args.getlist("date"):
        stmt = stmt.where(parse_date(raw, zone).instant_clause(Appointment.table_start))
    for raw in args.getlist("practitioner"):
        stmt = stmt.where(Appointment.radiologist_id.in_([reference_id(v, "Practitioner") for v in raw.split(",")]))
    for raw in args.getlist("location"):
        stmt = stmt.where(Appointment.room_id.in_([location_id(v, "room") for v in raw.split(",")]))
    for raw in args.getlist("based-on"):
        stmt = stmt.where(Appointment.referral_id.in_([reference_id(v, "ServiceRequest") for v in raw.split(",")]))
    identifiers = token_values(args, "identifier")
    if identifiers:
        stmt = stmt.where(Appointment.reference.in_(identifiers))
    return Search(stmt.order_by(Appointment.table_start, Appointment.id))


def location_id(value: str, kind: str) -> int:
    tail = value.rstrip("/").split("/")[-1]
    prefix = f"{kind}-"
    if not tail.startswith(prefix) or not tail[len(prefix) :].isdigit() or len(tail) > 20:
        raise FhirError(400, f"{value!r} is not a {kind} of this clinic (Location/{kind}-N).")
    return int(tail[len(prefix) :])


def _either(wanted: str, clauses: dict):
    """A status parameter over statuses that are conditions rather than a column's values."""
    picked = [clauses[value] for value in wanted.split(",") if value in clauses]
    return or_(*picked) if picked else false()


# --- Procedure, Consent, ImagingStudy -----------------------------------------------------------------

RECORD_PARAMS = {"_id", "patient", "subject", "date", "status"}


def procedures(args: MultiDict, zone: str) -> Search:
    check_known(args, RECORD_PARAMS, "Procedure")
    args = _subject_as_patient(args)
    stmt = (
        select(ProcedureRecord, Appointment)
        .join(Appointment, Appointment.id == ProcedureRecord.appointment_id)
        .options(
            selectinload(ProcedureRecord.drugs).joinedload(ProcedureDrug.drug_option),
            selectinload(ProcedureRecord.addenda),
            *appointment_options(),
        )
    )
    stmt = _common(stmt, args, ProcedureRecord.id, Appointment.patient_id)
    for wanted in args.getlist("status"):
        stmt = stmt.where(
            _either(
                wanted,
                {"completed": ProcedureRecord.ended_at.is_not(None), "in-progress": ProcedureRecord.ended_at.is_(None)},
            )
        )
    for raw in args.getlist("date"):
        stmt = stmt.where(parse_date(raw, zone).instant_clause(ProcedureRecord.started_at))
    return Search(stmt.order_by(ProcedureRecord.started_at, ProcedureRecord.id))


def consents(args: MultiDict, zone: str) -> Search:
    check_known(args, RECORD_PARAMS, "Consent")
    args = _subject_as_patient(args)
    stmt = (
        select(Consent, Appointment)
        .join(Appointment, Appointment.id == Consent.appointment_id)
        .options(joinedload(Consent.document_text).joinedload(DocumentText.procedure_type), *appointment_options())
    )
    stmt = _common(stmt, args, Consent.id, Appointment.patient_id)
    for wanted in args.getlist("status"):
        stmt = stmt.where(
            _either(wanted, {"active": Consent.signed_at.is_not(None), "proposed": Consent.signed_at.is_(None)})
        )
    for raw in args.getlist("date"):
        stmt = stmt.where(parse_date(raw, zone).instant_clause(func.coalesce(Consent.signed_at, Consent.printed_at)))
    return Search(stmt.order_by(Consent.printed_at, Consent.id))


IMAGING_PARAMS = {"_id", "patient", "subject", "started", "basedon"}


def imaging_studies(args: MultiDict, zone: str) -> Search:
    check_known(args, IMAGING_PARAMS, "ImagingStudy")
    args = _subject_as_patient(args)
    stmt = select(ImagingStudy).options(selectinload(ImagingStudy.files))
    stmt = _common(stmt, args, ImagingStudy.id, ImagingStudy.patient_id)
    for raw in args.getlist("started"):
        stmt = stmt.where(parse_date(raw, zone).day_clause(ImagingStudy.study_date))
    for raw in args.getlist("basedon"):
        stmt = stmt.where(ImagingStudy.referral_id.in_([reference_id(v, "ServiceRequest") for v in raw.split(",")]))
    return Search(stmt.order_by(ImagingStudy.study_date.desc(), ImagingStudy.id.desc()))
