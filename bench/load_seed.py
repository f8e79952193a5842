"""The load test's clinic: bench/generate.py's clinic (rooms, radiologists, beds, 8 booked weeks) with
three years of history behind it, and the records a history leaves on PostgreSQL: a closed referral,
a signed consent, a signed procedure record, two follow-ups and the audit trail of each past
appointment. Bulk SQL (INSERT … SELECT), never row by row through the ORM.
"""

from __future__ import annotations

import datetime as dt
import time

import generate
from sqlalchemy import text

YEARS = 3
# Audit events a past appointment left: booking, check-in, consent, start, end, discharge, the record
# opened twice.
AUDIT_PER_APPOINTMENT = 8

HISTORY_SQL = [
    # one closed referral per past appointment (the reference in the question pairs them up)
    """INSERT INTO referrals (patient_id, received_on, status, clinical_question, region, side, priority,
           treatments_tried, planned_procedure_type_id, planned_region, planned_side, planned_levels,
           created_at, updated_at)
       SELECT a.patient_id, (a.table_start - interval '30 days')::date, 'closed', 'History ' || a.reference,
           'lumbar', a.side, 'routine', 'nsaids,physiotherapy', a.procedure_type_id, 'lumbar', a.side, a.levels,
           a.table_start - interval '30 days', a.obs_end
       FROM appointments a WHERE a.reference LIKE 'H-%'""",
    """UPDATE appointments a SET referral_id = r.id FROM referrals r
       WHERE r.clinical_question = 'History ' || a.reference AND a.reference LIKE 'H-%'""",
    """INSERT INTO consents (appointment_id, document_text_id, pdf_sha256, printed_at, signed_at, taken_by_id,
           recorded_at)
       SELECT a.id, (SELECT min(id) FROM document_texts WHERE kind = 'consent'), md5(a.reference) || md5(a.reference),
           a.table_start - interval '1 day', a.table_start - interval '10 minutes', a.radiologist_id,
           a.table_start - interval '9 minutes'
       FROM appointments a WHERE a.reference LIKE 'H-%'""",
    """INSERT INTO procedure_records (appointment_id, started_at, ended_at, levels, side, guidance,
           pain_before, pain_after, signed_by_id, signed_at, created_by_id, created_at)
       SELECT a.id, a.table_start, a.table_end, a.levels, a.side, 'CT', 7, 3, a.radiologist_id, a.obs_end,
           a.radiologist_id, a.table_start
       FROM appointments a WHERE a.reference LIKE 'H-%'""",
    """INSERT INTO follow_ups (appointment_id, kind, due_on, status, pain_score, relief_percent, relief_category,
           recorded_at)
       SELECT a.id, k.kind, (a.table_start + k.after)::date, 'done', 4, 50, 'mild_to_moderate', a.table_start + k.after
       FROM appointments a
       CROSS JOIN (VALUES ('2w', interval '14 days'), ('3m', interval '90 days')) AS k(kind, after)
       WHERE a.reference LIKE 'H-%'""",
    f"""INSERT INTO audit_events (at, actor_id, actor_name, action, object_type, object_id, patient_id, summary)
       SELECT a.table_start + n * interval '5 minutes', a.radiologist_id, 'history', 'appointments.update',
           'appointments', a.id::text, a.patient_id, '{{"status": ["booked", "checked_in"]}}'
       FROM appointments a CROSS JOIN generate_series(1, {AUDIT_PER_APPOINTMENT}) AS n
       WHERE a.reference LIKE 'H-%'""",
]


def history_count(resources: generate.Resources, years: int = YEARS) -> int:
    """How many past appointments fill ``years`` of the rooms' sessions (the history packs them)."""
    per_week = sum(
        int((dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)) / generate.HISTORY_TABLE)
        for sessions in resources.sessions.values()
        for _weekday, start, end in sessions
    )
    return per_week * 52 * years


def seed(url: str, *, patients: int, ready_referrals: int) -> dict:
    """Builds the clinic at ``url`` (a new PostgreSQL database); returns what the load test needs."""
    from clinic.defaults import seed_texts
    from clinic.extensions import db
    from clinic.models import ProcedureType

    started = time.perf_counter()
    generate.create_database(url)
    app = generate.make_app(url)
    with app.app_context():
        clinic = generate.build(db.session, patients=patients, booking_referrals=ready_referrals)
        seed_texts(db.session, {pt.code: pt for pt in db.session.query(ProcedureType)})
        db.session.commit()
        count = history_count(clinic.resources)
        clinic.history.grow_to(db.engine, count)
        with db.engine.begin() as conn:
            for sql in HISTORY_SQL:
                conn.execute(text(sql))
        generate.analyze(db.engine)
        with db.engine.connect() as conn:
            rows = {
                table: conn.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("patients", "referrals", "appointments", "bookings", "consents", "audit_events")
            }
            history_referrals = list(
                conn.scalars(text("SELECT id FROM referrals WHERE status = 'closed' ORDER BY random() LIMIT 2000"))
            )
            future = list(
                conn.scalars(
                    text(
                        "SELECT id FROM appointments WHERE reference LIKE 'F-%' AND table_start < :until"
                        " ORDER BY random() LIMIT 2000"
                    ),
                    {"until": generate.NOW + dt.timedelta(days=14)},
                )
            )
            rooms = [room_id for room_id, modality in clinic.resources.rooms if modality == "CT"]
        db.engine.dispose()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
        "history_from": clinic.history.oldest.date().isoformat(),
        "ready_referrals": clinic.booking_referral_ids,
        "history_referrals": history_referrals,
        "appointments": future,
        "rooms": rooms,
        "radiologists": [f"rad{n}" for n in range(1, len(clinic.resources.radiologists) + 1)],
        "today": clinic.today.isoformat(),
    }
