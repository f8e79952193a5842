"""The sender: claim, send through a real SMTP server, mark; backoff when the server is down; never
twice for one claim."""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from clinic.models import JobRun, OutboxMessage
from clinic.models.vocab import OutboxStatus
from clinic.services import outbox
from tests.conftest import NOW

from .conftest import run
from .smtp import SmtpServer, free_port


def queue(session, n: int = 1, **kw) -> list[OutboxMessage]:
    messages = [
        outbox.queue(
            session,
            kind=kw.get("kind", "other"),
            recipient=kw.get("recipient", f"patient{i}@example.org"),
            subject=kw.get("subject", f"Message {i}"),
            body=kw.get("body", f"Hallo Jürgen, Nachricht {i}."),
            now=kw.get("now", NOW),
        )
        for i in range(1, n + 1)
    ]
    session.commit()
    return messages


def state(session, message_id: int) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message_id)


def test_a_queued_message_is_delivered_once_with_a_message_id_derived_from_its_id(session, app, mail):
    (message,) = queue(session)
    assert run(app, "send_outbox")["send_outbox"] == "sent 1"
    assert run(app, "send_outbox")["send_outbox"] == "nothing to do"
    (received,) = mail.received
    assert received.outbox_id == message.id
    assert received.message_id == f"<outbox-{message.id}.0@schmerzzentrum.example>"
    assert received.body.strip() == "Hallo Jürgen, Nachricht 1."
    assert received.sender == "Schmerzzentrum am Stadtpark <termine@schmerzzentrum.example>"
    sent = state(session, message.id)
    assert (sent.status, sent.attempts, sent.sent_at, sent.claimed_at) == (OutboxStatus.SENT, 1, NOW, None)


def test_the_smtp_server_down_means_retries_with_growing_pauses_then_delivery(session, app, mail):
    port = free_port()  # nothing listens here yet
    app.config["SMTP_PORT"] = port
    (message,) = queue(session)

    run(app, "send_outbox", at=NOW)
    first = state(session, message.id)
    assert (first.status, first.attempts) == (OutboxStatus.QUEUED, 1)
    assert first.next_attempt_at == NOW + dt.timedelta(minutes=1)
    assert "Connection refused" in first.last_error or "ConnectionRefused" in first.last_error

    run(app, "send_outbox", at=NOW + dt.timedelta(seconds=30))  # not due yet: no attempt
    assert state(session, message.id).attempts == 1

    run(app, "send_outbox", at=NOW + dt.timedelta(minutes=1))
    second = state(session, message.id)
    assert second.attempts == 2
    assert second.next_attempt_at == NOW + dt.timedelta(minutes=1) + dt.timedelta(minutes=2)

    server = SmtpServer(port)  # the mail server is back
    server.start()
    try:
        run(app, "send_outbox", at=second.next_attempt_at)
        assert server.ids() == [message.id]
    finally:
        server.stop()
    done = state(session, message.id)
    assert (done.status, done.attempts, done.last_error) == (OutboxStatus.SENT, 3, None)


def test_it_gives_up_after_the_last_attempt(session, app, mail):
    app.config.update(SMTP_PORT=free_port(), OUTBOX_MAX_ATTEMPTS=3)
    (message,) = queue(session)
    at = NOW
    for _ in range(3):
        run(app, "send_outbox", at=at)
        at = state(session, message.id).next_attempt_at or at
    gone = state(session, message.id)
    assert (gone.status, gone.attempts, gone.next_attempt_at) == (OutboxStatus.FAILED, 3, None)
    run(app, "send_outbox", at=at + dt.timedelta(days=1))
    assert state(session, message.id).attempts == 3


def test_a_final_refusal_fails_at_once_and_the_others_still_go(session, app, mail):
    mail.handler.refuse["nobody@example.org"] = "550 5.1.1 No such user"
    bad, good = queue(session, recipient="nobody@example.org") + queue(session, recipient="ok@example.org")
    result = run(app, "send_outbox")["send_outbox"]
    assert result == "sent 1, failed 1"
    refused = state(session, bad.id)
    assert (refused.status, refused.attempts) == (OutboxStatus.FAILED, 1)
    assert "550" in refused.last_error and "No such user" in refused.last_error
    assert mail.ids() == [good.id]


