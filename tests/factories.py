"""Factories for tests: a small clinic, patients, referrals ready to book, and their appointments.

Built through the same models and services the app uses; a test names only what it cares about. Each kind
of record is built here one way: ``make_patient``, ``make_referral`` (as intake records it), triage through
the triage service (``accept_referral``, ``waive_imaging``), the pre-registration through its items' services
(``complete_preregistration``), ``make_ready_referral`` (all three), ``book`` and ``hold`` (through the booking
services) and ``sign_consent``. Each service acts as the staff member who would: the first radiologist for
triage, the front desk for the checklist. The clock is conftest's ``NOW`` and ``TODAY``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from clinic.core import audit
from clinic.defaults import seed_catalogue, seed_drug_options, seed_hold_rules, seed_texts
from clinic.models import (
    Appointment,
    BookingHold,
    ObservationBed,
    Patient,
    PreRegistration,
    ProcedureType,
    Referral,
    Room,
    RoomSession,
    RosterEntry,
    User,
    WaitlistEntry,
)
from clinic.models.vocab import Language, Priority, ReferralStatus, Role
from clinic.scheduling import booking
from clinic.scheduling.finder import Candidate
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import (
    accounts,
    appointments,
    consents,
    prereg_items,
    preregistration,
    procedure_day,
    procedure_records,
    triage,
)
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
        # A leading zero: the app draws its numbers from P-100000 to P-999999 (patients.new_clinic_number),
        # so a patient a test creates through the app never takes the number of one made here.
        clinic_number=kw.pop("clinic_number", f"P-0{n:05d}"),
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
    """A referral as intake records it: received, waiting for triage (``kw`` sets any other column)."""
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


@contextmanager
def acting_as(session: Session, user: User | None):
    """``user`` is the session's acting user for a while, as the request boundary makes the logged-in user
    for a screen: the audit rows written on flush name them. The acting user before is restored."""
    before = session.info.get(audit.ACTOR_KEY)
    session.info[audit.ACTOR_KEY] = audit.actor_of(user)
    try:
        yield user
    finally:
        if before is None:
            session.info.pop(audit.ACTOR_KEY, None)
        else:
            session.info[audit.ACTOR_KEY] = before


# The target a procedure with a choice of target is usually aimed at; triage needs one (``triage.accept``).
USUAL_TARGETS = {"FACET": "medial_branch", "EPI": "interlaminar", "SYMP": "lumbar_chain"}
# A level of the plan's region, unless the test names the levels (triage refuses levels outside the region).
USUAL_LEVELS = {"cervical": "C5/6", "thoracic": "Th8/9", "lumbar": "L4/5", "sacral": "L5/S1"}
USUAL = "the region's usual level"
# What ``accept_referral`` takes of ``make_ready_referral``'s keywords: the plan.
PLAN_KEYWORDS = ("code", "region", "side", "levels", "stage", "target", "guidance")
IMAGING_WAIVER = "Recent MRI seen in the hospital system"


def accept_referral(
    session: Session,
    clinic: Clinic,
    referral: Referral,
    *,
    code: str = "PRT",
    region: str = "lumbar",
    side: str | None = "left",
    levels: str | None = USUAL,
    stage: str | None = None,
    target: str | None = None,
    guidance: str | None = None,
    priority: str = Priority.ROUTINE,
    note: str | None = None,
    radiologist: User | None = None,
) -> Referral:
    """Triage: a radiologist (the first, unless ``radiologist``) accepts ``referral`` with this plan, through
    the triage service. A procedure with a choice of target gets its usual one (``USUAL_TARGETS``) unless the
    test names another; ``guidance`` left out is the procedure's own modality, as the service sets it."""
    radiologist = radiologist or clinic.radiologists[0]
    if levels is USUAL:
        levels = USUAL_LEVELS.get(region, "L4/5")
    plan = triage.PlanDetails(
        procedure_type_id=clinic.pt(code).id,
        region=region,
        side=side,
        levels=levels,
        stage=stage,
        guidance=guidance,
        priority=priority,
        note=note,
        target=target or USUAL_TARGETS.get(code),
    )
    with acting_as(session, radiologist):
        return triage.accept(session, radiologist, referral, plan)


