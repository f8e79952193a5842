"""Fixtures for the background jobs: a real SMTP server on localhost (aiosmtpd), running jobs at a fixed
clock, and scheduler processes started as an operator would (``flask --app clinic scheduler``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clinic.config import PROJECT_ROOT
from clinic.extensions import db
from clinic.jobs.runner import run_job
from clinic.jobs.tasks import JOBS
from tests.conftest import NOW

from .smtp import SmtpServer, free_port

# Short enough for the crash tests to recover quickly, long enough to be realistic in kind.
TEST_LEASE_SECONDS = 1.0
LOCK_POLL_SECONDS = 0.3


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail(app, smtp):
    """The app's mail settings pointing at the test's SMTP server."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TIMEOUT_SECONDS=10)
    return smtp


def run(app, *names: str, at=NOW) -> dict[str, str]:
    """Run jobs in-process (each in its own app context and session, as the scheduler does) at a fixed
    instant. The test's session is committed first: the job is another transaction, which would see
    only committed data, and on SQLite it needs the write lock that an open transaction holds."""
    db.session.commit()
    return {name: run_job(app, name, clock=lambda: at) for name in (names or JOBS)}


def wait_until(predicate: Callable[[], object], what: str, timeout: float = 180.0, every: float = 0.1):
    """Poll until ``predicate()`` is truthy. The timeout only bounds a hang; no test asserts times."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


class Schedulers:
    """Scheduler processes of one test, each logging to its own file; all killed at the end."""

    def __init__(self, database_url: str, tmp_path: Path):
        self.database_url = database_url
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.logs: dict[int, Path] = {}

    def start(self, *args: str, smtp_port: int | None = None, **env: str) -> subprocess.Popen:
        environment = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "INSTANCE_PATH": str(self.tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SMTP_HOST": "127.0.0.1" if smtp_port else "",
            "SMTP_PORT": str(smtp_port or 25),
            "SMTP_TIMEOUT_SECONDS": "20",
            "OUTBOX_LEASE_SECONDS": str(TEST_LEASE_SECONDS),
            "SCHEDULER_LOCK_POLL_SECONDS": str(LOCK_POLL_SECONDS),
            "PYTHONUNBUFFERED": "1",
            "CLINIC_CLOCK_START": NOW.isoformat(),  # the process's clock runs on from the tests' NOW
            **env,
        }
        log_path = self.tmp_path / f"scheduler-{len(self.procs) + 1}.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "clinic", "scheduler", *args],
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        self.logs[proc.pid] = log_path
        return proc

    def log(self, proc: subprocess.Popen) -> str:
        return self.logs[proc.pid].read_text()

    def kill(self, proc: subprocess.Popen) -> None:
        """kill -9: no clean-up of any kind, as when the machine or the OOM killer stops it."""
        proc.kill()
        proc.wait(timeout=30)

    def stop(self, proc: subprocess.Popen) -> int:
        """SIGTERM, as systemd or Ctrl-C would: the scheduler finishes the item in hand and exits."""
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=60)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)


@pytest.fixture
def schedulers(app, database_url, tmp_path):
    group = Schedulers(database_url, tmp_path)
    yield group
    group.close()
