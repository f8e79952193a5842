"""Issue 15, finding 11: the clinic keeps its head through a PostgreSQL restart.

The test starts a PostgreSQL server of its own (tests.pgcluster: initdb, pg_ctl, a free port; never the
shared server), serves the app over real HTTP with threads, runs the scheduler as its own process, and
has clients book, list and open screens while it stops the server for a few seconds and starts it
again. Then: no answer was a 500; every failure was a 503 with Retry-After and fell in the outage
window; every appointment is whole (its event and all its bookings); and the scheduler, whose lock went
with the server, took it again by itself.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from clinic import create_app
from clinic.config import PROJECT_ROOT
from clinic.extensions import db
from clinic.services import accounts
from tests.conftest import IN_CI, NOW, migrate
from tests.factories import PASSWORD, build_clinic, make_ready_referral
from tests.jobs.conftest import wait_until
from tests.pgcluster import Cluster, binaries

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 3.0
GRACE_SECONDS = 3.0  # after the server is back, a pool may still hand out one dead connection per thread
BOOKERS = 3
REFERRALS_PER_BOOKER = 40


@pytest.fixture
def cluster(tmp_path):
    bin_dir = binaries()
    if bin_dir is None:
        problem = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
        if IN_CI:
            pytest.fail(problem + " (CI requires them)")
        pytest.skip(problem)
    server = Cluster(bin_dir)
    try:
        server.init()
        server.start()
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE clinic"))
        admin.dispose()
        yield server
    finally:
        server.destroy()


@dataclass
class Answer:
    client: str
    started: float
    ended: float
    status: int
    retry_after: str | None
    body: str


class Http:
    def __init__(self, base, name, answers, lock, token: str | None = None, language: str | None = None):
        self.base, self.name, self.answers, self.lock, self.token = base, name, answers, lock, token
        self.language = language
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method: str, path: str, payload: dict | None = None, form: dict | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.language:
            headers["Accept-Language"] = self.language
        data = None
        if payload is not None:
            data, headers["Content-Type"] = json.dumps(payload).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, retry, body = response.status, response.headers.get("Retry-After"), response.read()
        except urllib.error.HTTPError as error:
            status, retry, body = error.code, error.headers.get("Retry-After"), error.read()
        answer = Answer(self.name, started, time.monotonic(), status, retry, body.decode("utf-8", "replace"))
        with self.lock:
            self.answers.append(answer)
        return answer


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _scheduler(url: str, tmp_path) -> tuple[subprocess.Popen, object]:
    log_path = tmp_path / "scheduler.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp_path / "scheduler-instance"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SMTP_HOST": "",
        "SCHEDULER_LOCK_POLL_SECONDS": "0.3",
        "PYTHONUNBUFFERED": "1",
        "CLINIC_CLOCK_START": NOW.isoformat(),
    }
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "clinic", "scheduler"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return proc, log_path


def test_a_database_restart_gives_503s_not_500s_and_the_scheduler_resumes(cluster, tmp_path):
    url = cluster.url("clinic")
    migrate(url)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 5},
        }
    )
    assert not app.testing  # errors are handled as in production, not raised into the test
    with app.app_context():
        clinic = build_clinic(db.session, texts=True)
        referrals = [
            [make_ready_referral(db.session, clinic).id for _ in range(REFERRALS_PER_BOOKER)] for _ in range(BOOKERS)
        ]
        token = accounts.issue_token(db.session, clinic.staff["frontdesk"], "outage test")
        db.session.commit()
        db.session.remove()

    scheduler, scheduler_log = _scheduler(url, tmp_path)
    server, base = _serve(app)
    answers: list[Answer] = []
    lock = threading.Lock()
    done = threading.Event()
    booked: list[int] = []
    at_work: set[str] = set()  # clients that have had a good answer: the outage waits for all of them
    try:
        wait_until(lambda: "scheduler lock taken" in scheduler_log.read_text(), "the scheduler to start", 120)

        def booker(n: int) -> None:
            api = Http(base + "/api/v1", f"booker{n}", answers, lock, token)
            for referral_id in referrals[n]:
                while not done.is_set():  # as a client would: after a 503, the same request again shortly
                    slots = api.call("GET", f"/slots?referral_id={referral_id}&limit=1")
                    if slots.status == 503:
                        time.sleep(0.2)
                        continue
                    if slots.status != 200 or not json.loads(slots.body)["slots"]:
                        break
                    slot = json.loads(slots.body)["slots"][0]
                    made = api.call("POST", "/appointments", {"referral_id": referral_id, **slot})
                    if made.status == 503:
                        time.sleep(0.2)
                        continue
                    if made.status == 201:
                        with lock:
                            booked.append(json.loads(made.body)["id"])
                    at_work.add(api.name)
                    break

        def reader() -> None:
            api = Http(base + "/api/v1", "reader", answers, lock, token)
            while not done.is_set():
                if api.call("GET", "/appointments?date=2026-11-23").status == 200:
                    at_work.add(api.name)
                api.call("GET", f"/referrals/{referrals[0][0]}")

        def screen() -> None:
            browser = Http(base, "screen", answers, lock, language="en")
            while not done.is_set():  # as a person would: a page that did not come is asked for again
                page = browser.call("GET", "/login")
                csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body)
                if csrf is None:
                    time.sleep(0.2)
                    continue
                form = {"username": "frontdesk", "password": PASSWORD, "csrf_token": csrf.group(1)}
                if browser.call("POST", "/login", form=form).status == 200:
                    break
            while not done.is_set():
                if browser.call("GET", "/patients/").status == 200:
                    at_work.add(browser.name)

        threads = [threading.Thread(target=booker, args=(n,)) for n in range(BOOKERS)]
        threads += [threading.Thread(target=reader), threading.Thread(target=screen)]
        for t in threads:
            t.start()
        clients = {f"booker{n}" for n in range(BOOKERS)} | {"reader", "screen"}
        wait_until(lambda: at_work >= clients, "every client to be at work", 120)
        time.sleep(1)
        outage_begins = time.monotonic()
        cluster.stop()
        time.sleep(OUTAGE_SECONDS)
        cluster.start()
        outage_ends = time.monotonic()
        time.sleep(5)
        done.set()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a client hung"

        # The scheduler noticed, stopped its jobs, and took the lock again without anybody's help.
        wait_until(
            lambda: scheduler_log.read_text().count("scheduler lock taken") >= 2, "the scheduler to take the lock", 120
        )
        assert "the scheduler lock is lost" in scheduler_log.read_text()
        assert scheduler.poll() is None
    finally:
        done.set()
        server.shutdown()
        server.server_close()
        scheduler.terminate()
        scheduler.wait(timeout=60)
        with app.app_context():
            db.engine.dispose()

    statuses = {a.status for a in answers}
    assert 500 not in statuses, [a for a in answers if a.status == 500][:3]
    assert statuses <= {200, 201, 302, 409, 503}, statuses
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, "the outage was not seen by any client"
    for a in unavailable:
        assert a.retry_after and int(a.retry_after) > 0
        assert outage_begins - 0.5 <= a.ended and a.started <= outage_ends + GRACE_SECONDS, a
    screens = [a for a in unavailable if a.client == "screen"]
    assert screens and "Please try again shortly" in screens[0].body
    after = [a for a in answers if a.started > outage_ends + GRACE_SECONDS]
    assert after and all(a.status in (200, 201, 409) for a in after)
    assert booked, "nothing was booked"

    # No half records: each appointment has its status event and all of its bookings.
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.id, a.bed_id IS NOT NULL AS has_bed,"
                " (SELECT count(*) FROM bookings b WHERE b.appointment_id = a.id AND b.active) AS bookings,"
                " (SELECT count(*) FROM appointment_events e WHERE e.appointment_id = a.id) AS events"
                " FROM appointments a"
            )
        ).all()
        twice = conn.execute(
            text(
                "SELECT referral_id FROM appointments WHERE status = 'booked' GROUP BY referral_id HAVING count(*) > 1"
            )
        ).all()
    engine.dispose()
    assert {r.id for r in rows} >= set(booked)
    assert all(r.bookings == (4 if r.has_bed else 3) and r.events >= 1 for r in rows), rows
    assert twice == []
    print(
        f"\n{len(answers)} requests, {len(unavailable)} answered 503 in the outage window, "
        f"{len(booked)} appointments booked, 0 server errors"
    )
