"""The scheduler as a process, as operators run it (``flask --app clinic scheduler``): killed with -9 in
the middle of sending, stopped with SIGTERM, and two of them competing for the lock.

What "exactly once" can and cannot mean here is stated by the tests themselves:

- killed while a message is on its way but before the server has taken it: nothing is lost and nothing
  is received twice;
- killed in the instant after the server took a message and before it was marked sent: that message
  arrives twice, both copies with the same Message-ID (the duplicate window of clinic.jobs.mailer);
- stopped with SIGTERM: the message in hand is finished and recorded, nothing else is started.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, text

from clinic.models import JobRun, OutboxMessage
from clinic.models.vocab import OutboxStatus
from clinic.services import outbox
from tests.conftest import NOW

from .conftest import TEST_LEASE_SECONDS, wait_until
from .smtp import Stall

pytestmark = pytest.mark.slow


def queue(session, n: int) -> list[int]:
    ids = []
    for i in range(n):
        message = outbox.queue(
            session, kind="other", recipient=f"p{i}@example.org", subject=f"Nachricht {i}", body="…", now=NOW
        )
        ids.append(message.id)
    session.commit()
    return ids


def messages(session) -> dict[int, OutboxMessage]:
    """A fresh look at the outbox, ending the read at once (on SQLite a transaction holds the write lock)."""
    session.expire_all()
    rows = {m.id: m for m in session.scalars(select(OutboxMessage))}
    for m in rows.values():
        session.expunge(m)
    session.commit()
    return rows


def runs(session) -> list[JobRun]:
    session.expire_all()
    rows = session.scalars(select(JobRun).order_by(JobRun.id)).all()
    for r in rows:
        session.expunge(r)
    session.commit()
    return list(rows)


def all_sent(session):
    return all(m.status == OutboxStatus.SENT for m in messages(session).values())


def sending_until(session, mail, schedulers, stall: Stall, *, queued: int, reached: str):
    """``queued`` messages in the outbox and a scheduler sending them until the mail server holds one
    (``stall``, described by ``reached``): the messages' ids and the scheduler, caught in the middle."""
    ids = queue(session, queued)
    mail.handler.stall = stall
    first = schedulers.start(smtp_port=mail.port)
    wait_until(stall.reached.is_set, reached)
    return ids, first


def send_the_rest(session, mail, schedulers, waiting_for: str = "every message to be sent") -> None:
    """A new scheduler sends what is left in the outbox and stops cleanly."""
    second = schedulers.start(smtp_port=mail.port)
    wait_until(lambda: all_sent(session), waiting_for)
    assert schedulers.stop(second) == 0


def test_killed_while_a_message_is_on_its_way_then_restarted_loses_nothing_and_repeats_nothing(
    session, mail, schedulers
):
    stall = Stall(3, accept=False)
    ids, first = sending_until(
        session, mail, schedulers, stall, queued=6, reached="the third message to reach the server"
    )
    schedulers.kill(first)
    stall.release.set()

    assert mail.ids() == ids[:2]
    at_crash = messages(session)
    assert [at_crash[i].status for i in ids] == ["sent", "sent", "queued", "queued", "queued", "queued"]
    assert at_crash[ids[2]].claimed_at is not None  # claimed by the dead process, never confirmed
    assert all(at_crash[i].claimed_at is None for i in ids[3:])

    time.sleep(TEST_LEASE_SECONDS)  # the dead sender's claim runs out
    send_the_rest(session, mail, schedulers)

    assert mail.ids() == ids  # each exactly once
    killed = [r for r in runs(session) if r.pid == first.pid and r.job == "send_outbox"]
    assert killed[-1].finished_at is None  # the killed run shows as started and never finished


def test_killed_just_after_the_server_took_a_message_sends_it_again_under_the_same_message_id(
    session, mail, schedulers
):
    stall = Stall(2, accept=True)
    ids, first = sending_until(
        session, mail, schedulers, stall, queued=4, reached="the second message to be taken by the server"
    )
    schedulers.kill(first)  # the server has the message; its "250" never reached the sender
    stall.release.set()

    time.sleep(TEST_LEASE_SECONDS)
    send_the_rest(session, mail, schedulers)

    # The one message in the window arrives twice, recognisably the same; every other one once.
    assert mail.ids() == sorted([*ids, ids[1]])
    copies = [r.message_id for r in mail.received if r.outbox_id == ids[1]]
    assert copies == [f"<outbox-{ids[1]}.0@schmerzzentrum.example>"] * 2


def test_sigterm_while_sending_finishes_that_message_and_starts_no_other(session, mail, schedulers):
    stall = Stall(2, accept=True)
    ids, first = sending_until(
        session, mail, schedulers, stall, queued=4, reached="the second message to reach the server"
    )
    first.terminate()
    wait_until(lambda: "SIGTERM received" in schedulers.log(first), "the scheduler to take the signal")
    stall.release.set()
    assert first.wait(timeout=60) == 0

    after_stop = messages(session)
    assert [after_stop[i].status for i in ids] == ["sent", "sent", "queued", "queued"]
    assert all(m.claimed_at is None for m in after_stop.values())
    assert mail.ids() == ids[:2]

    send_the_rest(session, mail, schedulers, "the rest to be sent")
    assert mail.ids() == ids


def test_two_schedulers_run_each_job_once_and_the_second_takes_over_when_the_first_dies(
    session, mail, schedulers, backend
):
    early = queue(session, 1)
    a = schedulers.start(smtp_port=mail.port)
    wait_until(lambda: mail.ids() == early, "the first scheduler to send")
    b = schedulers.start(smtp_port=mail.port)
    wait_until(lambda: "waiting to take over" in schedulers.log(b), "the second scheduler to wait")
    assert "lock taken" in schedulers.log(a) and "lock taken" not in schedulers.log(b)
    assert {r.pid for r in runs(session)} == {a.pid}

    schedulers.kill(a)
    late = queue(session, 1)
    wait_until(lambda: "lock taken" in schedulers.log(b), "the second scheduler to take over")
    wait_until(lambda: mail.ids() == early + late, "the second scheduler to send")
    assert schedulers.stop(b) == 0

    every_run = runs(session)
    by_a = [r.id for r in every_run if r.pid == a.pid]
    by_b = [r.id for r in every_run if r.pid == b.pid]
    assert len(by_a) + len(by_b) == len(every_run)
    assert max(by_a) < min(by_b)  # never both at once: b's first run comes after a's last
    assert mail.ids() == early + late  # each message once
    if backend == "sqlite":
        assert "lock file" in schedulers.log(b)
    else:
        assert "advisory lock" in schedulers.log(b)


@pytest.mark.postgres_only
def test_a_scheduler_that_loses_its_lock_stops_its_jobs_and_takes_the_lock_again(session, schedulers, backend):
    if backend != "postgresql":
        pytest.skip("a lock file cannot be taken away from a living process")
    holder = schedulers.start()
    wait_until(lambda: "lock taken" in schedulers.log(holder), "the scheduler to take the lock")
    # The lock's connection is cut, as by a database restart or a network failure.
    lock_pid = session.scalar(
        text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
    )
    session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lock_pid})
    session.commit()
    wait_until(lambda: "the scheduler lock is lost" in schedulers.log(holder), "the scheduler to notice")
    wait_until(lambda: schedulers.log(holder).count("scheduler lock taken") == 2, "the scheduler to take it again")
    assert holder.poll() is None  # still running: no supervisor needed
    log = schedulers.log(holder)
    assert log.index("the jobs have stopped") < log.rindex("scheduler lock taken")  # never two at once
    assert schedulers.stop(holder) == 0
