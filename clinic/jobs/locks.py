"""One scheduler at a time: a lock that the operating system or the database server drops for us when
the process holding it dies, however it dies (kill -9 included).

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a dedicated connection that
  stays open for the life of the process. When the process dies its connection closes and the server
  releases the lock. Advisory locks are per database, so two clinics on one server do not collide.
- SQLite: ``fcntl.flock`` on a lock file next to the database file (``clinic.db.scheduler-lock``), so
  every process that opens the same database competes for the same lock, whatever its instance path.
  The kernel releases it when the file descriptor closes, i.e. when the process ends.

A scheduler that does not get the lock waits and tries again every few seconds (see
``clinic.jobs.scheduler``). The holder checks ``still_held`` as often: a PostgreSQL connection can
be cut (server restart, network), and with it the lock, while the process lives on.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

LOCK_NAME = "clinic.scheduler"


def advisory_key(name: str = LOCK_NAME) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock(bigint), derived from a readable name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class SchedulerLock(Protocol):
    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


class PostgresAdvisoryLock:
    def __init__(self, url: str | URL, key: int | None = None):
        # Its own engine without a pool: the lock lives on this one connection, which no pool may
        # recycle, ping or hand to anybody else.
        self.engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self.key = advisory_key() if key is None else key
        self._conn: Connection | None = None
        self._held = False

    def __repr__(self) -> str:
        return f"PostgreSQL advisory lock {self.key} on {self.engine.url.render_as_string(hide_password=True)}"

    def try_acquire(self) -> bool:
        if self._held:
            return True
        try:
            if self._conn is None:
                self._conn = self.engine.connect()
            self._held = bool(self._conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}))
        except DBAPIError as error:
            # The server is down or restarting: keep waiting, with a fresh connection next time.
            log.warning("cannot reach PostgreSQL for the scheduler lock: %s", error.orig)
            self._drop()
        return self._held

    def still_held(self) -> bool:
        if not self._held or self._conn is None:
            return False
        try:
            self._conn.scalar(text("SELECT 1"))
        except DBAPIError:
            # The connection is gone, and the server has released the lock with it.
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._held and self._conn is not None:
            with contextlib.suppress(DBAPIError):  # the connection is gone: so is the lock
                self._conn.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        self._drop()
        self.engine.dispose()

    def _drop(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None:
            try:
                conn.close()
            except DBAPIError:
                conn.invalidate()


class FileLock:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def __repr__(self) -> str:
        return f"lock file {self.path}"

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        # Who holds it, for an operator who wonders; the lock is the flock, not this text.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        # The file stays: deleting it would let a newcomer lock a fresh file while a waiter that
        # opened the old one locks that, and two schedulers would run.
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def lock_file_path(database_url: str | URL, instance_path: str | Path) -> Path:
    """Next to the SQLite database file; in the instance folder for an in-memory database."""
    database = make_url(database_url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).resolve().with_name(Path(database).name + ".scheduler-lock")
    return Path(instance_path) / "scheduler.lock"


def lock_for(database_url: str | URL, instance_path: str | Path) -> SchedulerLock:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresAdvisoryLock(url)
    if url.get_backend_name() == "sqlite":
        return FileLock(lock_file_path(url, instance_path))
    raise ValueError(f"no scheduler lock for {url.get_backend_name()} databases")
