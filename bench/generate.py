"""The benchmark clinic: 3 rooms, 4 radiologists and 6 beds, the next 8 weeks booked to about 85%, and
as many past appointments as asked for.

    python bench/generate.py --url sqlite:////tmp/clinic-bench.db --history 100000

The clinic, its staff and the referrals to book are made through the app's own factories and services.
Patients, the 8 booked weeks and the history are inserted in bulk with SQLAlchemy Core (COPY on
PostgreSQL), never through the ORM row by row. The history is added in steps (``History.extend``), so
that a benchmark can measure at 1k, then add 9k and measure at 10k, and so on.

History is realistic where the finder can tell: every past appointment is discharged and keeps its four
*active* bookings (room, radiologist, patient, bed), exactly as the procedure_day leaves them, so the partial
``WHERE active`` indexes hold all of them and only the ``starts_at`` range keeps them out of a search.
Past appointments are 20-minute PRTs packed back to back inside the session hours; with 3 rooms a
million of them reach back about 70 years (the clinic's sessions are made valid that far back).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import heapq
import io
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", str(Path(tempfile.gettempdir()) / "clinic-bench-instance"))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("CLINIC_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")

from sqlalchemy import create_engine, func, select, text, update  # noqa: E402
from sqlalchemy.engine import Connection, make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

ZONE = "Europe/Berlin"
# Monday 23 November 2026, 07:00 in Berlin, the tests' clock: the 8 booked weeks start today.
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
FUTURE_DAYS = 56
UTILISATION = 0.85
PATIENTS = 50_000
SESSIONS_VALID_FROM = dt.date(1900, 1, 1)
HISTORY_TABLE = dt.timedelta(minutes=20)
HISTORY_OBSERVATION = dt.timedelta(minutes=30)
BATCH = 50_000
REBUILD_FROM = 50_000  # steps smaller than this update the indexes as they go
FIVE_MINUTES = dt.timedelta(minutes=5)

# What the 8 booked weeks are made of: (code, side, levels, stage, weight).
FUTURE_MIX = [
    ("PRT", "left", "L4/5", None, 4),
    ("PRT", "bilateral", "L5/S1", None, 1),
    ("FACET", "right", "L4/5", "diagnostic", 3),
    ("RFA", "left", "L4/5", None, 1),
    ("SYMP", "left", None, "diagnostic", 1),
]
GAPS_MINUTES = (5, 10, 15, 20, 25, 30, 40)

FAMILY_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann"]
FAMILY_NAMES += ["Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann"]
GIVEN_NAMES = ["Jürgen", "Anna", "Łukasz", "Zoë", "Søren", "Maria", "Peter", "Elif", "Hans", "Renée", "Jörg", "Ute"]


# --- databases ------------------------------------------------------------------------------------------


def is_postgres_url(url: str) -> bool:
    return url.startswith("postgresql")


def _admin_engine(url: str, admin_url: str | None):
    """A connection to the server of ``url`` that is not inside the database being created or dropped."""
    return create_engine(admin_url or make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(url: str, admin_url: str | None = None) -> None:
    """An empty database at ``url``: a new PostgreSQL database (dropped first if it exists), or a new
    SQLite file. The schema comes from the migrations, as in production and in the tests."""
    if is_postgres_url(url):
        name = make_url(url).database
        admin = _admin_engine(url, admin_url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    else:
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    from flask_migrate import upgrade

    from clinic.extensions import db

    app = make_app(url)
    chatter = io.StringIO()  # alembic logs each migration to stderr; shown only if something fails
    try:
        with app.app_context(), contextlib.redirect_stderr(chatter):
            upgrade()
            db.engine.dispose()
    except Exception:
        sys.stderr.write(chatter.getvalue())
        raise


def drop_database(url: str, admin_url: str | None = None) -> None:
    if is_postgres_url(url):
        name = make_url(url).database
        admin = _admin_engine(url, admin_url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def bench_pg_url(admin_url: str) -> str:
    """A fresh database name on the server of ``admin_url``, so that runs never meet each other."""
    return (
        make_url(admin_url)
        .set(drivername="postgresql+psycopg", database=f"clinic_bench_{uuid.uuid4().hex[:8]}")
        .render_as_string(hide_password=False)
    )


def make_app(url: str, pool_size: int = 5):
    from clinic import create_app

    options = {"pool_pre_ping": True}
    if is_postgres_url(url):
        options.update(pool_size=pool_size, max_overflow=10)
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": options})


def settings():
    from clinic.scheduling.context import Settings

    return Settings(zone=ZONE, clock=lambda: NOW)


def stamper(dialect) -> Callable[[dt.datetime], object]:
    """Instants as the database stores them. The bulk paths skip SQLAlchemy's per-value type processing
    (most of the time on SQLite), so they format as ``UTCDateTime`` does, and check that they agree."""
    from clinic.models import Booking

    if dialect.name == "postgresql":
        return lambda value: value

    def stamp(value: dt.datetime) -> str:
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    sample = dt.datetime(1954, 3, 28, 1, 5, tzinfo=dt.UTC)
    expected = Booking.__table__.c.starts_at.type._cached_bind_processor(dialect)(sample)
    if stamp(sample) != expected:
        raise RuntimeError(f"SQLite stores instants as {expected!r}, the bulk insert would write {stamp(sample)!r}")
    return stamp


def bulk_insert(conn: Connection, table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Many rows at once, already in storage form (``stamper``): COPY on PostgreSQL, batched
    executemany on SQLite."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for first in range(0, len(rows), BATCH):
        conn.exec_driver_sql(sql, list(rows[first : first + BATCH]))


def _sync_sequence(conn: Connection, table) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))")
        )


def analyze(engine) -> None:
    """PostgreSQL's autovacuum would analyse the new rows soon after; the benchmark does not wait for it.
    SQLite is left as the app leaves it (no ANALYZE)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


