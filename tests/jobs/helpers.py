"""Booking appointments for the job tests, through the same services the front desk uses."""

from __future__ import annotations

import datetime as dt

from tests.factories import book, make_patient, make_ready_referral


def book_on(session, settings, clinic, day: dt.date, *, patient=None, medications=(), **patient_fields):
    """The earliest appointment on ``day`` for a new ready referral (patient fields as for make_patient)."""
    patient = patient or make_patient(session, **patient_fields)
    referral = make_ready_referral(session, clinic, patient, medications=list(medications))
    return book(session, settings, referral, first_day=day, days=0, limit=1)
