"""Booking appointments for the job tests, through the same services the front desk uses."""

from __future__ import annotations

import datetime as dt

from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments
from tests.factories import make_patient, make_ready_referral
from tests.scheduling.helpers import first_candidates


def book_on(session, settings, clinic, day: dt.date, *, patient=None, medications=(), **patient_fields):
    """The earliest appointment on ``day`` for a new ready referral (patient fields as for make_patient)."""
    patient = patient or make_patient(session, **patient_fields)
    referral = make_ready_referral(session, clinic, patient, medications=list(medications))
    (candidate,) = first_candidates(session, settings, referral, first_day=day, days=0, limit=1)
    return appointments.book(
        session,
        settings,
        None,
        referral=referral,
        plan=ProcedurePlan.from_referral(referral),
        candidate=candidate,
    )