def waive_imaging(
    session: Session,
    clinic: Clinic,
    referral: Referral,
    *,
    reason: str = IMAGING_WAIVER,
    radiologist: User | None = None,
) -> None:
    """The prior-imaging item settled by a radiologist's waiver (the first radiologist unless ``radiologist``),
    through the triage service, which audits it."""
    radiologist = radiologist or clinic.radiologists[0]
    with acting_as(session, radiologist):
        triage.waive_imaging(session, radiologist, referral, reason)


def complete_preregistration(
    session: Session,
    clinic: Clinic,
    referral: Referral,
    *,
    medications: Iterable[tuple[str, str, dt.date | None]] = (),
    raised_bleeding_risk: bool = False,
    allergies: Iterable[str] = (),
    allergy_other: str | None = None,
    conditions: Iterable[str] = (),
    implant_note: str | None = None,
    escort_name: str | None = "Maria Beispiel",
    escort_phone: str | None = "+49 40 555 0199",
    staff: User | None = None,
) -> PreRegistration:
    """The front desk (``staff``, the clinic's front desk by default) goes through the pre-registration
    checklist with the patient, each item through its service: contact checked, the medicines (drug code,
    dose class, last dose) and the questionnaire settled, allergies and conditions asked (none unless named),
    the escort home, the language for printed sheets (the patient's own). ``escort_name=None`` leaves the
    escort not arranged: the one item a test most often needs open."""
    staff = staff or clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.confirm_contact(session, staff, referral)
        for drug_code, dose_class, last_dose_on in medications:
            prereg_items.add_medication(
                session, staff, referral, drug_code=drug_code, dose_class=dose_class, last_dose_on=last_dose_on
            )
        prereg_items.settle_medication(session, staff, referral, raised_bleeding_risk=raised_bleeding_risk)
        prereg_items.set_allergies(session, staff, referral, found=set(allergies), other=allergy_other)
        prereg_items.set_conditions(
            session, staff, referral, found=set(conditions), implant_note=implant_note, note=None
        )
        if escort_name is not None:
            prereg_items.set_escort(session, staff, referral, name=escort_name, phone=escort_phone)
        prereg_items.set_language(session, staff, referral, language=referral.patient.preferred_language)
    return referral.preregistration


def make_ready_referral(
    session: Session,
    clinic: Clinic,
    patient: Patient | None = None,
    *,
    imaging_waiver: str | None = IMAGING_WAIVER,
    **kw,
) -> Referral:
    """A referral ready to book, made so by the services: accepted by the first radiologist
    (``accept_referral``, which takes the plan's keywords: ``code``, ``region``, ``side``, ``levels``,
    ``stage``, ``target``, ``guidance``), prior imaging waived (``imaging_waiver=None``: not waived, the item
    stays open until files are uploaded) and the pre-registration complete (``complete_preregistration``,
    which takes the rest: ``medications``, ``allergies``, ``conditions``, ``escort_name``, ...)."""
    plan = {key: kw.pop(key) for key in PLAN_KEYWORDS if key in kw}
    referral = make_referral(session, patient)
    accept_referral(session, clinic, referral, **plan)
    if imaging_waiver is not None:
        waive_imaging(session, clinic, referral, reason=imaging_waiver)
    complete_preregistration(session, clinic, referral, **kw)
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
        complications="none",
        pain_before=7,
        pain_after=2,
        note=None,
        drugs=[],
    )
    details.update(kw)
    return procedure_records.RecordDetails(**details)


# --- logged in on a screen (the ``browser`` fixture of tests.conftest) --------------------------------


def at_triage(session: Session, browser, clinic: Clinic | None = None) -> tuple[Clinic, Referral, str]:
    """A referral received on 20.11.2026 on the triage page of a radiologist logged in (``rad1``): the clinic
    (built here unless the test has one), the referral and the page's path."""
    if clinic is None:
        clinic = build_clinic(session)
    referral = make_referral(session, received_on=dt.date(2026, 11, 20))
    session.commit()
    browser.login("rad1")
    return clinic, referral, f"/radiology/referrals/{referral.id}"


def at_front_desk(session: Session, browser) -> tuple[Clinic, Referral]:
    """A clinic with one referral ready to book (``make_ready_referral``), the front desk logged in."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    return clinic, referral


def german_desk(session: Session, browser, full_name: str = "Petra Schäfer") -> User:
    """A front desk account whose screens are in German (``desk_de``), logged in."""
    user = make_user(session, "desk_de", {Role.FRONT_DESK}, full_name, language="de")
    session.commit()
    browser.login("desk_de")
    return user