# --- the clinic -----------------------------------------------------------------------------------------


@dataclass
class Resources:
    rooms: list[tuple[int, str]]  # (id, modality), in the clinic's order
    radiologists: list[int]
    beds: list[int]
    sessions: dict[int, list[tuple[int, dt.time, dt.time]]]  # room id → (weekday, start, end)
    procedures: dict[str, int]  # code → procedure type id


@dataclass
class BenchClinic:
    resources: Resources
    patient_ids: list[int]
    finder_referral_id: int
    booking_referral_ids: list[int]
    future_appointments: int
    utilisation: float
    history: History = field(repr=False)

    @property
    def today(self) -> dt.date:
        return to_local_date(NOW)


def to_local_date(instant: dt.datetime) -> dt.date:
    from clinic.core.timefmt import to_local

    return to_local(instant, ZONE).date()


def _resources(session: Session, clinic) -> Resources:
    from clinic.models import RoomSession

    rooms = sorted(clinic.rooms.values(), key=lambda r: (r.sort_order, r.id))
    sessions: dict[int, list] = {room.id: [] for room in rooms}
    for row in session.execute(
        select(RoomSession.room_id, RoomSession.weekday, RoomSession.start_time, RoomSession.end_time)
    ):
        sessions[row.room_id].append((row.weekday, row.start_time, row.end_time))
    return Resources(
        rooms=[(room.id, room.modality) for room in rooms],
        radiologists=[user.id for user in clinic.radiologists],
        beds=[bed.id for bed in sorted(clinic.beds, key=lambda b: (b.sort_order, b.id))],
        sessions=sessions,
        procedures={code: pt.id for code, pt in clinic.procedures.items()},
    )


def build(session: Session, *, patients: int = PATIENTS, booking_referrals: int = 0, seed: int = 1) -> BenchClinic:
    """The clinic with its 8 booked weeks, no history yet. Commits."""
    from clinic.models import Patient, RoomSession, RosterEntry
    from tests.factories import build_clinic, make_ready_referral

    clinic = build_clinic(session)  # 2 CT rooms and an MRT, 4 radiologists, 6 beds, 08:00-16:00
    session.execute(update(RoomSession).values(valid_from=SESSIONS_VALID_FROM))
    session.execute(update(RosterEntry).values(valid_from=SESSIONS_VALID_FROM))
    resources = _resources(session, clinic)
    session.commit()

    conn = session.connection()
    patient_ids = _insert_patients(conn, patients)
    future, utilisation = plan_future(resources, _future_kinds(clinic), patient_ids[-FUTURE_DAYS * 100 :], seed)
    _insert_appointments(conn, future)
    session.commit()

    # The finder's patient has years of history (patient_ids[0] gets every 50 000th past slot) and
    # nothing in the booked weeks.
    finder_referral_id = make_ready_referral(session, clinic, session.get(Patient, patient_ids[0])).id
    booking_referral_ids = [
        make_ready_referral(session, clinic, session.get(Patient, pid)).id
        for pid in patient_ids[1 : 1 + booking_referrals]
    ]
    session.commit()
    session.close()  # nothing may start a new transaction here: on SQLite it would hold the write lock
    return BenchClinic(
        resources=resources,
        patient_ids=patient_ids,
        finder_referral_id=finder_referral_id,
        booking_referral_ids=booking_referral_ids,
        future_appointments=len(future),
        utilisation=utilisation,
        history=History(resources, patient_ids),
    )


