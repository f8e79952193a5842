"""Scheduling benchmarks (issue 3): the finder against growing history, and booking throughput.

    python bench/bench_scheduling.py [--quick] [--sizes 1000,10000,100000,1000000] [--runs 30]
        [--databases sqlite,postgresql] [--pg-url postgresql://postgres@127.0.0.1:5432/test]
        [--clients 16] [--bookings-per-client 25] [--race-every 5] [--rounds 3] [--workers 4,16]

The clinic comes from ``generate.py``: 3 rooms, 4 radiologists, 6 beds, the next 8 weeks about 85% booked,
50 000 patients, and 1k, 10k, 100k and 1M past appointments added step by step. After each step:

* the finder as the booking screen calls it (``candidates_for_referral``: the first 20 chains of a PRT in
  the next 8 weeks, readiness included), each call in a fresh session as each request is, and the bare
  ``find_candidates`` for the same search: median, p90 and SQL statements per call;
* at the largest size, the plans of the finder's booking query (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN
  QUERY PLAN on SQLite), taken from the statement the finder really sent, and on PostgreSQL which
  indexes of ``bookings`` were used at all.

Then 16 clients book at the same time through ``clinic.services.appointments.book``, each with its own session
and transaction, one request per booking: chains that fill the empty weeks after the 8 booked ones, and
every 5th attempt a chain that the next client is about to book, so that real races happen. Printed:
bookings per second, conflicts (SlotTaken), errors, and the overlapping active bookings found by SQL
afterwards.

The clients are threads in server worker processes, as the README deploys the app (``gunicorn --workers 4
--threads 4``: 4 processes serving 4 requests each at once): ``--workers 4`` puts 4 clients in each of 4
processes, so 16 transactions are in flight at once, as many as with one process per client, but 4 Python
processes share the CPUs instead of 16. ``--workers 16`` (one process per client) is run as well and
printed for information: on a 2-core machine, 16 Python processes and their 16 PostgreSQL backends crowd
each other out; the clients' own CPU time per attempt is printed for both, to show what that costs.

Worker processes are fresh, but a server's workers are long-lived, so before the common start each client
books its first chain a few times and rolls each back: a new process fills SQLAlchemy's statement cache
and psycopg's prepared statements (from a statement's 6th run on a connection) once in its life, and a
server worker pays that on its first requests, not on every one. The first of those bookings is printed as
the cold cost. (Threads share their process's pool, so a connection may still meet a statement for the
first time in the timed part: that cost is counted, not hidden.)
Each configuration books for several rounds (fresh processes, fresh chains; 3 by default); each round is
printed and the goal is judged on the median of the first configuration's rounds, because one round of a
few seconds on a shared 2-core machine swings by a fifth from run to run.

Goals: finder median ≤ 20 ms at every size, the 1M median within 1.5× of the 1k median (history is never
scanned), ≥ 100 bookings/s on PostgreSQL with zero overlaps. The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import generate
from sqlalchemy import event, func, select, text

ZONE = generate.ZONE
NOW = generate.NOW
FULL_SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
FINDER_LIMIT = 20
GOAL_MEDIAN_MS = 20.0
GOAL_RATIO = 1.5
GOAL_BOOKINGS_PER_SECOND = 100.0
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# --- counting statements --------------------------------------------------------------------------------


class StatementLog:
    """Every statement the engine sends while ``recording``, with its parameters (for EXPLAIN)."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[tuple[str, object]] = []
        self._on = False
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn, _cursor, statement, parameters, _context, _executemany):
        if self._on:
            self.statements.append((statement, parameters))

    @contextmanager
    def recording(self):
        self.statements = []
        self._on = True
        try:
            yield self
        finally:
            self._on = False

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)


# --- the finder -----------------------------------------------------------------------------------------


