"""A patient whose booked bed is still taken moves to a free bed, with the same guards as booking
(issue 21 item 3): nobody on the bed, no overlapping active bed booking, the exclusion constraint last."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clinic.core.errors import Conflict, DomainError
from clinic.models import AuditEvent, Booking
from clinic.services import procedure_day
from tests.conftest import ZONE
from tests.radiology.day_helpers import START, crowded


def test_a_patient_whose_bed_is_taken_moves_to_a_free_bed(session, settings, backend):
    clinic, _, b, c = crowded(session, settings)
    bed1, bed2, bed3 = clinic.beds[:3]
    at = START + dt.timedelta(minutes=50)
    free = procedure_day.free_beds(session, b, at)
    assert bed1 not in free and bed3 not in free and bed2 in free  # A lies on 1; C is booked on 3
    with pytest.raises(Conflict, match="Bed 1 is not free"):
        procedure_day.move_to_bed(session, None, b, bed1.id, at=at, zone=ZONE)
    with pytest.raises(Conflict, match=r"Bed 3 is not free for this stay \(until 10:20\)"):
        procedure_day.move_to_bed(session, None, b, bed3.id, at=at, zone=ZONE)
    procedure_day.move_to_bed(session, clinic.staff["nurse"], b, bed2.id, at=at, zone=ZONE)
    session.commit()
    assert b.bed_id == bed2.id and procedure_day.observation_of(session, b).bed_id == bed2.id
    beds = session.execute(
        select(Booking.bed_id, Booking.starts_at, Booking.ends_at, Booking.active).where(
            Booking.appointment_id == b.id, Booking.bed_id.is_not(None)
        )
    ).all()
    assert sorted(beds, key=lambda r: r.active) == [
        (bed1.id, at, at + dt.timedelta(minutes=30), False),
        (bed2.id, at, at + dt.timedelta(minutes=30), True),
    ]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "observation.bed_moved"))
    assert event.patient_id == b.patient_id and "Bed 2" in event.summary
    with pytest.raises(DomainError, match="Only a patient in observation"):
        procedure_day.move_to_bed(session, None, c, bed2.id, at=at, zone=ZONE)
    if backend == "postgresql":  # the constraint still guards the moved booking
        session.add(Booking(appointment_id=c.id, bed_id=bed2.id, starts_at=at, ends_at=at + dt.timedelta(minutes=10)))
        with pytest.raises(IntegrityError, match="ex_bookings_bed_overlap"):
            session.flush()
        session.rollback()
