"""``flask seed-demo``: a believable demo clinic, built through the same services the app uses.

Three rooms, four radiologists, six beds, templates, rosters, holidays, the catalogue with texts and
hold rules, 150 patients with European names, referrals in every state, and weeks of past (documented)
and future (booked) appointments around today. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import demo_data as names
from . import demo_files
from .core.text import search_key
from .core.timefmt import local_instant, to_local
from .defaults import seed_defaults
from .models import (
    Appointment,
    AppointmentEvent,
    AuditEvent,
    Closure,
    DocumentText,
    DrugOption,
    FollowUp,
    MedicationEntry,
    ObservationBed,
    ObservationCheck,
    Patient,
    ProcedureDrug,
    ProcedureType,
    RedFlagAnswer,
    Referral,
    ReferringPhysician,
    Room,
    RoomSession,
    RosterEntry,
    RosterException,
    User,
    WaitlistEntry,
)
from .models.base import utcnow
from .models.vocab import (
    AppointmentStatus,
    FollowUpStatus,
    Priority,
    RedFlag,
    ReferralStatus,
    ReliefCategory,
    Role,
)
from .scheduling import ending
from .scheduling.context import Settings
from .scheduling.finder import Preferences, SearchRequest, find_candidates
from .scheduling.plan import ProcedurePlan
from .scheduling.steroid import MIN_INTERVAL_DAYS
from .services import accounts, appointments, medication, preregistration, procedure_day, uploads
from .services import settings as clinic_settings
from .services.candidates import candidates_for_referral
from .services.consents import print_consent
from .services.patients import new_clinic_number
from .services.storage import FileStore

DEMO_PASSWORD = "demo"
PAST_WORKDAYS = 25
FUTURE_WORKDAYS = 20
PER_PAST_DAY = 7
PER_FUTURE_DAY = 5
BUSY_DAY = 24  # the second workday ahead is a full one: as many more as fit, up to this many

# The demo logins (password "demo"): German screens, as the clinic works, and one front desk in English
# (README.md names it).
STAFF = [
    ("frontdesk", "Petra Möller", {Role.FRONT_DESK}, "de"),
    ("radiologist", "Dr. Anna Schäfer", {Role.RADIOLOGIST}, "de"),
    ("nurse", "Jörg Weiß", {Role.NURSE}, "de"),
    ("admin", "Sabine Krüger", {Role.ADMIN}, "de"),
    ("frontdesk_en", "Emma Clarke", {Role.FRONT_DESK}, "en"),
]
OTHER_RADIOLOGISTS = [
    ("lnowak", "Dr. Łukasz Nowak", ["PRT", "FACET", "EPI"], (0, 1, 2, 3), (8, 16)),
    ("mlefevre", "Dr. Marie Lefèvre", ["PRT", "FACET", "RFA"], (1, 2, 3, 4), (8, 13)),
    ("sdahl", "Dr. Søren Dahl", ["SYMP", "PRT", "EPI"], (0, 2, 4), (8, 16)),
]
# The rooms: name, modality, where to find it (German letters, English letters), the scanner's DICOM AE title.
DEMO_ROOMS = [
    ("CT 1", "CT", "Erdgeschoss, Flur B, Raum 0.14", "Ground floor, corridor B, room 0.14", "CT1"),
    ("CT 2", "CT", "Erdgeschoss, Flur B, Raum 0.16", "Ground floor, corridor B, room 0.16", "CT2"),
    ("MRT 1", "MRI", "Untergeschoss, Raum -1.03", "Basement, room -1.03", "MRT1"),
]
FIXED_HOLIDAYS = [
    ((1, 1), "Neujahr"),
    ((5, 1), "Tag der Arbeit"),
    ((10, 3), "Tag der Deutschen Einheit"),
    ((12, 24), "Heiligabend (Praxis geschlossen)"),
    ((12, 25), "1. Weihnachtstag"),
    ((12, 26), "2. Weihnachtstag"),
    ((12, 31), "Silvester (Praxis geschlossen)"),
]


def workdays(start: dt.date, count: int, step: int, closed: set[dt.date]) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5 and day not in closed:
            days.append(day)
        day += dt.timedelta(days=step)
    return days


class DemoBuilder:
    def __init__(self, session: Session, settings: Settings, seed: int = 2026, store=None, limits=None):
        self.s = session
        self.store = store
        self.limits = limits
        self.settings = settings
        self.zone = settings.zone
        self.rng = random.Random(seed)
        self.now = settings.now()
        self.today = to_local(self.now, self.zone).date()
        self.drugs_by_patient: dict[int, tuple[str, str] | None] = {}  # the same on each of a patient's referrals

    # --- the clinic ------------------------------------------------------------------------------

    def staff(self, catalogue: dict[str, ProcedureType]) -> list[User]:
        users = {}
        for username, full_name, roles, language in STAFF:
            users[username] = accounts.create_user(
                self.s, username, full_name, DEMO_PASSWORD, roles, demo=True, language=language
            )
        main = users["radiologist"]
        main.qualifications = list(catalogue.values())
        self.weekly(RosterEntry, range(5), dt.time(8), dt.time(16), radiologist=main)
        radiologists = [main]
        for username, full_name, codes, weekdays, (start, end) in OTHER_RADIOLOGISTS:
            user = accounts.create_user(
                self.s,
                username,
                full_name,
                accounts_random_password(self.rng),
                {Role.RADIOLOGIST},
                demo=True,
                language="de",
            )
            user.qualifications = [catalogue[c] for c in codes]
            self.weekly(RosterEntry, weekdays, dt.time(start), dt.time(end), radiologist=user)
            radiologists.append(user)
        self.s.flush()
        # A dated exception: Dr. Nowak is away next Tuesday.
        next_tuesday = self.today + dt.timedelta(days=(1 - self.today.weekday()) % 7 or 7)
        self.s.add(
            RosterException(radiologist_id=radiologists[1].id, on_date=next_tuesday, kind="off", note="Fortbildung")
        )
        return radiologists

    def weekly(self, model: type[RoomSession | RosterEntry], weekdays, opens: dt.time, closes: dt.time, **owner):
        """A weekly pattern of a room or radiologist (``owner``), in effect since a year ago."""
        for weekday in weekdays:
            self.s.add(
                model(
                    weekday=weekday,
                    start_time=opens,
                    end_time=closes,
                    valid_from=self.today - dt.timedelta(days=365),
                    **owner,
                )
            )

    def rooms_and_beds(self) -> None:
        ct1, ct2, mrt = rooms = [
            Room(
                name=name,
                modality=modality,
                unit="Radiologie",
                location_hint=where_de,
                location_hint_en=where_en,
                sort_order=n,
                ae_title=ae_title,
            )
            for n, (name, modality, where_de, where_en, ae_title) in enumerate(DEMO_ROOMS, start=1)
        ]
        self.s.add_all(rooms)
        self.weekly(RoomSession, range(5), dt.time(8), dt.time(16), room=ct1)
        self.weekly(RoomSession, range(5), dt.time(8), dt.time(12, 30), room=ct2)
        self.weekly(RoomSession, (0, 2), dt.time(13), dt.time(16), room=ct2)
        self.weekly(RoomSession, (1, 3), dt.time(8), dt.time(12), room=mrt)
        for n in range(1, 7):
            self.s.add(ObservationBed(label=f"Liege {n}", unit="Tagesklinik", sort_order=n))
        self.s.flush()

    def closures(self) -> set[dt.date]:
        closed = set()
        for year in (self.today.year - 1, self.today.year, self.today.year + 1):
            for (month, day), reason in FIXED_HOLIDAYS:
                date = dt.date(year, month, day)
                if self.today - dt.timedelta(days=70) <= date <= self.today + dt.timedelta(days=70):
                    self.s.add(
                        Closure(
                            scope="clinic",
                            starts_at=local_instant(date, dt.time(0), self.zone),
                            ends_at=local_instant(date + dt.timedelta(days=1), dt.time(0), self.zone),
                            reason=reason,
                        )
                    )
                    closed.add(date)
        maintenance = self.today + dt.timedelta(days=9)
        self.s.add(
            Closure(
                scope="room",
                room_id=self.s.scalar(select(Room.id).where(Room.name == "CT 2")),
                starts_at=local_instant(maintenance, dt.time(8), self.zone),
                ends_at=local_instant(maintenance, dt.time(12, 30), self.zone),
                reason="Wartung Röhre (Servicetechniker)",
            )
        )
        self.s.flush()
        return closed

    # --- people -----------------------------------------------------------------------------------

    def physicians(self) -> list[ReferringPhysician]:
        rows = [
            ReferringPhysician(
                name=n,
                practice=p,
                street=st,
                postal_code=pc,
                city=c,
                phone=f"+49 40 {self.rng.randint(200, 999)} {self.rng.randint(1000, 9999)}",
            )
            for n, p, st, pc, c in names.PHYSICIANS
        ]
        self.s.add_all(rows)
        self.s.flush()
        return rows

    def patients(self, count: int = 150) -> list[Patient]:
        rng, result = self.rng, []
        for _ in range(count):
            female = rng.random() < 0.55
            given = rng.choice(names.GIVEN_NAMES_F if female else names.GIVEN_NAMES_M)
            family = rng.choice(names.FAMILY_NAMES)
            postal, city = rng.choice(names.CITIES)
            born = dt.date(1938, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 62))
            patient = Patient(
                clinic_number=new_clinic_number(self.s),
                birth_date=born,
                sex="female" if female else "male",
                phone=f"+49 {rng.choice(['40', '151', '160', '171', '4101'])} {rng.randint(1000000, 9999999)}",
                email=f"{search_key(given).replace(' ', '')}.{search_key(family).replace(' ', '')}"
                f"{rng.randint(1, 99)}@example.org".replace("'", ""),
                street=f"{rng.choice(names.STREETS)} {rng.randint(1, 120)}",
                postal_code=postal,
                city=city,
                insurance_name=rng.choice(names.INSURERS),
                insurance_number=f"{rng.choice('ABHKMTW')}{rng.randint(10**8, 10**9 - 1)}",
                preferred_language="en" if rng.random() < 0.15 else "de",
            )
            patient.set_names(family, given)
            self.s.add(patient)
            self.s.flush()  # the clinic number must be taken before the next one is drawn
            result.append(patient)
        return result

    # --- referrals ----------------------------------------------------------------------------------

    def referral(
        self,
        patient: Patient,
        physicians,
        catalogue,
        radiologists,
        *,
        status: str,
        question=None,
        received: dt.date | None = None,
    ) -> Referral:
        rng = self.rng
        text, region, side, code, levels = question or rng.choice(names.QUESTIONS)
        received = received or self.today - dt.timedelta(days=rng.randint(3, 40))
        referral = Referral(
            patient_id=patient.id,
            referring_physician_id=rng.choice(physicians).id,
            received_on=received,
            clinical_question=text,
            region=region,
            side=side,
            symptom_duration_weeks=rng.choice([6, 8, 12, 26, 52]),
            treatments_tried=",".join(rng.sample(["nsaids", "physiotherapy", "opioids", "injections"], 2)),
            priority=Priority.ROUTINE,
            status=ReferralStatus.RECEIVED,
        )
        for flag in RedFlag:
            referral.red_flags.append(RedFlagAnswer(code=flag.value, present=False))
        self.s.add(referral)
        self.s.flush()
        preregistration.ensure(self.s, referral)
        if status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.INFO_REQUESTED):
            radiologist = rng.choice([r for r in radiologists if r.is_qualified_for(catalogue[code].id)])
            referral.triaged_by_id = radiologist.id
            referral.triaged_at = local_instant(
                min(received + dt.timedelta(days=2), self.today), dt.time(14), self.zone
            )
            referral.status = status
        if status == ReferralStatus.ACCEPTED:
            referral.planned_procedure_type_id = catalogue[code].id
            referral.planned_procedure_type = catalogue[code]
            referral.planned_region, referral.planned_side, referral.planned_levels = region, side, levels
            referral.planned_guidance = "CT"
            if code in ("FACET", "SYMP"):
                referral.planned_stage = "diagnostic"
            # The structured target a radiologist chooses at triage (printed on the consent form).
            referral.planned_target = {
                "FACET": "medial_branch",
                "SYMP": {"cervical": "stellate", "thoracic": "thoracic_chain"}.get(region, "lumbar_chain"),
                "EPI": "caudal" if region == "sacral" else "interlaminar",
            }.get(code)
            referral.triage_note = "Indikation anhand der MRT bestätigt."
        elif status == ReferralStatus.DECLINED:
            referral.decline_reason = (
                "Beschwerden und Bildgebung passen nicht zusammen; zunächst konservative Therapie."
            )
        elif status == ReferralStatus.INFO_REQUESTED:
            referral.info_request = "Bitte den aktuellen MRT-Befund und den Medikamentenplan schicken."
        self.s.flush()
        return referral

    def complete_preregistration(
        self, referral: Referral, clerk: User, radiologist: User, imaging: bool = False
    ) -> None:
        rng, prereg = self.rng, preregistration.ensure(self.s, referral)
        at = referral.triaged_at or self.now
        for item in preregistration.SETTLERS:
            setattr(prereg, f"{item}_by_id", clerk.id)
            setattr(prereg, f"{item}_at", at)
        # A patient's blood thinner is the patient's: the same on each of their referrals (a drug on one open
        # referral and not on another keeps the other's questionnaire open: services.preregistration).
        drugs = self.drugs_by_patient
        if referral.patient_id not in drugs:
            drugs[referral.patient_id] = (
                rng.choice(
                    [
                        ("aspirin", "secondary"),
                        ("clopidogrel", ""),
                        ("apixaban", ""),
                        ("rivaroxaban", ""),
                        ("ibuprofen", ""),
                        ("aspirin", "primary"),
                    ]
                )
                if rng.random() < 0.25
                else None
            )
        if drugs[referral.patient_id] is not None:
            drug, dose = drugs[referral.patient_id]
            prereg.medications.append(
                MedicationEntry(drug_code=drug, dose_class=dose, created_by_id=clerk.id, created_at=at)
            )
        prereg.allergy_contrast = rng.random() < 0.06
        prereg.allergy_latex = rng.random() < 0.03
        prereg.diabetes = rng.random() < 0.15
        prereg.implant = rng.random() < 0.05
        prereg.implant_note = "Herzschrittmacher" if prereg.implant else None
        prereg.kidney_disease = rng.random() < 0.05
        prereg.escort_name = rng.choice(["Ehemann", "Ehefrau", "Tochter", "Sohn", "Nachbarin", "Freund"])
        prereg.escort_phone = f"+49 171 {rng.randint(1000000, 9999999)}"
        # Uploaded imaging for part of the upcoming patients (every blob is fsynced: keep the demo quick).
        if self.store is None or not imaging or self.rng.random() < 0.5:
            referral.imaging_waived_by_id = radiologist.id
            referral.imaging_waived_at = at
            referral.imaging_waiver_reason = "Aktuelle MRT im Krankenhaus-PACS einsehbar"
        else:
            self.upload_imaging(referral, clerk)
        self.s.flush()

    def upload_imaging(self, referral: Referral, clerk: User) -> None:
        """A small MRI series and the written report, uploaded through the real upload service."""
        patient, rng = referral.patient, self.rng
        study_date = referral.received_on - dt.timedelta(days=rng.randint(7, 60))
        family, given = patient.family_name, patient.given_name
        if rng.random() < 0.04:  # now and then a CD of someone else: the screens flag it
            family = rng.choice(names.FAMILY_NAMES)
        files = [
            (f"IM{n:04d}", demo_files.dicom_slice(family, given, patient.birth_date, study_date, number=n))
            for n in range(1, 4)
        ]
        files.append(
            (
                "befund.pdf",
                demo_files.report_pdf(patient.full_name, patient.birth_date, study_date, referral.clinical_question),
            )
        )
        study = uploads.create_study(
            self.s,
            clerk,
            patient=patient,
            referral=referral,
            modality=None,
            body_region="Lendenwirbelsäule",
            facility="Radiologie am Markt",
        )
        uploads.add_files(self.s, clerk, self.store, self.limits, study=study, files=files)

    # --- appointments ---------------------------------------------------------------------------------

    def book_on(self, referral: Referral, day: dt.date, *, past: bool, spill_days: int = 3, part: str | None = None):
        plan = ProcedurePlan.from_referral(referral)
        part = part or self.rng.choice(["any", "morning", "afternoon"])
        if past:
            clock = Settings(zone=self.zone, clock=lambda: local_instant(day, dt.time(0), self.zone))
            found = find_candidates(
                self.s,
                clock,
                SearchRequest(plan, day, day, Preferences(part_of_day=part), patient_id=referral.patient_id, limit=1),
            )
            if not found:
                return None
            written_before = self.s.scalar(select(func.max(AuditEvent.id))) or 0
            appointment = appointments.book(
                self.s,
                self.settings,
                None,
                referral=referral,
                plan=plan,
                candidate=found[0],
                readiness=None,
                allow_past=True,
            )
            self.backdate_booking(appointment, referral, written_before)
            return appointment
        _ready, found = candidates_for_referral(
            self.s,
            self.settings,
            referral,
            first_day=day,
            last_day=day + dt.timedelta(days=spill_days),
            preferences=Preferences(part_of_day=part),
            limit=1,
        )
        if not found:
            return None
        return appointments.book(self.s, self.settings, None, referral=referral, plan=plan, candidate=found[0])

    def backdate_booking(self, appointment: Appointment, referral: Referral, written_before: int) -> None:
        """A day already begun was booked days before, not at the moment the demo is built (walk finding: today's
        history said "booked" after "checked in"): the booking's history, its audit rows (those after
        ``written_before``) and the appointment's stamps are dated a few days before the day, after the triage,
        and always an hour or more before the table time (check-in is at most 45 minutes before it)."""
        days_before = dt.timedelta(days=2 + appointment.id % 6)
        at = local_instant(to_local(appointment.table_start - days_before, self.zone).date(), dt.time(10), self.zone)
        if referral.triaged_at is not None:
            at = max(at, referral.triaged_at + dt.timedelta(hours=1))
        at = min(at, appointment.table_start - dt.timedelta(hours=1), self.now)
        # Statements, not attribute changes: the audit would otherwise record the redating as a change.
        self.s.execute(update(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id).values(at=at))
        self.s.execute(
            update(Appointment).where(Appointment.id == appointment.id).values(created_at=at, status_changed_at=at)
        )
        self.s.execute(update(AuditEvent).where(AuditEvent.id > written_before).values(at=at))
        self.s.expire(appointment)

    def date_texts_back(self) -> None:
        """The seeded information and consent texts were in use long before the demo's past appointments (walk 26:
        a consent printed weeks ago named a text version dated the moment the demo was built): a year back, each
        later version a day after the one before; their audit rows with them. Statements, not attribute changes:
        the audit would otherwise record the redating as a change."""
        base = local_instant(self.today - dt.timedelta(days=365), dt.time(9), self.zone)
        for text_id, version in self.s.execute(select(DocumentText.id, DocumentText.version)).all():
            at = base + dt.timedelta(days=version - 1)
            self.s.execute(update(DocumentText).where(DocumentText.id == text_id).values(created_at=at))
            self.s.execute(
                update(AuditEvent)
                .where(AuditEvent.object_type == "document_texts", AuditEvent.object_id == str(text_id))
                .values(at=at)
            )

    def settle_medication(self, appointment, radiologist: User) -> None:
        """What the team did before the needle: the last doses asked and recorded (a day more than each
        hold), and the patient's plan confirmed by the radiologist."""
        referral = appointment.referral
        prereg = referral.preregistration if referral is not None else None
        if prereg is None or not prereg.medications:
            return
        plan = medication.plan_for(self.s, prereg, appointment.procedure_type, appointment.region)
        day = to_local(appointment.table_start, self.zone).date()
        for entry, item in zip(prereg.medications, plan.items, strict=True):
            if item.holds and entry.last_dose_on is None:
                entry.last_dose_on = day - dt.timedelta(days=item.days + 1)
        if plan.awaiting_confirmation:
            medication.confirm_plan(self.s, radiologist, referral, self.zone)
        self.s.flush()

    def past(self, at: dt.datetime) -> dt.datetime:
        """``at``, or now if it is still to come."""
        return min(at, self.now)

    def document_day(self, appointment, nurse: User, drugs: dict[str, DrugOption], *, upto: AppointmentStatus):
        """Walk an appointment along the day's chain up to ``upto``, with the records a real day leaves."""
        rng, radiologist = self.rng, appointment.radiologist
        # Each step at its usual time, but never after the moment the demo is built: an appointment due in
        # half an hour was checked in a few minutes ago, not at a time still to come.
        arrival = self.past(appointment.table_start - dt.timedelta(minutes=rng.randint(15, 35)))
        procedure_day.check_in(self.s, nurse, appointment, at=arrival, zone=self.zone)
        if upto == AppointmentStatus.CHECKED_IN:
            return
        _pdf, printed = print_consent(self.s, radiologist, appointment, self.zone)
        printed.printed_at = arrival  # printed at the desk when the patient came (the demo builds the past)
        # The information talk came at the pre-registration visit, some days before.
        procedure_day.record_consent(
            self.s,
            radiologist,
            appointment,
            taken_by_id=radiologist.id,
            explained_by_id=radiologist.id,
            explained_at=appointment.table_start - dt.timedelta(days=rng.randint(2, 10)),
            signed_at=self.past(arrival + dt.timedelta(minutes=10)),
            zone=self.zone,
        )
        start = self.past(appointment.table_start + dt.timedelta(minutes=rng.choice([0, 0, 5, 10])))
        self.settle_medication(appointment, radiologist)
        record = procedure_day.start_procedure(self.s, radiologist, appointment, at=start, zone=self.zone)
        record.approach = {
            "PRT": "transforaminal",
            "FACET": "Ramus medialis",
            "EPI": "interlaminär",
            "SYMP": "dorsal paravertebral",
            "RFA": "dorsal, parallel",
        }.get(appointment.procedure_type.code)
        record.pain_before = rng.randint(5, 9)
        record.dlp_mgycm = Decimal(rng.randint(40, 260))
        code = appointment.procedure_type.code
        plan_drugs = {
            "PRT": [("Triamcinolone", 40), ("Ropivacaine", 2)],
            "FACET": [("Bupivacaine", 1)],
            "EPI": [("Triamcinolone", 40), ("Lidocaine", 3)],
            "SYMP": [("Bupivacaine", 8), ("Contrast", 2)],
            "RFA": [("Lidocaine", 2)],
        }[code]
        for name, dose in plan_drugs:
            record.drugs.append(ProcedureDrug(drug_option_id=drugs[name].id, dose=Decimal(dose), unit=drugs[name].unit))
        if upto == AppointmentStatus.IN_PROCEDURE:
            return
        end = self.past(start + dt.timedelta(minutes=appointment.table_minutes - rng.choice([0, 5])))
        observation = procedure_day.end_procedure(self.s, radiologist, appointment, at=end)
        record.pain_after = max(0, record.pain_before - rng.randint(2, 6))
        record.complications = "keine"
        record.signed_by_id, record.signed_at = radiologist.id, self.past(end + dt.timedelta(minutes=5))
        observation.checks.append(
            ObservationCheck(
                at=self.past(end + dt.timedelta(minutes=10)),
                systolic=rng.randint(110, 150),
                diastolic=rng.randint(65, 90),
                pulse=rng.randint(58, 92),
                pain_score=record.pain_after,
                motor_normal=True,
                sensory_normal=rng.random() < 0.8,
                by_user_id=nurse.id,
            )
        )
        if upto == AppointmentStatus.IN_OBSERVATION:
            return
        procedure_day.set_discharge_checklist(
            self.s, appointment, stable=True, can_walk=True, escort_present=True, instructions_given=True
        )
        # Home after the observation time planned from the actual end (the demo's patients stay their time).
        leaves = self.past(max(appointment.obs_end, observation.planned_end) + dt.timedelta(minutes=rng.randint(0, 10)))
        procedure_day.discharge(self.s, nurse, appointment, at=leaves)

    def outcomes(self, appointment, clerk: User) -> None:
        for follow_up in self.s.scalars(select(FollowUp).where(FollowUp.appointment_id == appointment.id)):
            if follow_up.due_on > self.today:
                continue
            if follow_up.due_on > self.today - dt.timedelta(days=4):
                follow_up.status, follow_up.on_call_list_at = FollowUpStatus.DUE, self.now
                continue
            relief = self.rng.choice([90, 80, 70, 60, 50, 40, 30, 10, 0])
            follow_up.status = FollowUpStatus.DONE
            follow_up.relief_percent = relief
            follow_up.relief_category = (
                ReliefCategory.COMPLETE_OR_SIGNIFICANT
                if relief >= 50
                else ReliefCategory.MILD_TO_MODERATE
                if relief >= 20
                else ReliefCategory.NONE
            )
            follow_up.pain_score = max(0, 8 - relief // 12)
            follow_up.recorded_by_id, follow_up.recorded_at = clerk.id, self.now


def accounts_random_password(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(24))


def seed(session: Session, settings: Settings, upload_dir: str | None = None) -> bool:
    """Build the demo clinic. Returns False (and changes nothing) when it is already there. With an
    upload folder, most patients get real uploaded imaging; without, imaging is waived."""
    if clinic_settings.get(session, "demo_data") or session.scalar(select(User.id).where(User.username == "frontdesk")):
        return False
    store = limits = None
    if upload_dir:
        from pathlib import Path

        store = FileStore(Path(upload_dir))
        limits = uploads.UploadLimits(max_file_bytes=10 * 2**20, max_request_bytes=50 * 2**20)
    b = DemoBuilder(session, settings, store=store, limits=limits)
    catalogue = seed_defaults(session)
    b.date_texts_back()
    radiologists = b.staff(catalogue)
    clerk = session.scalar(select(User).where(User.username == "frontdesk"))
    nurse = session.scalar(select(User).where(User.username == "nurse"))
    b.rooms_and_beds()
    closed = b.closures()
    physicians = b.physicians()
    patients = b.patients()
    drugs = {d.name: d for d in session.scalars(select(DrugOption))}
    rng = b.rng
    pool = list(patients)
    rng.shuffle(pool)

    # Referrals still on the radiologist's desk, some with red flags.
    for i, patient in enumerate(pool[:12]):
        referral = b.referral(
            patient,
            physicians,
            catalogue,
            radiologists,
            status=ReferralStatus.RECEIVED,
            received=b.today - dt.timedelta(days=1 + i),
        )
        if i < 3:
            flag = [RedFlag.TUMOUR, RedFlag.INFECTION, RedFlag.PROGRESSIVE_WEAKNESS][i]
            next(a for a in referral.red_flags if a.code == flag).present = True
            referral.priority = Priority.URGENT
    for patient in pool[12:17]:
        b.referral(patient, physicians, catalogue, radiologists, status=ReferralStatus.INFO_REQUESTED)
    for patient in pool[17:22]:
        b.referral(patient, physicians, catalogue, radiologists, status=ReferralStatus.DECLINED)
    # Accepted, pre-registration still open (each missing something different).
    for i, patient in enumerate(pool[22:34]):
        referral = b.referral(patient, physicians, catalogue, radiologists, status=ReferralStatus.ACCEPTED)
        if i % 2:
            b.complete_preregistration(referral, clerk, radiologists[0])
            prereg = referral.preregistration
            gap = ["escort", "medication", "allergies", "conditions", "language", "contact"][i % 6]
            column = f"{gap}_settled" if gap != "contact" else "contact_confirmed"
            setattr(prereg, f"{column}_at", None)
            setattr(prereg, f"{column}_by_id", None)  # an item not settled names nobody (walk 23: "Petra Möller, ")
            if gap == "escort":
                prereg.escort_name = None

    ready_pool = pool[34:]
    past_days = workdays(b.today - dt.timedelta(days=1), PAST_WORKDAYS, -1, closed)
    future_days = workdays(b.today + dt.timedelta(days=1), FUTURE_WORKDAYS, 1, closed)
    cursor = 0
    # The local days each patient is booked on: a patient comes back for another referral only a week or
    # more from the others, so the demo never asks for two steroid injections less than a week apart
    # (booking refuses them, and the finder offers no time on those days: the day would stay empty).
    booked_days: dict[int, list[dt.date]] = {}

    def next_ready(day: dt.date | None = None, question=None, imaging=False, received: dt.date | None = None):
        nonlocal cursor
        for _ in range(len(ready_pool)):
            patient = ready_pool[cursor % len(ready_pool)]
            cursor += 1
            if day is None or all(abs((day - d).days) >= MIN_INTERVAL_DAYS for d in booked_days.get(patient.id, ())):
                break
        referral = b.referral(
            patient,
            physicians,
            catalogue,
            radiologists,
            status=ReferralStatus.ACCEPTED,
            question=question,
            received=received,
        )
        b.complete_preregistration(referral, clerk, radiologists[0], imaging=imaging)
        return referral

    def noted(appointment):
        if appointment is not None:
            day = to_local(appointment.table_start, b.zone).date()
            booked_days.setdefault(appointment.patient_id, []).append(day)
        return appointment

    for day in sorted(past_days):
        for _ in range(PER_PAST_DAY):
            # Received and accepted (two days later) weeks before its day: walk 26 found referral 48 accepted
            # after its procedure (the day of receipt was set back after the triage was dated from it).
            referral = next_ready(day, received=day - dt.timedelta(days=rng.randint(10, 30)))
            appointment = noted(b.book_on(referral, day, past=True))
            if appointment is None:
                continue
            roll = rng.random()
            if roll < 0.06:
                appointments.cancel(
                    session, settings, clerk, appointment, "Patient hat angerufen: fühlt sich nicht wohl genug"
                )
                # The call came a day or a few before the appointment, not on the day the demo is built.
                called = appointment.table_start - dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 5))
                appointment.status_changed_at = appointment.events[-1].at = called
            elif roll < 0.12:
                ending.mark_no_show(session, settings, None, appointment)
            else:
                b.document_day(appointment, nurse, drugs, upto=AppointmentStatus.DISCHARGED)
                b.outcomes(appointment, clerk)

    # Today: the day's list in every state, depending on the clock.
    if b.today.weekday() < 5 and b.today not in closed:
        for _ in range(8):
            appointment = noted(b.book_on(next_ready(b.today), b.today, past=True))
            if appointment is None:
                continue
            ends = appointment.obs_end
            if ends < b.now - dt.timedelta(minutes=15):
                b.document_day(appointment, nurse, drugs, upto=AppointmentStatus.DISCHARGED)
            elif appointment.table_end <= b.now:
                b.document_day(appointment, nurse, drugs, upto=AppointmentStatus.IN_OBSERVATION)
            elif appointment.table_start <= b.now:
                b.document_day(appointment, nurse, drugs, upto=AppointmentStatus.IN_PROCEDURE)
            elif appointment.table_start <= b.now + dt.timedelta(minutes=45):
                b.document_day(appointment, nurse, drugs, upto=AppointmentStatus.CHECKED_IN)

    for day in future_days:
        for _ in range(PER_FUTURE_DAY):
            noted(b.book_on(next_ready(day, imaging=True), day, past=False))
    # A busy day, as a clinic has them: the calendar, the worklist and the observation board full.
    busy, booked, misses = future_days[1], 0, 0
    while booked < BUSY_DAY and misses < 10:
        # A miss (the day is full for that procedure, or a drug's hold reaches past it) waits on the
        # front desk's list, ready to book.
        if noted(b.book_on(next_ready(busy, imaging=True), busy, past=False, spill_days=0, part="any")) is None:
            misses += 1
        else:
            booked += 1

    # Patients ready to book who would take an earlier date.
    for _ in range(5):
        referral = next_ready(imaging=True)
        session.add(
            WaitlistEntry(
                patient_id=referral.patient_id,
                referral_id=referral.id,
                procedure_type_id=referral.planned_procedure_type_id,
                earliest_date=b.today,
                latest_date=b.today + dt.timedelta(days=28),
                part_of_day=rng.choice(["any", "morning", "afternoon"]),
                note="Kann kurzfristig kommen",
                created_by_id=clerk.id,
                created_at=utcnow(),
            )
        )
    clinic_settings.put(session, "demo_data", "1")
    session.flush()
    return True