@dataclass
class FinderFigures:
    times_ms: list[float]
    queries: list[int]
    found: list = field(default_factory=list)
    statements: list[tuple[str, object]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.times_ms, n=10, method="inclusive")[-1]

    @property
    def best(self) -> float:
        return min(self.times_ms)

    @property
    def queries_per_call(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


def measure_finder(clinic: generate.BenchClinic, runs: int, warmup: int) -> dict[str, FinderFigures]:
    """ "screen": ``candidates_for_referral`` as the booking screen calls it (readiness, then the finder);
    "finder": the bare ``find_candidates`` for the same search. The two alternate, so that both meet the
    same machine. Each call gets a fresh session, as each request does; loading the referral is not timed."""
    from clinic.extensions import db
    from clinic.models import Referral
    from clinic.scheduling.context import SEARCH_WINDOW_DAYS
    from clinic.scheduling.finder import SearchRequest, find_candidates
    from clinic.scheduling.plan import ProcedurePlan
    from clinic.services.candidates import candidates_for_referral

    settings = generate.settings()
    first_day = clinic.today
    last_day = first_day + dt.timedelta(days=SEARCH_WINDOW_DAYS)

    def screen(session, referral):
        ready, found = candidates_for_referral(
            session, settings, referral, first_day=first_day, last_day=last_day, limit=FINDER_LIMIT
        )
        if not ready.ready:
            raise RuntimeError(f"the benchmark referral is not ready: {ready.missing}")
        return found

    def bare(session, referral):
        plan = ProcedurePlan.from_referral(referral)
        request = SearchRequest(plan, first_day, last_day, patient_id=referral.patient_id, limit=FINDER_LIMIT)
        return lambda: find_candidates(session, settings, request)

    log = StatementLog(db.engine)
    figures = {"screen": FinderFigures([], []), "finder": FinderFigures([], [])}
    try:
        for n in range(warmup + runs):
            for what, figure in figures.items():
                db.session.remove()
                session = db.session
                referral = session.get(Referral, clinic.finder_referral_id)
                call = (lambda s=session, r=referral: screen(s, r)) if what == "screen" else bare(session, referral)
                with log.recording():
                    started = time.perf_counter()
                    found = call()
                    elapsed = time.perf_counter() - started
                if n >= warmup:
                    figure.times_ms.append(elapsed * 1000)
                    figure.queries.append(len(log.statements))
                figure.found = found
                figure.statements = log.statements
    finally:
        log.close()
        db.session.remove()
    for what, figure in figures.items():
        if len(figure.found) != FINDER_LIMIT:
            raise RuntimeError(f"{what}: {len(figure.found)} chains found, not {FINDER_LIMIT}")
    return figures


def booking_queries(statements) -> list[tuple[str, object]]:
    return [(sql, params) for sql, params in statements if "FROM bookings" in sql]


def explain(engine, sql: str, params) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + sql, params)
            return [row[0] for row in rows]
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
        return [row[3] for row in rows]


def plan_verdict(engine, lines: list[str]) -> str:
    plan = "\n".join(lines)
    if engine.dialect.name == "postgresql":
        scans_table = "Seq Scan on bookings" in plan
        uses_range = "ix_bookings_starts_at" in plan and "Index Cond: ((starts_at >=" in plan
    else:
        scans_table = any(line.startswith("SCAN bookings") for line in lines)
        uses_range = "USING INDEX ix_bookings_starts_at (starts_at>? AND starts_at<?)" in plan
    if uses_range and not scans_table:
        return "the partial index ix_bookings_starts_at (WHERE active) is read over the window's range only"
    return "CHECK: the booking query does not read a starts_at range of the partial index"


def pg_index_usage(engine) -> list[tuple[str, int, int]]:
    """How often each index of bookings was used since the last reset. Statistics reach the server
    when a backend ends, so the pool is emptied first."""
    engine.dispose()
    time.sleep(0.5)
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes"
                    " WHERE relname = 'bookings' ORDER BY idx_scan DESC, indexrelname"
                )
            )
        )


def pg_reset_statistics(engine) -> None:
    engine.dispose()
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_reset()"))
        conn.commit()
    engine.dispose()


# --- booking throughput ---------------------------------------------------------------------------------


