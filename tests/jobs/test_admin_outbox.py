"""The admin's outbox screen: filters, pagination, resend (audited), and why nothing is sent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from clinic.models import AuditEvent, JobRun, OutboxMessage
from clinic.models.vocab import OutboxStatus
from clinic.services import outbox
from tests.conftest import NOW, Browser
from tests.factories import PASSWORD, build_clinic

from .conftest import run


@pytest.fixture
def admin(app, session) -> Browser:
    build_clinic(session)
    session.commit()
    browser = Browser(app.test_client())
    browser.login("admin", PASSWORD)
    return browser


def message(session, recipient="jane@example.org", *, kind="reminder", status=OutboxStatus.QUEUED, at=NOW, **kw):
    row = outbox.queue(session, kind=kind, recipient=recipient, subject=f"To {recipient}", body="…", now=at)
    row.status = status
    if status == OutboxStatus.SENT:
        row.sent_at, row.attempts = at, 1
    for key, value in kw.items():
        setattr(row, key, value)
    session.commit()
    return row


def listed(page) -> list[str]:
    return re.findall(r'<tr id="message-(\d+)">', page.get_data(as_text=True))


def test_only_admins_see_the_outbox(app, admin, session):
    frontdesk = Browser(app.test_client())
    frontdesk.login("frontdesk", PASSWORD)
    assert frontdesk.get("/admin/outbox").status_code == 403
    assert admin.get("/admin/outbox").status_code == 200


def test_kinds_show_by_their_labels(admin, session):
    """Found in the walk: the kind column and its filter showed codes (portal_link)."""
    message(session, kind="portal_link")
    message(session, "bert@example.org")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "<td>Patient link</td>" in page and "<td>Appointment reminder</td>" in page
    assert '<option value="portal_link">Patient link</option>' in page and "<td>portal_link</td>" not in page


def test_filters_by_status_kind_recipient_and_date(admin, session):
    failed = message(session, "Anna.Schmidt@example.org", status=OutboxStatus.FAILED, last_error="550 No such user")
    sent = message(session, "bert@example.org", status=OutboxStatus.SENT, kind="letter")
    old = message(session, "carla@example.org", at=NOW - dt.timedelta(days=10))

    assert listed(admin.get("/admin/outbox?status=failed")) == [str(failed.id)]
    assert listed(admin.get("/admin/outbox?kind=letter")) == [str(sent.id)]
    assert listed(admin.get("/admin/outbox?recipient=anna.SCHMIDT")) == [str(failed.id)]
    assert listed(admin.get("/admin/outbox?until=2026-11-14")) == [str(old.id)]
    assert listed(admin.get("/admin/outbox?since=2026-11-23&until=2026-11-23")) == [str(sent.id), str(failed.id)]
    page = admin.get("/admin/outbox?recipient=%25")  # a wildcard is searched for, not obeyed
    assert listed(page) == []
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "550 No such user" in html
    bad = admin.get("/admin/outbox?since=yesterday")
    assert bad.status_code == 400 and "Not a valid date" in bad.get_data(as_text=True)


def test_pages_of_fifty(admin, session):
    for n in range(51):
        message(session, f"p{n}@example.org")
    first, second = admin.get("/admin/outbox"), admin.get("/admin/outbox?page=2")
    assert (len(listed(first)), len(listed(second))) == (50, 1)
    assert 'href="/admin/outbox?page=2"' in first.get_data(as_text=True)


def test_resend_puts_a_failed_message_back_in_the_queue_and_audits_it(admin, session):
    failed = message(session, status=OutboxStatus.FAILED, attempts=8, last_error="timeout")
    page = admin.get("/admin/outbox?status=failed").get_data(as_text=True)
    form = re.search(rf'<form method="post" action="/admin/outbox/{failed.id}/resend"[^>]*>', page).group(0)
    assert 'data-confirm="Send this message to jane@example.org again?"' in form

    answer = admin.post(
        f"/admin/outbox/{failed.id}/resend", {"status": "failed"}, form_page="/admin/outbox?status=failed"
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/outbox?status=failed"
    session.expire_all()
    again = session.get(OutboxMessage, failed.id)
    assert (again.status, again.attempts, again.last_error) == (OutboxStatus.QUEUED, 0, None)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.resend"))
    assert (event.actor_name, event.object_id) == ("admin", str(failed.id))
    assert '"status": ["failed", "queued"]' in event.summary


def test_a_resent_message_is_delivered_again_under_a_new_message_id(app, admin, session, mail):
    sent = message(session)
    run(app, "send_outbox")
    admin.post(f"/admin/outbox/{sent.id}/resend", form_page="/admin/outbox")
    run(app, "send_outbox")
    assert [r.message_id for r in mail.received] == [
        f"<outbox-{sent.id}.0@schmerzzentrum.example>",
        f"<outbox-{sent.id}.1@schmerzzentrum.example>",
    ]


def test_a_queued_message_cannot_be_resent(admin, session):
    queued = message(session)
    answer = admin.post(f"/admin/outbox/{queued.id}/resend", form_page="/admin/outbox", follow_redirects=True)
    assert "Only a failed or sent message can be sent again" in answer.get_data(as_text=True)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.resend")) is None


def test_resend_needs_the_csrf_token(admin, session):
    failed = message(session, status=OutboxStatus.FAILED)
    assert admin.client.post(f"/admin/outbox/{failed.id}/resend").status_code == 400
    session.expire_all()
    assert session.get(OutboxMessage, failed.id).status == OutboxStatus.FAILED


def test_the_screen_says_when_mail_is_not_configured(app, admin, session):
    message(session)
    app.config["SMTP_HOST"] = ""
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Mail is not configured" in html and "stay" in html
    assert 'id="scheduler-never-ran"' in html

    app.config["SMTP_HOST"] = "mail.example.org"
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Mail is not configured" not in html

    # The web server has the settings, the scheduler does not: its last run says so.
    session.add(JobRun(job="send_outbox", host="h", pid=1, started_at=NOW, result=outbox.NOT_CONFIGURED))
    session.commit()
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "The scheduler has no mail settings" in html
    assert 'id="scheduler-never-ran"' not in html


def test_the_screen_has_no_inline_script_or_style(admin, session):
    message(session, status=OutboxStatus.FAILED, last_error="x" * 200)
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert re.search(r"\bon[a-z]+=", html) is None
