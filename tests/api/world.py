"""A clinic with something in it: referrals at every stage and appointments in every state of the day.

Used by the schemathesis run (so that generated requests meet real records, not only 404s) and by the
contract tests. Built through the services, as the screens would build it; each call adds a new set.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlalchemy import func, select

from clinic.core.timefmt import day_bounds, local_instant
from clinic.models import Appointment, Patient, RedFlagAnswer, Referral
from clinic.models.vocab import RedFlag
from clinic.scheduling.finder import Candidate
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments, consents, daybook
from tests.conftest import NOW as NOW  # the test clock: Monday 07:00 in Berlin
from tests.factories import Clinic, make_ready_referral, make_referral
from tests.scheduling.helpers import first_candidates

ZONE = "Europe/Berlin"
LAST_FRIDAY = dt.date(2026, 11, 20)


_numbers = itertools.count(1)
FAMILY_NAMES = ("Becker", "Schulz", "Nowak", "Öztürk", "Dubois", "Jensen", "Rossi", "Kowalski")


def new_patient(session, **kw) -> Patient:
    """A patient with contact data and insurance, numbered apart from ``tests.factories`` (whose
    counter also sets birth dates: hundreds of patients here must not move other tests' patients
    into the future)."""
    n = next(_numbers)
    patient = Patient(
        clinic_number=f"A-{n:07d}",
        birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=(n * 53) % 15000),
        sex="female" if n % 2 else "male",
        phone="+49 40 555 0101",
        email=f"api-patient{n}@example.org",
        street="Hauptstraße 1",
        postal_code="20095",
        city="Hamburg",
        insurance_name="TK",
        insurance_number=f"T{n:09d}",
        preferred_language=kw.pop("preferred_language", "de"),
    )
    patient.set_names(f"{FAMILY_NAMES[n % len(FAMILY_NAMES)]}-{n}", "Maria" if n % 2 else "Jonas")
    session.add(patient)
    session.flush()
    return patient


def ready_referral(session, clinic: Clinic, **kw) -> Referral:
    return make_ready_referral(session, clinic, new_patient(session), **kw)


@dataclass
class World:
    clinic: Clinic
    ready: list[Referral] = field(default_factory=list)  # accepted, pre-registration complete, not booked
    received: Referral | None = None  # waiting for triage
    incomplete: Referral | None = None  # accepted, the escort not arranged yet
    appointments: dict[str, Appointment] = field(default_factory=dict)  # by state

    @property
    def referrals(self) -> list[Referral]:
        return [*self.ready, self.received, self.incomplete, *(a.referral for a in self.appointments.values())]

    @property
    def patient_ids(self) -> list[int]:
        return sorted({r.patient_id for r in self.referrals})

    @property
    def referral_ids(self) -> list[int]:
        return sorted({r.id for r in self.referrals})

    @property
    def appointment_ids(self) -> list[int]:
        return sorted(a.id for a in self.appointments.values())


def book(session, settings, referral: Referral, candidate: Candidate | None = None, **kw) -> Appointment:
    candidate = candidate or first_candidates(session, settings, referral, limit=1)[0]
    plan = ProcedurePlan.from_referral(referral)
    return appointments.book(session, settings, None, referral=referral, plan=plan, candidate=candidate, **kw)


def build_world(session, settings, clinic: Clinic, *, ready: int = 3) -> World:
    world = World(clinic)
    world.ready = [ready_referral(session, clinic) for _ in range(ready)]
    world.received = make_referral(session, new_patient(session, preferred_language="en"))
    world.received.red_flags.extend(RedFlagAnswer(code=flag.value, present=False) for flag in RedFlag)
    world.incomplete = ready_referral(session, clinic)
    world.incomplete.preregistration.escort_settled_at = None
    radiologist = clinic.radiologists[0]

    def booked() -> Appointment:
        return book(session, settings, ready_referral(session, clinic))

    def checked_in() -> Appointment:
        appointment = booked()
        daybook.check_in(session, None, appointment, at=NOW, zone=ZONE)
        return appointment

    def printed() -> Appointment:
        appointment = checked_in()
        consents.print_consent(session, None, appointment, ZONE)
        return appointment

    def consented() -> Appointment:
        appointment = printed()
        daybook.record_consent(
            session,
            None,
            appointment,
            taken_by_id=radiologist.id,
            explained_by_id=radiologist.id,
            explained_at=NOW - dt.timedelta(days=2),
            signed_at=NOW,
            zone=ZONE,
        )
        return appointment

    def in_procedure() -> Appointment:
        appointment = consented()
        daybook.start_procedure(session, None, appointment, at=NOW, zone=ZONE)
        return appointment

    def in_observation() -> Appointment:
        appointment = in_procedure()
        daybook.end_procedure(session, None, appointment, at=NOW)
        return appointment

    def cancelled() -> Appointment:
        appointment = booked()
        appointments.cancel(session, settings, None, appointment, "The patient is unwell")
        return appointment

    def past() -> Appointment:
        """Booked for last Friday and never checked in: a no-show to be."""
        referral = ready_referral(session, clinic)
        plan = ProcedurePlan.from_referral(referral)
        rooms = [room for room in clinic.rooms.values() if room.modality == "CT"]
        earlier = session.scalar(
            select(func.count(Appointment.id)).where(Appointment.table_start.between(*day_bounds(LAST_FRIDAY, ZONE)))
        )
        lane, row = earlier % len(rooms), earlier // len(rooms)
        start = local_instant(LAST_FRIDAY, dt.time(8), ZONE) + row * (plan.table_length + plan.observation_length)
        table_end = start + plan.table_length
        chain = Candidate(
            rooms[lane].id,
            clinic.radiologists[lane].id,
            clinic.beds[lane].id,
            start,
            table_end,
            table_end + plan.observation_length,
        )
        return book(session, settings, referral, chain, allow_past=True)

    for state, make in [
        ("booked", booked),
        ("checked_in", checked_in),
        ("printed", printed),  # checked in, consent form printed, not signed yet
        ("consented", consented),
        ("in_procedure", in_procedure),
        ("in_observation", in_observation),
        ("cancelled", cancelled),
        ("past", past),
    ]:
        world.appointments[state] = make()
    session.commit()
    return world