def empty_chains(clinic: generate.BenchClinic, count: int):
    """PRT chains (20 minutes, then 30 on a bed) packed into the CT rooms of the weekdays after the booked
    weeks. They never overlap one another: radiologists rotate by day, each room has its own two beds."""
    from clinic.core.timefmt import local_instant
    from clinic.scheduling.finder import Candidate

    res = clinic.resources
    table, observation = generate.HISTORY_TABLE, generate.HISTORY_OBSERVATION
    ct_rooms = [room_id for room_id, modality in res.rooms if modality == "CT"]
    chains = []
    day = clinic.today + dt.timedelta(days=generate.FUTURE_DAYS)
    while len(chains) < count:
        for order, room_id in enumerate(ct_rooms):
            for weekday, start, end in res.sessions[room_id]:
                if weekday != day.weekday():
                    continue
                opens, closes = local_instant(day, start, ZONE), local_instant(day, end, ZONE)
                for k in range((closes - opens) // table):
                    t = opens + k * table
                    rad = res.radiologists[(order + day.toordinal()) % len(res.radiologists)]
                    bed = res.beds[(2 * order + k % 2) % len(res.beds)]
                    chains.append(Candidate(room_id, rad, bed, t, t + table, t + table + observation))
        day += dt.timedelta(days=1)
    return sorted(chains[:count], key=lambda c: (c.table_start, c.room_id))


def plan_attempts(chains, clients: int, race_every: int) -> list[list]:
    """Client i books chains i, i + clients, …; every ``race_every``-th attempt it first tries the chain
    its neighbour is about to book."""
    own = [chains[i::clients] for i in range(clients)]
    attempts = []
    for i in range(clients):
        neighbour = own[(i + 1) % clients]
        mine = []
        for j, chain in enumerate(own[i]):
            if race_every and j % race_every == race_every - 1 and j < len(neighbour):
                mine.append(neighbour[j])
            mine.append(chain)
        attempts.append(mine)
    return attempts


WARMUP_BOOKINGS = 6  # psycopg prepares a statement on its 6th run (prepare_threshold 5)


def _book(session, settings, referral_id: int, candidate):
    """One booking attempt as a request makes it: load the referral, book its plan (no commit)."""
    from clinic.models import Referral
    from clinic.scheduling.plan import ProcedurePlan
    from clinic.services.appointments import book

    referral = session.get(Referral, referral_id)
    return book(
        session, settings, None, referral=referral, plan=ProcedurePlan.from_referral(referral), candidate=candidate
    )


def _warm_up(db, settings, referral_id, candidate) -> list[float]:
    """Book the client's first chain and roll it back, a few times: what a new worker process does on
    its first requests. Returns each attempt's milliseconds; the first is the cold one."""
    times = []
    for _ in range(WARMUP_BOOKINGS):
        begun = time.perf_counter()
        try:
            _book(db.session, settings, referral_id, candidate)
        finally:
            db.session.rollback()
            db.session.remove()
        times.append((time.perf_counter() - begun) * 1000)
    return times


def _client(app, attempts, referral_ids, start, results) -> None:
    """One front desk in a worker's app: one request (session, transaction) per booking attempt, as fast
    as it can. Always reports, also when it could not start, so that the run never waits for a lost client."""
    from clinic.extensions import db
    from clinic.scheduling.booking import SlotTaken

    booked = conflicts = 0
    errors: list[str] = []
    latencies: list[float] = []
    warm_up: list[float] = []
    started = finished = time.monotonic()
    cpu = 0.0
    try:
        settings = generate.settings()
        with app.app_context():
            try:
                warm_up = _warm_up(db, settings, referral_ids[0], attempts[0])
            except Exception as exc:  # shown with the errors: the timed attempts would meet it too
                errors.append(f"warm-up: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            start.wait(timeout=120)
            referrals = iter(referral_ids)
            referral_id = next(referrals)
            started, cpu_started = time.monotonic(), time.thread_time()
            for candidate in attempts:
                begun = time.monotonic()
                session = db.session
                try:
                    _book(session, settings, referral_id, candidate)
                    session.commit()
                    booked += 1
                    referral_id = next(referrals, None)
                except SlotTaken:
                    session.rollback()
                    conflicts += 1
                except Exception as exc:  # counted and shown: a race must never end in a server error
                    session.rollback()
                    errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                finally:
                    db.session.remove()
                latencies.append(time.monotonic() - begun)
            finished, cpu = time.monotonic(), time.thread_time() - cpu_started
    except Exception as exc:  # a broken start (the barrier timed out, no connection): reported, not lost
        errors.append(f"client: {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}")
    results.put(
        {
            "booked": booked,
            "conflicts": conflicts,
            "errors": errors,
            "started": started,
            "finished": finished,
            "latencies": latencies,
            "warm_up": warm_up,
            "cpu": cpu,
        }
    )


def _worker(url, assignments, start, results) -> None:
    """One server worker process: its clients are threads sharing the process's app and connection
    pool, as a threaded gunicorn worker serves several requests at once."""
    from clinic.extensions import db

    app = generate.make_app(url, pool_size=len(assignments) + 2)
    threads = [
        threading.Thread(target=_client, args=(app, attempts, referral_ids, start, results))
        for attempts, referral_ids in assignments
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        db.engine.dispose()


@dataclass
class Throughput:
    clients: int
    workers: int
    chains: int
    attempts: int
    booked: int
    conflicts: int
    errors: list[str]
    seconds: float
    latencies_ms: list[float]
    cold_ms: list[float]  # each client's first booking, before the start
    client_cpu_ms: float  # the clients' own CPU time (their threads), per attempt
    overlaps: int
    appointments: int

    @property
    def per_second(self) -> float:
        return self.booked / self.seconds


SERIAL_WARMUP, SERIAL_RUNS = 3, 20


@dataclass
class Serial:
    times_ms: list[float]
    queries: list[int]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)


def measure_serial(chains, referral_ids) -> Serial:
    """One client alone, in this process: what one booking costs with nobody else around."""
    from clinic.extensions import db

    settings = generate.settings()
    log = StatementLog(db.engine)
    figures = Serial([], [])
    try:
        for n, (candidate, referral_id) in enumerate(zip(chains, referral_ids, strict=True)):
            db.session.remove()
            with log.recording():
                started = time.perf_counter()
                _book(db.session, settings, referral_id, candidate)
                db.session.commit()
                elapsed = time.perf_counter() - started
            if n >= SERIAL_WARMUP:
                figures.times_ms.append(elapsed * 1000)
                figures.queries.append(len(log.statements))
    finally:
        log.close()
        db.session.remove()
    return figures


def referrals_needed(clients: int, per_client: int, race_every: int, rounds: int) -> int:
    attempts = plan_attempts(list(range(clients * per_client)), clients, race_every)
    return rounds * sum(len(a) for a in attempts) + SERIAL_WARMUP + SERIAL_RUNS


def measure_throughput(
    url: str,
    clinic: generate.BenchClinic,
    clients: int,
    per_client: int,
    race_every: int,
    workers: list[int],
    rounds: int,
) -> tuple[Serial, dict[int, list[Throughput]]]:
    """One client alone, then ``rounds`` rounds of the clients in each number of worker processes."""
    serial_count = SERIAL_WARMUP + SERIAL_RUNS
    per_round = clients * per_client
    all_chains = empty_chains(clinic, len(workers) * rounds * per_round + serial_count)
    serial_chains = all_chains[-serial_count:]
    referral_ids = iter(clinic.booking_referral_ids)
    serial = measure_serial(serial_chains, list(itertools.islice(referral_ids, serial_count)))
    results: dict[int, list[Throughput]] = {count: [] for count in workers}
    chunks = (all_chains[n * per_round : (n + 1) * per_round] for n in itertools.count())
    for _ in range(rounds):
        for count in workers:  # alternating, so that each configuration meets the machine's moods
            results[count].append(_one_round(url, next(chunks), referral_ids, clients, race_every, count))
    return serial, results


def _one_round(url: str, chains, referral_ids, clients: int, race_every: int, workers: int) -> Throughput:
    """The clients, started together, each booking its share of ``chains`` (plus the races)."""
    from clinic.extensions import db
    from clinic.models import Appointment

    attempts = plan_attempts(chains, clients, race_every)
    referrals = [list(itertools.islice(referral_ids, len(mine))) for mine in attempts]
    if any(len(r) < len(a) for r, a in zip(referrals, attempts, strict=True)):
        raise RuntimeError("not enough ready referrals were generated for the booking clients")

    db.session.remove()
    db.engine.dispose()  # no connection may cross a fork
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Barrier(clients), ctx.Queue()
    processes = [
        ctx.Process(
            target=_worker,
            args=(url, [(attempts[i], referrals[i]) for i in range(w, clients, workers)], start, results),
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=900) for _ in range(clients)]
    for process in processes:
        process.join(timeout=60)

    with db.engine.connect() as conn:
        overlaps = generate.overlapping_bookings(conn, since=NOW - dt.timedelta(hours=12))
        appointments = conn.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.table_start >= chains[0].table_start, Appointment.table_start <= chains[-1].table_start)
        )
    return Throughput(
        clients=clients,
        workers=workers,
        chains=len(chains),
        attempts=sum(len(a) for a in attempts),
        booked=sum(o["booked"] for o in outcomes),
        conflicts=sum(o["conflicts"] for o in outcomes),
        errors=[e for o in outcomes for e in o["errors"]],
        seconds=max(o["finished"] for o in outcomes) - min(o["started"] for o in outcomes),
        latencies_ms=[x * 1000 for o in outcomes for x in o["latencies"]],
        cold_ms=[o["warm_up"][0] for o in outcomes if o["warm_up"]],
        client_cpu_ms=1000 * sum(o["cpu"] for o in outcomes) / max(sum(len(o["latencies"]) for o in outcomes), 1),
        overlaps=overlaps,
        appointments=appointments,
    )


