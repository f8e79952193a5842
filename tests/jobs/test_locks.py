"""One scheduler at a time: the lock file on SQLite, the advisory lock on PostgreSQL, and --once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from clinic.jobs.locks import FileLock, PostgresAdvisoryLock, lock_file_path, lock_for
from clinic.models import JobRun


def test_the_lock_file_sits_next_to_the_sqlite_database(tmp_path):
    database = tmp_path / "data" / "clinic.db"
    assert lock_file_path(f"sqlite:///{database}", tmp_path / "instance") == database.with_name(
        "clinic.db.scheduler-lock"
    )
    assert lock_file_path("sqlite://", tmp_path / "instance") == tmp_path / "instance" / "scheduler.lock"
    assert isinstance(lock_for(f"sqlite:///{database}", tmp_path), FileLock)


def test_a_lock_file_is_held_by_one_holder_and_passed_on_when_released(tmp_path):
    first, second = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
    assert (tmp_path / "x.lock").exists()  # left in place on purpose (see FileLock.release)


def test_a_lock_file_is_freed_when_its_process_is_killed(tmp_path):
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from clinic.jobs.locks import FileLock
                assert FileLock({str(path)!r}).try_acquire()
                print("held", flush=True)
                time.sleep(600)
                """
            ),
        ],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        waiting = FileLock(path)
        assert not waiting.try_acquire()
        holder.kill()
        holder.wait(timeout=30)
        assert waiting.try_acquire()
        waiting.release()
    finally:
        holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()


@pytest.fixture
def pg_url(database_url, backend):
    """The PostgreSQL test database (``database_url`` itself fails in CI when there is none)."""
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite uses the lock file")
    return database_url


@pytest.mark.postgres_only
def test_the_advisory_lock_has_one_holder_and_dies_with_its_connection(pg_url):
    first, second = PostgresAdvisoryLock(pg_url), PostgresAdvisoryLock(pg_url)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire()

        # The holder's connection is cut (server restart, network): the lock goes with it, the
        # holder notices, and the other one can take over.
        pid = first._conn.scalar(text("SELECT pg_backend_pid()"))
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        assert not first.still_held()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_once_refuses_to_run_beside_a_running_scheduler(app, session):
    other = lock_for(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    assert other.try_acquire()
    try:
        result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
        assert result.exit_code == 1 and "Another scheduler is running" in result.output
        assert session.scalars(select(JobRun)).all() == []
        session.commit()
    finally:
        other.release()

    result = app.test_cli_runner().invoke(args=["scheduler", "--once", "--job", "release_holds"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "release_holds: nothing to do"
    assert session.scalars(select(JobRun.job)).all() == ["release_holds"]
