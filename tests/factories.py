"""Factories for tests: a small clinic, patients, referrals ready to book, and their appointments.

Built through the same models and services the app uses; a test names only what it cares about. Each kind
of record is built here one way: ``make_patient``, ``make_referral``, ``make_ready_referral``, ``book``
(through the booking service) and ``sign_consent``. The clock is conftest's ``NOW`` and ``TODAY``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from clinic.defaults import seed_catalogue, seed_drug_options, seed_hold_rules, seed_texts
from clinic.models import (
    Appointment,
    BookingHold,
    MedicationEntry,
    ObservationBed,
    Patient,
    ProcedureType,
    Referral,
    Room,
    RoomSession,
    RosterEntry,
    User,
    WaitlistEntry,
)
from clinic.models.vocab import Language, ReferralStatus, Role
from clinic.scheduling import booking
from clinic.scheduling.finder import Candidate
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import accounts, appointments, consents, preregistration, procedure_day, procedure_records
from clinic.services.readiness import assess
from tests.conftest import NOW, TODAY, ZONE
from tests.scheduling.helpers import first_candidates

PASSWORD = "demo-password-1"
_counter = itertools.count(1)


@dataclass
class Clinic:
    procedures: dict[str, ProcedureType]
    rooms: dict[str, Room]
    beds: list[ObservationBed]
    radiologists: list[User]
    staff: dict[str, User] = field(default_factory=dict)

    def pt(self, code: str) -> ProcedureType:
        return self.procedures[code]


def make_user(
    session: Session, username: str, roles: set[str], full_name: str | None = None, *, language: str | None = "en"
) -> User:
    """A staff account; its screens are in English unless the test asks for German (``language="de"``)
    or for the clinic's language (``language=None``, German in the tests as in the clinic)."""
    return accounts.create_user(session, username, full_name or username.title(), PASSWORD, roles, language=language)


def add_weekly_sessions(session, room: Room, weekdays, start: dt.time, end: dt.time, valid_from=dt.date(2020, 1, 1)):
    for weekday in weekdays:
        session.add(RoomSession(room=room, weekday=weekday, start_time=start, end_time=end, valid_from=valid_from))


def add_roster(session, user: User, weekdays, start: dt.time, end: dt.time, valid_from=dt.date(2020, 1, 1)):
    for weekday in weekdays:
        session.add(
            RosterEntry(radiologist=user, weekday=weekday, start_time=start, end_time=end, valid_from=valid_from)
        )


def build_clinic(
    session: Session,
    *,
    beds: int = 6,
    radiologists: int = 4,
    ct_rooms: int = 2,
    texts: bool = False,
    hours: tuple[dt.time, dt.time] = (dt.time(8), dt.time(16)),
) -> Clinic:
    procedures = seed_catalogue(session)
    seed_drug_options(session)
    seed_hold_rules(session)
    if texts:
        seed_texts(session, procedures)
    rooms = {}
    for n in range(1, ct_rooms + 1):
        rooms[f"CT {n}"] = Room(name=f"CT {n}", modality="CT", unit="Radiology", sort_order=n)
    rooms["MRT"] = Room(name="MRT", modality="MRI", unit="Radiology", sort_order=9)
    session.add_all(rooms.values())
    for room in rooms.values():
        if room.modality == "CT":
            add_weekly_sessions(session, room, range(5), *hours)
        else:
            add_weekly_sessions(session, room, (1, 3), dt.time(8), dt.time(12))
    bed_rows = [ObservationBed(label=f"Bed {n}", unit="Observation", sort_order=n) for n in range(1, beds + 1)]
    session.add_all(bed_rows)
    rads = []
    for n in range(1, radiologists + 1):
        user = make_user(session, f"rad{n}", {Role.RADIOLOGIST}, f"Dr. Radiologist {n}")
        user.qualifications = list(procedures.values())
        add_roster(session, user, range(5), *hours)
        rads.append(user)
    staff = {
        "frontdesk": make_user(session, "frontdesk", {Role.FRONT_DESK}, "Petra Möller"),
        "nurse": make_user(session, "nurse", {Role.NURSE}, "Jörg Weiß"),
        "admin": make_user(session, "admin", {Role.ADMIN}, "Sabine Krüger"),
    }
    session.flush()
    return Clinic(procedures, rooms, bed_rows, rads, staff)


def make_patient(session: Session, **kw) -> Patient:
    n = next(_counter)
    patient = Patient(
        clinic_number=kw.pop("clinic_number", f"P-{100000 + n}"),
        birth_date=kw.pop("birth_date", dt.date(1940, 1, 1) + dt.timedelta(days=(n * 37) % 20000)),
        sex=kw.pop("sex", "female"),
        phone=kw.pop("phone", "+49 40 555 0101"),
        email=kw.pop("email", f"patient{n}@example.org"),
        street=kw.pop("street", "Hauptstraße 1"),
        postal_code=kw.pop("postal_code", "20095"),
        city=kw.pop("city", "Hamburg"),
        insurance_name=kw.pop("insurance_name", "AOK"),
        insurance_number=kw.pop("insurance_number", f"A{n:09d}"),
        preferred_language=kw.pop("preferred_language", Language.DE),
    )
    patient.set_names(kw.pop("family_name", f"Müller{n}"), kw.pop("given_name", "Jürgen"))
    for key, value in kw.items():
        setattr(patient, key, value)
    session.add(patient)
    session.flush()
    return patient


