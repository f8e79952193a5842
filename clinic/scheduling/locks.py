"""Row locks for the rules that span rows, where no constraint can hold them.

Two desks booking for one patient at once would each find the other's appointment not there yet (the
steroid interval, one appointment per referral). Locking the patient's row first makes the second wait
until the first transaction ends, then read what it wrote.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Patient


def lock_patient(session: Session, patient_id: int) -> None:
    """Lock the patient's row until the transaction ends (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
    write lock serialises the transactions anyway). Taken again in the same transaction, it costs one
    statement and never waits."""
    session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update())