def test_a_passing_refusal_is_retried(session, app, mail):
    mail.handler.refuse["busy@example.org"] = "451 4.2.0 Mailbox busy"
    (message,) = queue(session, recipient="busy@example.org")
    run(app, "send_outbox")
    retry = state(session, message.id)
    assert (retry.status, retry.attempts, retry.next_attempt_at) == (
        OutboxStatus.QUEUED,
        1,
        NOW + dt.timedelta(minutes=1),
    )


def test_without_smtp_host_messages_stay_queued_and_the_run_says_why(session, app):
    app.config["SMTP_HOST"] = ""
    (message,) = queue(session)
    assert run(app, "send_outbox")["send_outbox"] == outbox.NOT_CONFIGURED
    untouched = state(session, message.id)
    assert (untouched.status, untouched.attempts, untouched.claimed_at) == (OutboxStatus.QUEUED, 0, None)
    assert session.scalar(select(JobRun.result).where(JobRun.job == "send_outbox")) == outbox.NOT_CONFIGURED


def test_a_claim_is_taken_once_and_only_the_claimant_marks_the_message(session):
    policy = outbox.RetryPolicy(lease=dt.timedelta(minutes=10))
    (message,) = queue(session)
    claim = outbox.claim_next(session, NOW, policy)
    session.commit()
    assert claim is not None and claim.id == message.id
    assert outbox.claim_next(session, NOW + dt.timedelta(minutes=9), policy) is None  # a live claim holds

    # The claimant died; after the lease another sender takes the message over.
    later = NOW + dt.timedelta(minutes=11)
    second = outbox.claim_next(session, later, policy)
    session.commit()
    assert second is not None and second.claimed_at == later
    assert outbox.mark_sent(session, claim, later) is False  # the old claim no longer counts
    assert outbox.mark_sent(session, second, later) is True
    session.commit()
    assert state(session, message.id).status == OutboxStatus.SENT


def test_queueing_with_the_same_key_twice_adds_one_message(session):
    first = outbox.queue(session, kind="x", recipient="a@example.org", subject="s", body="b", now=NOW, dedupe_key="k")
    again = outbox.queue(session, kind="x", recipient="a@example.org", subject="s", body="b", now=NOW, dedupe_key="k")
    session.commit()
    assert first is not None and again is None
    assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_backoff_doubles_up_to_its_ceiling():
    policy = outbox.RetryPolicy(base_delay=dt.timedelta(minutes=1), max_delay=dt.timedelta(minutes=5))
    assert [policy.delay(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 5, 5]


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by this process only (SSL_CERT_FILE)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _clinic_login(server, session, envelope, mechanism, auth_data):
    # handled=False: aiosmtpd sends the 235 or 535 reply itself.
    return AuthResult(success=auth_data == LoginPassword(b"clinic", b"s3cret"), handled=False)


def test_starttls_and_login_when_configured(session, app, certificate):
    server = SmtpServer(free_port(), tls_context=certificate, require_starttls=True, authenticator=_clinic_login)
    server.start()
    try:
        app.config.update(
            SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_STARTTLS=True, SMTP_USER="clinic", SMTP_PASSWORD="nope"
        )
        (message,) = queue(session)
        run(app, "send_outbox")
        refused = state(session, message.id)
        assert (refused.status, refused.attempts) == (OutboxStatus.QUEUED, 1)  # a wrong password is retried
        assert refused.last_error.startswith("SMTP login failed: 535")

        app.config["SMTP_PASSWORD"] = "s3cret"
        run(app, "send_outbox", at=refused.next_attempt_at)
        assert server.ids() == [message.id]
    finally:
        server.stop()


def test_starttls_required_by_us_but_not_offered_is_retried_not_given_up(session, app, mail):
    app.config["SMTP_STARTTLS"] = True
    (message,) = queue(session)
    run(app, "send_outbox")
    retry = state(session, message.id)
    assert (retry.status, retry.attempts) == (OutboxStatus.QUEUED, 1)
    assert "STARTTLS" in retry.last_error
    assert mail.received == []
