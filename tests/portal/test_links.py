"""The link itself: sent by email through the outbox (the token written in only when the sender sends
it, never stored), printed on the appointment letter as a URL and a QR code, the same address on every
reprint, revoked links withdrawn from the outbox; the desk's screens that send, revoke and unlock."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.jobs.runner import run_job
from clinic.models import OutboxMessage, PortalLink
from clinic.models.vocab import OutboxStatus
from clinic.services import documents, portal_links, portal_mail
from tests.conftest import NOW, Browser
from tests.documents.helpers import decode_qr, page_count, render_png, text_of
from tests.factories import book, build_clinic, make_patient, make_ready_referral
from tests.jobs.smtp import SmtpServer, free_port

from .helpers import Patient, link_for, open_portal

BIRTH = dt.date(1952, 5, 17)
LINK = re.compile(r"https?://\S+/p/([A-Za-z0-9_-]{43})")


@pytest.fixture
def smtp(app):
    server = SmtpServer(free_port())
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT_SECONDS=10)
    yield server
    server.stop()


def _ready(session, **patient):
    clinic = build_clinic(session, texts=True)
    open_portal(session)
    referral = make_ready_referral(session, clinic, make_patient(session, birth_date=BIRTH, **patient))
    session.commit()
    return clinic, referral


def test_the_desk_sends_the_link_and_the_token_is_never_stored(session, app, smtp):
    _clinic, referral = _ready(session, email="ilse.becker@example.org", preferred_language="de")
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    sent = desk.post(f"/desk/referrals/{referral.id}/portal/send", form_page=f"/desk/referrals/{referral.id}")
    assert sent.status_code == 302
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == portal_mail.KIND))
    assert message.recipient == "ilse.becker@example.org" and "Geburtsdatum" in message.body
    assert "[[portal-link:" in message.body and not LINK.search(message.body)  # no token in the database

    db.session.commit()
    assert run_job(app, "send_outbox", clock=lambda: NOW) == "sent 1"
    [received] = smtp.received
    token = LINK.search(received.body).group(1)
    link = session.scalar(select(PortalLink))
    assert link.token_hash == portal_links.token_hash(token)
    assert Patient(app.test_client(), token).open(BIRTH).status_code == 302

    # Resending sends the same link again; the page shows when it was sent and opened.
    desk.post(f"/desk/referrals/{referral.id}/portal/send", form_page=f"/desk/referrals/{referral.id}")
    assert len(session.scalars(select(PortalLink)).all()) == 1
    page = desk.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "last sent" in page and "last opened" in page and "date of birth given" in page


def test_a_link_revoked_before_its_email_left_is_not_sent(session, app, smtp):
    clinic, referral = _ready(session)
    link, _token = link_for(session, referral, clinic.staff["frontdesk"])
    portal_mail.queue(session, clinic.staff["frontdesk"], link, "https://clinic.example")
    portal_links.revoke(session, clinic.staff["frontdesk"], link)
    db.session.commit()
    assert run_job(app, "send_outbox", clock=lambda: NOW) == "withdrawn 1"
    assert smtp.received == []
    message = session.scalar(select(OutboxMessage))
    session.refresh(message)
    assert message.status == OutboxStatus.FAILED and "revoked" in message.last_error


def test_no_email_address_says_what_to_do(session, app):
    _clinic, referral = _ready(session, email=None)
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    answer = desk.post(
        f"/desk/referrals/{referral.id}/portal/send",
        form_page=f"/desk/referrals/{referral.id}",
        follow_redirects=True,
    )
    assert "no email address" in answer.get_data(as_text=True)
    assert session.scalar(select(OutboxMessage.id)) is None


def test_revoke_and_send_again_makes_a_new_link(session, app):
    _clinic, referral = _ready(session)
    _old, old_token = link_for(session, referral)
    session.commit()
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    desk.post(f"/desk/referrals/{referral.id}/portal/revoke", form_page=f"/desk/referrals/{referral.id}")
    desk.post(f"/desk/referrals/{referral.id}/portal/send", form_page=f"/desk/referrals/{referral.id}")
    links = session.scalars(select(PortalLink).order_by(PortalLink.id)).all()
    assert len(links) == 2 and links[0].revoked_at is not None and links[1].revoked_at is None
    assert Patient(app.test_client(), old_token).get("").status_code == 403


def test_the_letter_carries_the_link_as_url_and_qr_code(session, app, settings, tmp_path):
    _clinic, referral = _ready(session, preferred_language="de")
    appointment = book(session, settings, referral)
    session.commit()
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    first = desk.get(f"/desk/appointments/{appointment.id}/letter.pdf")
    assert first.status_code == 200
    pdf = first.data
    text = text_of(pdf)
    assert "Online, bis 24 Stunden" in text and "nicht weitergeben" in text
    pages = render_png(pdf, tmp_path, "letter", dpi=150)
    [url] = [u for png in pages for u in decode_qr(png) if "/p/" in u]
    token = LINK.search(url).group(1)
    assert url.replace(" ", "") in text.replace("\n", "").replace(" ", "")
    assert Patient(app.test_client(), token).open(BIRTH).status_code == 302
    assert page_count(pdf) <= 2  # the letter's sections break where a reader expects (issue 14)
    # Printed again: the same address (the token is derived, not stored).
    assert desk.get(f"/desk/appointments/{appointment.id}/letter.pdf").data == pdf


def test_the_letter_stays_within_two_pages_with_several_drugs_and_the_link(session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(
        session,
        clinic,
        medications=[("clopidogrel", "", None), ("aspirin", "primary", None), ("rivaroxaban", "", None)],
    )
    appointment = book(session, settings, referral, first_day=dt.date(2026, 12, 7), check_readiness=False)
    url = "https://termine.schmerzzentrum.example/p/" + "x" * 43
    pdf = documents.letter_pdf(session, settings, appointment, issued_on=dt.date(2026, 11, 23), portal_url=url)
    assert 1 <= page_count(pdf) <= 2


def test_a_changed_secret_key_ends_the_links_and_ensure_replaces_them(session, app):
    clinic, referral = _ready(session)
    link, token = link_for(session, referral)
    renewed = portal_links.ensure(session, clinic.staff["frontdesk"], referral, "another-secret")
    assert renewed.id != link.id and link.revoked_at is not None
    assert portal_links.token_of(renewed, "another-secret") != token
