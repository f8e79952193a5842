"""What each busy page costs on its own, in the app (no HTTP server, no other users): the median
wall-clock and CPU time per request over several runs, the SQL statements it sends, and the ratio to
the trivial route (/healthz) measured in the same run. On a machine shared with other work the CPU
time is the steadier figure. ``--profile PAGE`` prints the page's cProfile (cumulative) instead.

    python bench/profile_pages.py --database-url postgresql+psycopg://postgres@127.0.0.1/DB --data data.json
    python bench/profile_pages.py ... --profile "day calendar"

The database is the load test's clinic (bench/load_seed.py; ``python bench/load.py --keep`` leaves
one, or ``--seed`` builds one here at the given URL, which must not exist yet); ``--data`` is the
JSON load.py writes (ids of referrals, appointments, rooms), written by ``--seed`` too.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="clinic-pages-"))
os.environ.setdefault("SECRET_KEY", "bench-secret-key")

import generate  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHAIN = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')
PASSWORD = "demo-password-1"
# The start page keeps its sorting until a change is committed (clinic.services.booking_queue): this row
# forgets it before each request, as the first request after a booking finds it.
AFTER_CHANGE = "front desk today (after a change)"
# ... and this row commits a change to one waiting patient's row before each request, as a booking or a
# pre-registration item does: the sorting is read again for that patient only (``changes.touched``).
AFTER_ONE = "front desk today (after one patient's change)"


def pages(data: dict) -> dict[str, tuple[str, str]]:
    """Page name (as the load test names it) -> (user, path)."""
    today = data["today"]
    referral, ready = data["history_referrals"][0], data["ready_referrals"][0]
    appointment, room = data["appointments"][0], data["rooms"][0]
    return {
        "trivial (/healthz)": ("frontdesk", "/healthz"),
        "trivial page (/profile)": ("frontdesk", "/profile"),
        "worklist": ("rad1", "/radiology/worklist"),
        "worklist refresh": ("rad1", "/radiology/worklist/rows"),
        "day calendar": ("frontdesk", f"/desk/calendar?day={today}"),
        "front desk today": ("frontdesk", "/desk/"),
        AFTER_CHANGE: ("frontdesk", "/desk/"),
        AFTER_ONE: ("frontdesk", "/desk/"),
        "patient search": ("frontdesk", "/patients/"),
        "referral page": ("frontdesk", f"/desk/referrals/{referral}"),
        "finder (booking page)": ("frontdesk", f"/desk/referrals/{ready}/book"),
        "appointment page": ("rad1", f"/radiology/appointments/{appointment}"),
        "letter (PDF)": ("frontdesk", f"/desk/appointments/{appointment}/letter.pdf"),
        "worklist (PDF)": ("rad1", f"/radiology/worklist/{room}.pdf?day={today}"),
    }


def login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        raise SystemExit(f"{username} could not log in ({answer.status_code})")


class Counter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args) -> None:
        self.count += 1


def measure(
    client, path: str, counter: Counter, runs: int, least: bool = False, before=lambda: None
) -> tuple[float, float, int]:
    for _ in range(2):
        assert client.get(path).status_code == 200, path
    walls, cpus, statements = [], [], []
    for _ in range(runs):
        before()
        counter.count = 0
        wall, cpu = time.perf_counter(), time.process_time()
        answer = client.get(path)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        statements.append(counter.count)
        assert answer.status_code == 200, (path, answer.status_code)
    pick = min if least else statistics.median
    return pick(walls), pick(cpus), max(statements)


def book(
    client, counter: Counter, referrals: list[int], runs: int, profile=None, least: bool = False
) -> tuple[float, float, int] | None:
    """The booking POST (the finder's first offer), on referrals not booked yet; ``profile`` (a
    cProfile.Profile) is enabled around the POSTs only."""
    walls, cpus, statements = [], [], []
    for referral in referrals:
        if len(walls) == runs:
            break
        page = client.get(f"/desk/referrals/{referral}/book").get_data(as_text=True)
        forms = [f for f in CHAIN.findall(page) if 'name="table_start"' in f]
        if not forms or f"/desk/referrals/{referral}/book" not in page:
            continue
        fields = dict(HIDDEN.findall(forms[0]))
        fields.update(csrf_token=CSRF.search(page).group(1), action="book")
        counter.count = 0
        wall, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        answer = client.post(f"/desk/referrals/{referral}/book", data=fields)
        if profile is not None:
            profile.disable()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        statements.append(counter.count)
        assert answer.status_code in (302, 409), answer.status_code
    if not walls:
        return None
    pick = min if least else statistics.median
    return pick(walls), pick(cpus), max(statements)


def one_patient_changed(app, referral_id: int):
    """A function committing a change to the patient of ``referral_id`` (the phone, one digit flipped)."""
    from clinic.extensions import db
    from clinic.models import Referral

    def change() -> None:
        with app.app_context():
            patient = db.session.get(Referral, referral_id).patient
            phone = patient.phone or "+49 40 0000"
            patient.phone = phone[:-1] + ("1" if phone[-1] != "1" else "2")
            db.session.commit()

    return change


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data", required=True, help="the load test's JSON of ids")
    parser.add_argument("--seed", action="store_true", help="build the clinic first (bench/load_seed.py)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--bookings", type=int, default=0, help="also time this many booking POSTs (changes the data)")
    parser.add_argument("--profile", help="print the cProfile of this page instead")
    parser.add_argument(
        "--least", action="store_true", help="the least time of the runs, not the median (a busy machine)"
    )
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative or tottime")
    parser.add_argument("--limit", type=int, default=70, help="how many rows of the profile to print")
    parser.add_argument("--callers", help="with --profile: who calls the functions matching this pattern")
    args = parser.parse_args()

    if args.seed:
        import load_seed

        data = load_seed.seed(args.database_url, patients=20_000, ready_referrals=300)
        Path(args.data).write_text(json.dumps(data), encoding="utf-8")
    data = json.loads(Path(args.data).read_text(encoding="utf-8"))
    os.environ["CLINIC_CLOCK_START"] = generate.NOW.isoformat()
    from clinic import create_app, heap
    from clinic.extensions import db
    from clinic.services import booking_queue

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    table = pages(data)
    with app.app_context():  # not around the requests: each has its own context and session
        counter = Counter(db.engine)
    clients = {}
    for user in ("frontdesk", "rad1"):
        clients[user] = app.test_client()
        login(clients[user], user)
    for user, path in table.values():  # every page once, then the heap frozen as the server does (clinic.heap)
        clients[user].get(path)
    heap.freeze()
    if args.profile == "booking (POST)":
        profile = cProfile.Profile()
        book(clients["frontdesk"], counter, data["ready_referrals"][::-1], args.runs, profile)
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.limit)
        return 0
    if args.profile:
        user, path = table[args.profile]
        for _ in range(3):
            clients[user].get(path)
        profile = cProfile.Profile()
        touch = one_patient_changed(app, data["ready_referrals"][0])
        for _ in range(args.runs):
            if args.profile == AFTER_CHANGE:
                booking_queue.forget()
            if args.profile == AFTER_ONE:
                touch()
            profile.enable()
            clients[user].get(path)
            profile.disable()
        stats = pstats.Stats(profile).sort_stats(args.sort)
        if args.callers:
            stats.print_callers(args.callers)
        else:
            stats.print_stats(args.limit)
        return 0
    before = {AFTER_CHANGE: booking_queue.forget, AFTER_ONE: one_patient_changed(app, data["ready_referrals"][0])}
    results = {
        name: measure(clients[user], path, counter, args.runs, args.least, before=before.get(name, lambda: None))
        for name, (user, path) in table.items()
    }
    if args.bookings:
        booked = book(clients["frontdesk"], counter, data["ready_referrals"][::-1], args.bookings, least=args.least)
        if booked:
            results["booking (POST)"] = booked
    base_wall, base_cpu = results["trivial (/healthz)"][:2]
    print(
        f"{args.runs} runs per page ({'least' if args.least else 'medians'}); "
        f"database {args.database_url.split(':')[0]}"
    )
    print(f"{'page':<34}{'wall ms':>9}{'cpu ms':>8}{'× trivial':>10}{'statements':>11}")
    for name, (wall, cpu, statements) in results.items():
        print(f"{name:<34}{wall:>9.1f}{cpu:>8.1f}{cpu / base_cpu:>10.1f}{statements:>11}")
    print(f"(× trivial: CPU time against /healthz's {base_cpu:.1f} ms, wall {base_wall:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