def _insert_patients(conn: Connection, count: int) -> list[int]:
    from clinic.core.text import search_key
    from clinic.models import Patient

    table = Patient.__table__
    columns = [
        "clinic_number",
        "family_name",
        "given_name",
        "family_key",
        "given_key",
        "birth_date",
        "sex",
        "phone",
        "email",
        "street",
        "postal_code",
        "city",
        "country",
        "insurance_name",
        "insurance_number",
        "preferred_language",
        "created_at",
        "updated_at",
    ]
    first_birth = dt.date(1935, 1, 1)
    stamp = stamper(conn.dialect)
    now = stamp(NOW)
    sqlite = conn.dialect.name == "sqlite"
    rows = []
    for n in range(count):
        family = f"{FAMILY_NAMES[n % len(FAMILY_NAMES)]}-{n}"
        birth = first_birth + dt.timedelta(days=(n * 7919) % 25_000)
        given = GIVEN_NAMES[n % len(GIVEN_NAMES)]
        rows.append(
            (
                f"B-{n:07d}",
                family,
                given,
                search_key(family),
                search_key(given),
                birth.isoformat() if sqlite else birth,
                ("female", "male")[n % 2],
                "+49 40 555 0101",
                f"patient{n}@example.org",
                "Hauptstraße 1",
                "20095",
                "Hamburg",
                "DE",
                "AOK",
                f"A{n:09d}",
                "de",
                now,
                now,
            )
        )
    bulk_insert(conn, table, columns, rows)
    return list(conn.scalars(select(table.c.id).where(table.c.clinic_number.like("B-%")).order_by(table.c.id)))


@dataclass(frozen=True, slots=True)
class PlannedAppointment:
    reference: str
    patient_id: int
    procedure_type_id: int
    side: str | None
    levels: str | None
    stage: str | None
    guidance: str
    room_id: int
    radiologist_id: int
    bed_id: int
    table_start: dt.datetime
    table_end: dt.datetime
    obs_end: dt.datetime
    status: str


def _free(busy: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime) -> bool:
    return all(not (s < end and start < e) for s, e in busy)


def _future_kinds(clinic) -> list[tuple]:
    """FUTURE_MIX with the catalogue's table and observation times, each kind repeated by its weight."""
    from clinic.models.referrals import level_count

    kinds = []
    for code, side, levels, stage, weight in FUTURE_MIX:
        pt = clinic.procedures[code]
        table = dt.timedelta(minutes=pt.table_minutes_for(level_count(levels), side))
        observation = dt.timedelta(minutes=pt.observation_minutes)
        kinds += [(pt.id, side, levels, stage, table, observation)] * weight
    return kinds


