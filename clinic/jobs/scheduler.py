"""The scheduler process: take the lock (or wait for it), then run the jobs on their intervals.

Never start this inside a web worker: every worker would run every job. ``flask --app clinic
scheduler`` runs it as a process of its own; ``--once`` runs each job once and exits.

Stopping: SIGTERM or SIGINT (Ctrl-C) asks the jobs to stop after the item in hand (the sender
finishes the message it is sending and records it), waits for them, then releases the lock. A
second signal does not hurry that; SIGKILL does, and then the next scheduler finds at most one
message claimed and unconfirmed (see ``clinic.jobs.mailer``). The signal handler raises nothing
into the main thread: APScheduler's loop catches BaseException around job submission and would
swallow it. It sets a flag and has another thread shut the scheduler down.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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


@dataclass
class Process:
    """What one scheduler process shares between its main thread, its job threads and its signals."""

    app: Flask
    lock: SchedulerLock
    settings: JobSettings
    stopping: threading.Event = field(default_factory=threading.Event)
    lock_lost: bool = False
    # A signal (or a caller) asked the process to end, as opposed to a lost lock, after which it waits
    # for the lock again.
    asked_to_end: bool = False
    scheduler: BlockingScheduler | None = None
    _shutdown: threading.Lock = field(default_factory=threading.Lock)
    _shutting_down: bool = False

    @classmethod
    def for_app(cls, app: Flask) -> Process:
        lock = lock_for(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
        return cls(app, lock, JobSettings.from_config(app.config))

    def should_stop(self) -> bool:
        return self.stopping.is_set()

    def end(self) -> None:
        """Stop for good: after the jobs in hand, the process ends."""
        self.asked_to_end = True
        self.stop()

    def start_over(self) -> None:
        """After a lost lock: a fresh scheduler may be built once the lock is ours again."""
        self.lock_lost = False
        self.scheduler = None
        self._shutting_down = False
        if not self.asked_to_end:
            self.stopping.clear()

    def stop(self) -> None:
        """Ask the jobs to finish their item in hand, and the scheduler to shut down once they have.
        Safe from a signal handler and from any thread, any number of times."""
        self.stopping.set()
        scheduler = self.scheduler
        if scheduler is None or not scheduler.running:
            return  # not started yet: run_forever and the heartbeat look at ``stopping``
        with self._shutdown:
            if self._shutting_down:
                return
            self._shutting_down = True

        def shut_down() -> None:
            scheduler.remove_all_jobs()  # nothing new comes due while the running jobs finish
            scheduler.shutdown(wait=True)  # waits for them, then ends the scheduler's loop

        threading.Thread(target=shut_down, name="scheduler-shutdown", daemon=True).start()


@contextlib.contextmanager
def signals_handled(process: Process) -> Iterator[None]:
    """SIGTERM and SIGINT stop the process gently; the previous handlers come back afterwards."""

    def handler(signum, _frame):
        if not process.asked_to_end:
            log.info("%s received: stopping after the jobs in hand", signal.Signals(signum).name)
        process.end()

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
        if not wait:
            return False
        if not announced:
            log.info("another scheduler holds the %r; waiting to take over", process.lock)
            announced = True
        if process.stopping.wait(process.settings.lock_poll_seconds):
            return False
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
    """Is the lock still ours, and has anybody asked us to stop?"""
    if not process.lock.still_held():
        log.error(
            "the scheduler lock is lost (database connection cut?): stopping the jobs, so that two schedulers"
            " never run at once, then waiting to take the lock again"
        )
        process.lock_lost = True
        process.stopping.set()
    if process.should_stop():
        process.stop()


def build_scheduler(process: Process) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        # The heartbeat has a thread of its own, so that busy jobs never hold back the lock check.
        executors={"default": ThreadPoolExecutor(WORKERS), "heartbeat": ThreadPoolExecutor(1)},
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
        id="heartbeat",
        name="heartbeat",
        executor="heartbeat",
        misfire_grace_time=None,
    )
    return scheduler


def run_forever(process: Process) -> None:
    """Wait for the lock, run the jobs until a signal, then let the jobs in hand finish before the lock
    is released. When the lock goes away underneath (a database restart cuts its connection), the jobs
    are stopped the same way and the process waits for the lock again, by itself: no supervisor needed,
    and never two schedulers at once."""
    with signals_handled(process):
        while True:
            try:
                if not acquire(process, wait=True):
                    return
                process.scheduler = build_scheduler(process)
                if not process.should_stop():
                    # Blocks until stop() has shut it down, which waits for the running jobs. A signal
                    # that came just before start() is picked up by the first heartbeat.
                    process.scheduler.start()
            finally:
                process.lock.release()
            if not process.lock_lost or process.asked_to_end:
                return
            log.warning("the jobs have stopped; waiting to take the scheduler lock again")
            process.start_over()