def make_referral(session: Session, patient: Patient | None = None, **kw) -> Referral:
    patient = patient or make_patient(session)
    referral = Referral(
        patient_id=patient.id,
        received_on=kw.pop("received_on", dt.date(2026, 11, 2)),
        clinical_question=kw.pop("clinical_question", "Radicular pain L5 left, MRI: disc herniation L4/5"),
        region=kw.pop("region", "lumbar"),
        side=kw.pop("side", "left"),
        status=kw.pop("status", ReferralStatus.RECEIVED),
    )
    for key, value in kw.items():
        setattr(referral, key, value)
    session.add(referral)
    session.flush()
    preregistration.ensure(session, referral)
    return referral


def make_ready_referral(
    session: Session,
    clinic: Clinic,
    patient: Patient | None = None,
    *,
    code: str = "PRT",
    region: str = "lumbar",
    side: str | None = "left",
    levels: str | None = "L4/5",
    stage: str | None = None,
    medications: list[tuple[str, str, dt.date | None]] = (),
    target: str | None = None,
    guidance: str | None = None,
) -> Referral:
    """An accepted referral whose pre-registration is complete (imaging waived, no blood thinners)."""
    radiologist = clinic.radiologists[0]
    referral = make_referral(session, patient)
    now = NOW
    referral.status = ReferralStatus.ACCEPTED
    referral.planned_procedure_type = clinic.pt(code)
    referral.planned_region = region
    referral.planned_side = side
    referral.planned_levels = levels
    referral.planned_stage = stage
    referral.planned_target = target
    referral.planned_guidance = guidance
    referral.triaged_by_id = radiologist.id
    referral.triaged_at = now
    referral.imaging_waived_by_id = radiologist.id
    referral.imaging_waived_at = now
    referral.imaging_waiver_reason = "Recent MRI seen in the hospital system"
    prereg = preregistration.ensure(session, referral)
    staff = clinic.staff["frontdesk"]
    for drug, dose, last_dose in medications:
        prereg.medications.append(MedicationEntry(drug_code=drug, dose_class=dose, last_dose_on=last_dose))
    for item in (
        "contact_confirmed",
        "medication_settled",
        "allergies_settled",
        "conditions_settled",
        "escort_settled",
        "language_settled",
    ):
        setattr(prereg, f"{item}_by_id", staff.id)
        setattr(prereg, f"{item}_at", now)
    prereg.escort_name = "Maria Beispiel"
    prereg.escort_phone = "+49 40 555 0199"
    session.flush()
    return referral


def book(
    session: Session,
    settings,
    referral: Referral,
    candidate: Candidate | None = None,
    *,
    note: str | None = None,
    check_readiness: bool = True,
    allow_past: bool = False,
    **search,
) -> Appointment:
    """Book ``referral`` through the booking service, as the front desk does: at ``candidate``, or at the
    first chain the finder offers (``search`` as for ``first_candidates``: ``first_day``, ``days``, ...).
    ``check_readiness=False`` books without the clinic's readiness rules (``readiness=None``), for tests of
    the day that need an appointment whatever its pre-registration."""
    candidate = candidate or first_candidates(session, settings, referral, **search)[0]
    plan = ProcedurePlan.from_referral(referral)
    return booking.book(
        session,
        settings,
        None,
        referral=referral,
        plan=plan,
        candidate=candidate,
        note=note,
        readiness=assess if check_readiness else None,
        allow_past=allow_past,
    )


def hold(
    session: Session,
    settings,
    referral: Referral,
    candidate: Candidate | None = None,
    *,
    minutes: int | None = None,
    **search,
) -> BookingHold:
    """Hold a chain for ``referral`` through the holds service, as the front desk does while it calls the
    patient: ``candidate``, or the first chain the finder offers (``search`` as for ``book``)."""
    candidate = candidate or first_candidates(session, settings, referral, **search)[0]
    plan = ProcedurePlan.from_referral(referral)
    return appointments.hold(
        session, settings, None, referral=referral, plan=plan, candidate=candidate, minutes=minutes
    )


def sign_consent(
    session: Session,
    clinic: Clinic,
    appointment: Appointment,
    *,
    actor: User | None = None,
    explained_at: dt.datetime | None = None,
) -> None:
    """The consent form printed and signed now (the talk ``explained_at``, two days ago by default), with
    the first radiologist explaining and taking it; ``actor`` is who the audit names."""
    radiologist = clinic.radiologists[0]
    consents.print_consent(session, actor, appointment, ZONE)
    procedure_day.record_consent(
        session,
        actor,
        appointment,
        taken_by_id=radiologist.id,
        explained_by_id=radiologist.id,
        explained_at=explained_at or NOW - dt.timedelta(days=2),
        signed_at=NOW,
        zone=ZONE,
    )


def add_to_waitlist(session: Session, referral: Referral, earliest: dt.date = TODAY, **kw) -> WaitlistEntry:
    """A waitlist entry for a ready referral. Written as a row: the waitlist service (rightly) refuses an
    earliest date in the past, which tests of entries made days ago need."""
    entry = WaitlistEntry(
        patient_id=referral.patient_id,
        referral_id=referral.id,
        procedure_type_id=referral.planned_procedure_type_id,
        earliest_date=earliest,
        **kw,
    )
    session.add(entry)
    return entry


def record_details(record, **kw) -> procedure_records.RecordDetails:
    """What a radiologist writes into a procedure record: a medial branch block of 14 minutes at L4/5 left,
    pain 7 before and 2 after, no drugs; ``kw`` changes any of it."""
    details = dict(
        started_at=record.started_at,
        ended_at=record.started_at + dt.timedelta(minutes=14),
        levels="L4/5",
        side="left",
        approach="medial branch",
        guidance="CT",
        dlp_mgycm=Decimal("84.0"),
        complications=None,
        pain_before=7,
        pain_after=2,
        note=None,
        drugs=[],
    )
    details.update(kw)
    return procedure_records.RecordDetails(**details)