def _fill(resources: Resources, kinds: list[tuple], patients: list[int], gap_probability: float, seed: int):
    """Greedy: each room takes the next procedure as early as a radiologist and a bed allow, now and then
    leaving a gap. Returns the planned appointments and the booked share of the session time."""
    from clinic.core.timefmt import local_instant, to_local

    rng = random.Random(seed)
    today = to_local(NOW, ZONE).date()
    planned: list[PlannedAppointment] = []
    session_time = booked_time = dt.timedelta(0)
    patient_iter = iter(patients)
    for offset in range(FUTURE_DAYS):
        day = today + dt.timedelta(days=offset)
        rad_busy: dict[int, list] = {r: [] for r in resources.radiologists}
        bed_busy: dict[int, list] = {b: [] for b in resources.beds}
        heap = []
        for order, (room_id, modality) in enumerate(resources.rooms):
            for weekday, start, end in resources.sessions[room_id]:
                if weekday == day.weekday():
                    opens, closes = local_instant(day, start, ZONE), local_instant(day, end, ZONE)
                    session_time += closes - opens
                    heap.append((opens, order, room_id, modality, closes))
        heapq.heapify(heap)
        while heap:
            t, order, room_id, modality, closes = heapq.heappop(heap)
            pt_id, side, levels, stage, table, observation = rng.choice(kinds)
            if rng.random() < gap_probability:
                t += dt.timedelta(minutes=rng.choice(GAPS_MINUTES))
            elif t + table <= closes:
                rads = [r for r in resources.radiologists if _free(rad_busy[r], t, t + table)]
                beds = [b for b in resources.beds if _free(bed_busy[b], t + table, t + table + observation)]
                if rads and beds:
                    rad, bed = rng.choice(rads), beds[0]
                    rad_busy[rad].append((t, t + table))
                    bed_busy[bed].append((t + table, t + table + observation))
                    planned.append(
                        PlannedAppointment(
                            f"F-{len(planned) + 1:07d}",
                            next(patient_iter),
                            pt_id,
                            side,
                            levels,
                            stage,
                            modality,
                            room_id,
                            rad,
                            bed,
                            t,
                            t + table,
                            t + table + observation,
                            "booked",
                        )
                    )
                    booked_time += table
                    t += table
                else:
                    t += FIVE_MINUTES
            else:
                t += FIVE_MINUTES
            if t < closes:
                heapq.heappush(heap, (t, order, room_id, modality, closes))
    return planned, booked_time / session_time


def plan_future(resources: Resources, kinds: list[tuple], patients: list[int], seed: int, target: float = UTILISATION):
    """The 8 booked weeks, with the gap probability bisected until the rooms are ``target`` full."""
    low, high = 0.0, 1.0
    best = None
    for _ in range(24):
        middle = (low + high) / 2
        planned, utilisation = _fill(resources, kinds, patients, middle, seed)
        if best is None or abs(utilisation - target) < abs(best[1] - target):
            best = planned, utilisation
        if abs(utilisation - target) < 0.002:
            break
        if utilisation > target:
            low = middle
        else:
            high = middle
    return best


APPOINTMENT_COLUMNS = [
    "id",
    "reference",
    "accession_number",
    "patient_id",
    "procedure_type_id",
    "region",
    "side",
    "levels",
    "level_count",
    "stage",
    "guidance",
    "room_id",
    "radiologist_id",
    "bed_id",
    "table_start",
    "table_end",
    "obs_end",
    "status",
    "status_changed_at",
    "version",
    "created_at",
    "updated_at",
]


BOOKING_COLUMNS = [
    "appointment_id",
    "room_id",
    "radiologist_id",
    "bed_id",
    "patient_id",
    "starts_at",
    "ends_at",
    "active",
]


def _rows(planned: Sequence[PlannedAppointment], next_id: int, stamp) -> tuple[list[tuple], list[list[tuple]]]:
    """Appointment rows, and their booking rows in two streams: room and bed rows, radiologist and
    patient rows (each stream feeds two of the four exclusion constraints, so two COPYs can run at once)."""
    from clinic.models.referrals import level_count

    now = stamp(NOW)
    appointments: list[tuple] = []
    rooms_beds: list[tuple] = []
    people: list[tuple] = []
    for n, a in enumerate(planned):
        appointment_id = next_id + n
        table_start, table_end, obs_end = stamp(a.table_start), stamp(a.table_end), stamp(a.obs_end)
        changed = obs_end if a.status == "discharged" else now
        appointments.append(
            (
                appointment_id,
                a.reference,
                f"B{appointment_id:011d}",  # unique like the app's random ones, and cheap to make
                a.patient_id,
                a.procedure_type_id,
                "lumbar",
                a.side,
                a.levels,
                level_count(a.levels),
                a.stage,
                a.guidance,
                a.room_id,
                a.radiologist_id,
                a.bed_id,
                table_start,
                table_end,
                obs_end,
                a.status,
                changed,
                1,
                stamp(a.table_start - dt.timedelta(days=30)),
                changed,
            )
        )
        rooms_beds.append((appointment_id, a.room_id, None, None, None, table_start, table_end, True))
        rooms_beds.append((appointment_id, None, None, a.bed_id, None, table_end, obs_end, True))
        people.append((appointment_id, None, a.radiologist_id, None, None, table_start, table_end, True))
        people.append((appointment_id, None, None, None, a.patient_id, table_start, obs_end, True))
    return appointments, [rooms_beds, people]


