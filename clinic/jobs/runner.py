"""Running one job: its own app context and session, its actor, and a JobRun row that says when it ran,
where (host and pid) and what came of it.

The JobRun row is committed before the job starts, so a run that was killed shows as started and
never finished. A job that raises is rolled back and its error becomes the run's result; the
scheduler carries on with the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import StatementError

from ..core import audit
from ..extensions import db
from ..logsafe import describe, log_error
from ..models import JobRun
from ..models.base import utcnow
from ..services.outbox import NOT_CONFIGURED
from .settings import JobSettings
from .tasks import IDLE, JOBS, SCHEDULER, JobContext

log = logging.getLogger(__name__)

HOST = socket.gethostname()[:120]
MAX_RESULT_LENGTH = 2000


def run_job(
    app: Flask,
    name: str,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    should_stop: Callable[[], bool] = lambda: False,
) -> str:
    job = JOBS[name]
    with app.app_context():
        session = db.session
        try:
            audit.set_actor(session, SCHEDULER)
            run = JobRun(job=name, started_at=clock(), host=HOST, pid=os.getpid())
            session.add(run)
            session.commit()
            run_id = run.id
            context = JobContext(session, JobSettings.from_config(app.config), clock, should_stop)
            try:
                result = job(context)
            except Exception as error:
                session.rollback()
                log_error(log, f"job {name} failed", error)
                # The run's row (seen by admins) keeps the message, except a database error's, whose text
                # quotes the values it refused.
                said = describe(error) if isinstance(error, StatementError) else f"{error.__class__.__name__}: {error}"
                result = f"error: {said}"
            session.execute(
                update(JobRun)
                .where(JobRun.id == run_id)
                .values(finished_at=clock(), result=result[:MAX_RESULT_LENGTH])
                .execution_options(synchronize_session=False)
            )
            session.commit()
        finally:
            db.session.remove()
    _log_result(name, result)
    return result


_said_once: set[str] = set()


def _log_result(name: str, result: str) -> None:
    if result == IDLE:
        return
    if result == NOT_CONFIGURED:
        # Every 30 seconds would bury the log; the admin's outbox screen keeps saying it.
        if result not in _said_once:
            _said_once.add(result)
            log.warning("%s: %s", name, result)
        return
    log.info("%s: %s", name, result)