# --- the run --------------------------------------------------------------------------------------------


@dataclass
class Options:
    sizes: list[int]
    runs: int
    warmup: int
    databases: list[str]
    pg_url: str
    sqlite_dir: Path | None
    patients: int
    clients: int
    per_client: int
    race_every: int
    rounds: int
    workers: list[int]
    keep: bool


def server_version(engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return "PostgreSQL " + conn.scalar(text("SHOW server_version")).split()[0]
        return "SQLite " + conn.exec_driver_sql("SELECT sqlite_version()").scalar()


def run_database(kind: str, opts: Options) -> dict:
    from clinic.extensions import db

    if kind == "postgresql":
        url = generate.bench_pg_url(opts.pg_url)
    else:
        folder = opts.sqlite_dir or Path(tempfile.mkdtemp(prefix="clinic-bench-"))
        url = f"sqlite:///{folder / 'clinic-bench.db'}"
    referrals = referrals_needed(opts.clients, opts.per_client, opts.race_every, opts.rounds * len(opts.workers))
    started = time.perf_counter()
    admin_url = opts.pg_url if kind == "postgresql" else None
    generate.create_database(url, admin_url)
    app = generate.make_app(url, pool_size=opts.clients + 2)
    figures: dict = {"kind": kind, "sizes": {}}
    try:
        with app.app_context():
            engine = db.engine
            clinic = generate.build(db.session, patients=opts.patients, booking_referrals=referrals)
            built = time.perf_counter() - started
            print(f"\n== {server_version(engine)}: {url.rsplit('/', 1)[-1] if kind == 'postgresql' else url} ==")
            print(
                f"generated {len(clinic.patient_ids):,} patients, {clinic.future_appointments:,} appointments in the"
                f" next {generate.FUTURE_DAYS} days ({clinic.utilisation:.1%} of the room time) and"
                f" {referrals} ready referrals: {built:.1f} s"
            )
            print(
                f"{'history':>9} {'added in':>8} {'rows/s':>7} | {'screen median':>13} {'p90':>5} {'min':>5} {'SQL':>3}"
                f" | {'finder median':>13} {'p90':>5} {'min':>5} {'SQL':>3} | 20th chain"
            )
            for size in opts.sizes:
                before = clinic.history.count
                seconds = clinic.history.grow_to(engine, size)
                generate.analyze(engine)
                last = size == opts.sizes[-1]
                if last and kind == "postgresql":
                    pg_reset_statistics(engine)
                measured = measure_finder(clinic, opts.runs, opts.warmup)
                screen, bare = measured["screen"], measured["finder"]
                added = clinic.history.count - before
                rate = f"{5 * added / seconds:,.0f}" if seconds else "-"  # an appointment is 5 rows
                twentieth = generate.to_local_date(screen.found[-1].table_start)
                print(
                    f"{size:>9,} {seconds:>7.1f}s {rate:>7} | {screen.median:>10.1f} ms {screen.p90:>5.1f}"
                    f" {screen.best:>5.1f} {screen.queries_per_call:>3} | {bare.median:>10.1f} ms {bare.p90:>5.1f}"
                    f" {bare.best:>5.1f} {bare.queries_per_call:>3} | {twentieth:%d %b %Y}",
                    flush=True,
                )
                figures["sizes"][size] = {"screen": screen, "finder": bare, "seconds": seconds}
            print(
                f"history reaches back to {clinic.history.oldest:%Y-%m-%d}; each past appointment holds 4 active"
                " bookings (room, radiologist, patient, bed), as discharged ones do"
            )
            largest = opts.sizes[-1]
            statements = figures["sizes"][largest]["screen"].statements
            print(f"\nstatements of one screen call at {largest:,} past appointments:")
            for sql, _params in statements:
                print("  " + " ".join(sql.split())[:150])
            for sql, params in booking_queries(statements):
                print(f"\nplan of the finder's booking query at {largest:,} past appointments:")
                lines = explain(engine, sql, params)
                for line in lines:
                    print("  " + line)
                print("  → " + plan_verdict(engine, lines))
            if kind == "postgresql":
                print("\nuse of the indexes of bookings by the finder runs at this size (pg_stat_user_indexes):")
                for name, scans, tuples in pg_index_usage(engine):
                    print(f"  {name:<34} {scans:>6} scans {tuples:>9} entries read")
                pg_reset_statistics(engine)

            serial, by_workers = measure_throughput(
                url, clinic, opts.clients, opts.per_client, opts.race_every, opts.workers, opts.rounds
            )
            figures["throughput"] = by_workers
            figures["serial"] = serial
            print(
                f"\nbooking, 1 client alone: median {serial.median:.1f} ms per booking"
                f" ({1000 / serial.median:.0f}/s), {statistics.median(serial.queries):.0f} statements each"
                f" ({len(serial.times_ms)} bookings after {SERIAL_WARMUP} warm-up)"
            )
            for rounds in by_workers.values():
                print_rounds(rounds, largest)
            if kind == "postgresql":
                print("  use of the indexes of bookings while booking (pg_stat_user_indexes):")
                for name, scans, tuples in pg_index_usage(engine):
                    print(f"    {name:<34} {scans:>6} scans {tuples:>9} entries read")
            db.session.remove()
            engine.dispose()
    finally:
        if not opts.keep:
            generate.drop_database(url, admin_url)
            if kind == "sqlite" and opts.sqlite_dir is None:
                folder.rmdir()
        else:
            print(f"kept: {url}")
    print(f"({kind}: {time.perf_counter() - started:.0f} s in all; {machine()})")
    return figures


def print_rounds(rounds: list[Throughput], history: int) -> None:
    first = rounds[0]
    print(
        f"booking: {first.clients} clients (a session and transaction each) as threads in {first.workers} worker"
        f" process{'es' if first.workers > 1 else ''}, at {history:,} past appointments; {first.attempts}"
        f" attempts for {first.chains} chains per round"
    )
    cold = [x for r in rounds for x in r.cold_ms]
    if cold:
        print(
            f"  each client's first booking (a fresh process, before the start; {WARMUP_BOOKINGS} rolled"
            f" back): median {statistics.median(cold):.0f} ms, max {max(cold):.0f} ms"
        )
    for n, result in enumerate(rounds, 1):
        latencies = sorted(result.latencies_ms)
        print(
            f"  round {n}: {result.booked} booked in {result.seconds:.2f} s = {result.per_second:.1f}"
            f" bookings/s; {result.conflicts} conflicts (SlotTaken); {len(result.errors)} errors;"
            f" per attempt median {statistics.median(latencies):.0f} ms,"
            f" p90 {statistics.quantiles(latencies, n=10, method='inclusive')[-1]:.0f} ms,"
            f" clients' CPU {result.client_cpu_ms:.1f} ms;"
            f" appointments in its days {result.appointments}; overlapping active bookings {result.overlaps}"
        )
    print(f"  median of the rounds: {median_rate(rounds):.1f} bookings/s")
    for error in sorted({e for r in rounds for e in r.errors})[:5]:
        print(f"  error: {error}")


def median_rate(rounds: list[Throughput]) -> float:
    return statistics.median(r.per_second for r in rounds)


def summary(results: list[dict], opts: Options) -> None:
    print("\n== goals ==")
    smallest, largest = opts.sizes[0], opts.sizes[-1]
    for figures in results:
        kind = figures["kind"]
        for what, label in (("screen", "screen (candidates_for_referral)"), ("finder", "bare find_candidates")):
            worst = max(f[what].median for f in figures["sizes"].values())
            verdict = "met" if worst <= GOAL_MEDIAN_MS else "MISSED"
            print(f"{kind:<10} {label} median ≤ {GOAL_MEDIAN_MS:.0f} ms at every size: worst {worst:.1f} ms, {verdict}")
        if largest != smallest:
            for what in ("screen", "finder"):
                at_largest, at_smallest = figures["sizes"][largest][what], figures["sizes"][smallest][what]
                ratio = at_largest.median / at_smallest.median
                verdict = "met" if ratio <= GOAL_RATIO else "MISSED"
                print(
                    f"{kind:<10} {what} median at {largest:,} / at {smallest:,}: {ratio:.2f}×"
                    f" (goal ≤ {GOAL_RATIO}×), {verdict}; fastest calls: {at_largest.best / at_smallest.best:.2f}×"
                )
        for n, (workers, rounds) in enumerate(figures.get("throughput", {}).items()):
            rate = median_rate(rounds)
            overlaps = max(r.overlaps for r in rounds)
            errors = sum(len(r.errors) for r in rounds)
            if kind == "postgresql" and n == 0:
                ok = rate >= GOAL_BOOKINGS_PER_SECOND and overlaps == 0 and not errors
                verdict = f" (goal ≥ {GOAL_BOOKINGS_PER_SECOND:.0f}/s, no overlap): " + ("met" if ok else "MISSED")
            else:
                verdict = " (for information)"
            each = ", ".join(f"{r.per_second:.0f}" for r in rounds)
            print(
                f"{kind:<10} booking, {rounds[0].clients} clients in {workers} worker processes: median {rate:.1f}"
                f" bookings/s over {len(rounds)} rounds ({each}), {sum(r.conflicts for r in rounds)} conflicts,"
                f" {errors} errors, {overlaps} overlaps{verdict}"
            )


def parse_args(argv=None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="history sizes 1k and 10k only, fewer bookings")
    parser.add_argument("--sizes", help="past appointments after each step, e.g. 1000,10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=50, help="timed calls of each kind per size (default 50)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument(
        "--pg-url",
        default=PG_ADMIN_URL,
        help="a PostgreSQL server to use; a database clinic_bench_<random> is created there and dropped after",
    )
    parser.add_argument("--sqlite-dir", help="where the SQLite file goes (default: a new temporary folder)")
    parser.add_argument("--patients", type=int, default=generate.PATIENTS)
    parser.add_argument("--clients", type=int, default=16, help="concurrent booking clients (default 16)")
    parser.add_argument("--bookings-per-client", type=int, help="chains per client (default 25, quick 10)")
    parser.add_argument("--race-every", type=int, default=5, help="every Nth attempt races the neighbour (0: never)")
    parser.add_argument("--rounds", type=int, help="rounds of the 16 clients (default 3; quick 1)")
    parser.add_argument(
        "--workers",
        default="4,16",
        help="worker processes the clients run in, one configuration after the other; the goal is judged on"
        " the first (default 4,16: as the README deploys gunicorn, then one process per client)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases for a look afterwards")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    else:
        sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    from clinic.config import normalise_database_url

    return Options(
        sizes=sizes,
        runs=max(args.runs, 1),
        warmup=args.warmup,
        databases=[d.strip() for d in args.databases.split(",") if d.strip()],
        pg_url=normalise_database_url(args.pg_url),
        sqlite_dir=Path(args.sqlite_dir) if args.sqlite_dir else None,
        patients=args.patients,
        clients=args.clients,
        per_client=args.bookings_per_client or (10 if args.quick else 25),
        race_every=args.race_every,
        rounds=max(args.rounds if args.rounds is not None else (1 if args.quick else 3), 1),
        workers=[int(w) for w in args.workers.split(",") if w.strip()],
        keep=args.keep,
    )


def machine() -> str:
    """Timings mean little without the machine they were taken on."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"


def main(argv=None) -> int:
    opts = parse_args(argv)
    print(
        f"scheduling benchmarks: history {', '.join(f'{s:,}' for s in opts.sizes)}; {opts.runs} timed finder calls"
        f" after {opts.warmup} warm-up calls; clock fixed at {NOW:%Y-%m-%d %H:%M} UTC; {machine()}"
    )
    results = [run_database(kind, opts) for kind in opts.databases]
    summary(results, opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
