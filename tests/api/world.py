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
from clinic.services import appointments, consents, procedure_day
from tests.conftest import NOW, TODAY, ZONE
from tests.factories import Clinic, book, make_patient, make_ready_referral, make_referral, sign_consent

LAST_FRIDAY = TODAY - dt.timedelta(days=3)


_numbers = itertools.count(1)
FAMILY_NAMES = ("Becker", "Schulz", "Nowak", "Öztürk", "Dubois", "Jensen", "Rossi", "Kowalski")


def world_patient(session, **kw) -> Patient:
    """A patient of ``make_patient`` with one of the world's names, so that searches meet a mix of them."""
    n = next(_numbers)
    return make_patient(
        session,
        family_name=f"{FAMILY_NAMES[n % len(FAMILY_NAMES)]}-{n}",
        given_name="Maria" if n % 2 else "Jonas",
        sex="female" if n % 2 else "male",
        insurance_name="TK",
        **kw,
    )


def ready_referral(session, clinic: Clinic, **kw) -> Referral:
    return make_ready_referral(session, clinic, world_patient(session), **kw)


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


def build_world(session, settings, clinic: Clinic, *, ready: int = 3) -> World:
    world = World(clinic)
    world.ready = [ready_referral(session, clinic) for _ in range(ready)]
    world.received = make_referral(session, world_patient(session, preferred_language="en"))
    world.received.red_flags.extend(RedFlagAnswer(code=flag.value, present=False) for flag in RedFlag)
    world.incomplete = ready_referral(session, clinic, escort_name=None)

    def booked() -> Appointment:
        return book(session, settings, ready_referral(session, clinic), limit=1)

    def after(earlier, step):
        """An appointment one step on from ``earlier``'s state."""

        def make() -> Appointment:
            appointment = earlier()
            step(appointment)
            return appointment

        return make

    checked_in = after(booked, lambda a: procedure_day.check_in(session, None, a, at=NOW, zone=ZONE))
    printed = after(checked_in, lambda a: consents.print_consent(session, None, a, ZONE))
    consented = after(checked_in, lambda a: sign_consent(session, clinic, a))
    in_procedure = after(consented, lambda a: procedure_day.start_procedure(session, None, a, at=NOW, zone=ZONE))
    in_observation = after(in_procedure, lambda a: procedure_day.end_procedure(session, None, a, at=NOW))
    cancelled = after(booked, lambda a: appointments.cancel(session, settings, None, a, "The patient is unwell"))

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