def _next_appointment_id(conn: Connection) -> int:
    from clinic.models import Appointment

    return (conn.scalar(select(func.max(Appointment.id))) or 0) + 1


def _insert_appointments(conn: Connection, planned: Sequence[PlannedAppointment]) -> None:
    """Appointments with their four bookings each (room, radiologist, patient, bed), on one connection."""
    from clinic.models import Appointment, Booking

    appointments, streams = _rows(planned, _next_appointment_id(conn), stamper(conn.dialect))
    bulk_insert(conn, Appointment.__table__, APPOINTMENT_COLUMNS, appointments)
    _sync_sequence(conn, Appointment.__table__)
    for rows in streams:
        bulk_insert(conn, Booking.__table__, BOOKING_COLUMNS, rows)


def _loading(conn: Connection) -> None:
    """Settings for a bulk-loading transaction; nothing that outlives it."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    else:
        conn.exec_driver_sql("PRAGMA cache_size = -512000")


def _secondary_indexes(conn: Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the plain indexes of appointments and bookings: not the primary keys,
    unique or exclusion constraints, which stay in place (they are the rules being loaded against)."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('appointments', 'bookings')"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
        )
    else:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name IN ('appointments', 'bookings') AND sql IS NOT NULL"
        )
    return [(name, sql) for name, sql in rows]


def _bulk_load(engine, batches: Iterable[Sequence[PlannedAppointment]], rebuild_indexes: bool) -> None:
    """A large step: the plain indexes are dropped first and rebuilt from their own definitions at the
    end (one sort beats millions of single inserts), and on PostgreSQL the two booking streams of each
    batch are copied at the same time. Foreign keys, primary keys and the exclusion constraints check
    every row as usual."""
    from clinic.models import Appointment, Booking

    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        indexes = _secondary_indexes(conn) if rebuild_indexes else []
        for name, _sql in indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")

    def copy(rows):
        with engine.begin() as conn:
            _loading(conn)
            bulk_insert(conn, Booking.__table__, BOOKING_COLUMNS, rows)

    for planned in batches:
        with engine.begin() as conn:
            _loading(conn)
            appointments, streams = _rows(planned, _next_appointment_id(conn), stamper(conn.dialect))
            bulk_insert(conn, Appointment.__table__, APPOINTMENT_COLUMNS, appointments)
            _sync_sequence(conn, Appointment.__table__)
            if not postgres:
                for rows in streams:
                    bulk_insert(conn, Booking.__table__, BOOKING_COLUMNS, rows)
        if postgres:
            with ThreadPoolExecutor(len(streams)) as pool:
                list(pool.map(copy, streams))
    with engine.begin() as conn:
        _loading(conn)
        for _name, sql in indexes:
            conn.exec_driver_sql(sql)


# --- history --------------------------------------------------------------------------------------------


class History:
    """Past appointments, newest first, added in steps. Each is a discharged 20-minute PRT with 30
    minutes of observation; the slots are packed back to back inside the room sessions. Radiologists
    rotate by day so that the rooms never share one; each room alternates between its own two beds; a
    patient comes back every ``len(patients)`` slots. Nothing overlaps, so PostgreSQL's exclusion
    constraints accept every row."""

    def __init__(self, resources: Resources, patient_ids: list[int]):
        self.resources = resources
        self.patient_ids = patient_ids
        self.count = 0
        self.oldest: dt.datetime | None = None
        self._slots = self._slot_iter()

    def _slot_iter(self) -> Iterator[tuple[int, int, int, dt.date, dt.datetime]]:
        from clinic.core.timefmt import local_instant, to_local

        day = to_local(NOW, ZONE).date() - dt.timedelta(days=1)
        rooms = self.resources.rooms
        while True:
            for order, (room_id, _modality) in enumerate(rooms):
                for weekday, start, end in self.resources.sessions[room_id]:
                    if weekday != day.weekday():
                        continue
                    opens, closes = local_instant(day, start, ZONE), local_instant(day, end, ZONE)
                    for k in reversed(range((closes - opens) // HISTORY_TABLE)):
                        yield order, room_id, k, day, opens + k * HISTORY_TABLE
            day -= dt.timedelta(days=1)

    def planned(self, count: int) -> list[PlannedAppointment]:
        """The next ``count`` older appointments (the history counts them as added)."""
        res = self.resources
        pt_id = res.procedures["PRT"]
        rads, beds, patients = res.radiologists, res.beds, self.patient_ids
        result = []
        for n in range(self.count, self.count + count):
            order, room_id, k, day, start = next(self._slots)
            table_end = start + HISTORY_TABLE
            result.append(
                PlannedAppointment(
                    f"H-{n + 1:09d}",
                    patients[n % len(patients)],
                    pt_id,
                    "left",
                    "L4/5",
                    None,
                    res.rooms[order][1],
                    room_id,
                    rads[(order + day.toordinal()) % len(rads)],
                    beds[(2 * order + k % 2) % len(beds)],
                    start,
                    table_end,
                    table_end + HISTORY_OBSERVATION,
                    "discharged",
                )
            )
        if result:
            self.count += len(result)
            self.oldest = result[-1].table_start
        return result

    def extend(self, engine, count: int) -> float:
        """Add ``count`` older appointments; returns the seconds it took. A step at least as large as
        the history so far rebuilds the plain indexes instead of updating them row by row."""
        started = time.perf_counter()
        rebuild = count >= max(self.count, REBUILD_FROM)
        batches = (self.planned(min(10 * BATCH, count - first)) for first in range(0, count, 10 * BATCH))
        _bulk_load(engine, batches, rebuild_indexes=rebuild)
        return time.perf_counter() - started

    def grow_to(self, engine, total: int) -> float:
        return self.extend(engine, total - self.count) if total > self.count else 0.0


# --- checks ---------------------------------------------------------------------------------------------


def overlapping_bookings(conn: Connection, since: dt.datetime | None = None) -> int:
    """Active bookings of the same resource that overlap an earlier one (should be 0). One window
    function per resource column: each row against the latest end among the rows that start before it."""
    from clinic.models import Booking

    b = Booking.__table__
    total = 0
    for column in ("room_id", "radiologist_id", "bed_id", "patient_id"):
        col = b.c[column]
        previous_end = func.max(b.c.ends_at).over(partition_by=col, order_by=(b.c.starts_at, b.c.id), rows=(None, -1))
        rows = select(b.c.starts_at, previous_end.label("previous_end")).where(b.c.active, col.is_not(None))
        if since is not None:
            rows = rows.where(b.c.starts_at >= since)
        inner = rows.subquery()
        total += conn.scalar(select(func.count()).select_from(inner).where(inner.c.previous_end > inner.c.starts_at))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", required=True, help="sqlite:///path.db or a postgresql:// URL (the database is recreated)"
    )
    parser.add_argument("--history", type=int, default=1000, help="past appointments (default 1000)")
    parser.add_argument("--patients", type=int, default=PATIENTS)
    args = parser.parse_args()

    from clinic.config import normalise_database_url
    from clinic.extensions import db

    url = normalise_database_url(args.url)
    started = time.perf_counter()
    create_database(url)
    app = make_app(url)
    with app.app_context():
        clinic = build(db.session, patients=args.patients)
        built = time.perf_counter() - started
        seconds = clinic.history.grow_to(db.engine, args.history)
        analyze(db.engine)
        with db.engine.connect() as conn:
            clashes = overlapping_bookings(conn)
        print(f"clinic, {len(clinic.patient_ids)} patients, {clinic.future_appointments} booked appointments")
        print(f"  in the next {FUTURE_DAYS} days ({clinic.utilisation:.1%} of the room time): {built:.1f} s")
        print(f"{clinic.history.count} past appointments (back to {clinic.history.oldest:%Y-%m-%d}): {seconds:.1f} s")
        print(f"overlapping active bookings: {clashes}")
        db.engine.dispose()
    return 0 if clashes == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
