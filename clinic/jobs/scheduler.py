"""The scheduler process: take the lock (or wait for it), then run the jobs on their intervals.

Never start this inside a web worker: every worker would run every job. ``flask --app clinic
scheduler`` runs it as a process of its own; ``--once`` runs each job once and exits.

Stopping: SIGTERM or SIGINT (Ctrl-C) asks the jobs to stop after the item in hand (the sender
finishes the message it is sending and records it), waits for them, then releases the lock. A
second signal does not hurry that; SIGKILL does, and then the next scheduler finds at most one
message claimed and unconfirmed (see ``clinic.jobs.mailer``).
"""

from __future__ import annotations

import _thread
import contextlib
import datetime as dt
import logging
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from ..models.base import utcnow
from .locks import SchedulerLock, lock_for
from .runner import run_job
from .settings import JobSettings
from .tasks import JOBS

log = logging.getLogger(__name__)

# How often each job runs, in seconds.
INTERVALS: dict[str, int] = {
    "send_outbox": 30,
    "release_holds": 60,
    "queue_reminders": 15 * 60,
    "follow_ups_due": 15 * 60,
    "flag_ageing_referrals": 15 * 60,
    "mark_no_shows": 60 * 60,
    "prune_job_runs": 24 * 60 * 60,
}
# Enough threads that a sender waiting on a slow mail server does not hold back the other jobs.
WORKERS = 4


class StopRequested(BaseException):
    """Raised in the main thread by SIGTERM/SIGINT to leave the scheduler's loop (not an Exception, so
    that no ``except Exception`` on the way swallows it)."""


class LockLost(RuntimeError):
    pass


@dataclass
class Process:
    """What one scheduler process shares between its main thread, its job threads and its signals."""

    app: Flask
    lock: SchedulerLock
    settings: JobSettings
    stopping: threading.Event
    lock_lost: bool = False

    @classmethod
    def for_app(cls, app: Flask) -> Process:
        lock = lock_for(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
        return cls(app, lock, JobSettings.from_config(app.config), threading.Event())

    def should_stop(self) -> bool:
        return self.stopping.is_set()


@contextlib.contextmanager
def signals_handled(process: Process, *, interrupt: bool) -> Iterator[None]:
    """SIGTERM and SIGINT ask the jobs to stop; the previous handlers come back afterwards.

    ``interrupt``: also raise StopRequested in the main thread, to leave a wait or the scheduler's
    loop. Only when no job runs in the main thread: a job must never be cut between the mail
    server's reply and the commit that records it."""

    def handler(signum, _frame):
        first = not process.stopping.is_set()
        process.stopping.set()
        if first:
            log.info("%s received: stopping after the jobs in hand", signal.Signals(signum).name)
            if interrupt:
                raise StopRequested(signum)

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def acquire(process: Process, *, wait: bool) -> bool:
    """Take the lock; when another scheduler has it, wait idle (polling) unless ``wait`` is False."""
    announced = False
    while not process.lock.try_acquire():
        if not wait or process.should_stop():
            return False
        if not announced:
            log.info("another scheduler holds the %r; waiting to take over", process.lock)
            announced = True
        time.sleep(process.settings.lock_poll_seconds)
    log.info("scheduler lock taken: %r", process.lock)
    return True


def run_once(process: Process, names: Iterable[str] | None = None) -> dict[str, str]:
    """Each job once, in a sensible order (holds and no-shows before reminders, reminders before
    sending). The caller holds the lock."""
    results = {}
    for name in names or JOBS:
        if process.should_stop():
            break
        results[name] = run_job(process.app, name, should_stop=process.should_stop)
    return results


def _heartbeat(process: Process) -> None:
    if process.lock.still_held():
        return
    log.error("the scheduler lock is lost (database connection cut?): stopping, so that two never run")
    process.lock_lost = True
    _thread.interrupt_main(signal.SIGTERM)  # as if the operator had stopped us: see the handler


def build_scheduler(process: Process) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        executors={"default": ThreadPoolExecutor(WORKERS)},
        # coalesce: after a pause (a slow run, a suspended laptop) run once, not once per missed turn.
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=dt.UTC,
    )
    start = utcnow()
    for name, seconds in INTERVALS.items():
        scheduler.add_job(
            run_job,
            IntervalTrigger(seconds=seconds, timezone=dt.UTC),
            args=[process.app, name],
            kwargs={"should_stop": process.should_stop},
            id=name,
            name=name,
            next_run_time=start,  # every job runs once at start, then on its interval
            misfire_grace_time=seconds,
        )
    scheduler.add_job(
        _heartbeat,
        IntervalTrigger(seconds=process.settings.lock_poll_seconds, timezone=dt.UTC),
        args=[process],
        id="lock_heartbeat",
        name="lock_heartbeat",
        misfire_grace_time=None,
    )
    return scheduler


def run_forever(process: Process) -> None:
    """Wait for the lock, run the jobs until a signal (or the loss of the lock), then let the jobs in
    hand finish before the lock is released. Raises LockLost when the lock went away underneath."""
    scheduler: BlockingScheduler | None = None
    with signals_handled(process, interrupt=True):
        try:
            if not acquire(process, wait=True):
                return
            scheduler = build_scheduler(process)
            scheduler.start()
        except StopRequested:
            pass
        finally:
            process.stopping.set()
            if scheduler is not None and scheduler.running:
                scheduler.shutdown(wait=True)  # the jobs see ``stopping`` and finish their item in hand
            process.lock.release()
    if process.lock_lost:
        raise LockLost("the scheduler lock was lost")
