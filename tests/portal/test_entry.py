"""Opening the link: the date of birth as the second factor, the lock after five wrong tries, revoked
and ended links, no indexing and no referrer, every opening audited as the patient, the patient's
language, and one patient's link never showing another's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.models import AuditEvent, PortalLink
from clinic.services import episodes, portal_links
from tests.conftest import csrf_from
from tests.factories import build_clinic, make_patient, make_ready_referral

from .helpers import Patient, link_for, open_portal

BIRTH = dt.date(1958, 3, 27)


def _ready(session, **patient):
    clinic = build_clinic(session, texts=True)
    open_portal(session)
    referral = make_ready_referral(session, clinic, make_patient(session, birth_date=BIRTH, **patient))
    link, token = link_for(session, referral, clinic.staff["frontdesk"])
    session.commit()
    return clinic, referral, link, token


def test_the_right_birth_date_opens_the_page_and_the_address_stays_private(session, client):
    _clinic, _referral, link, token = _ready(session, family_name="Sommer", given_name="Inge")
    patient = Patient(client, token)
    entry = patient.get("")
    assert entry.status_code == 200
    assert entry.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in entry.headers["X-Robots-Tag"]
    html = entry.get_data(as_text=True)
    assert '<meta name="robots" content="noindex' in html
    assert "Sommer" not in html  # nothing about the patient before the date of birth

    answer = patient.open(BIRTH)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/p/{token}/home")
    home = patient.get()
    assert home.status_code == 200 and "Inge Sommer" in home.get_data(as_text=True)
    assert home.headers["Referrer-Policy"] == "no-referrer" and home.headers["Cache-Control"] == "no-store"
    # The token lives in the path only: the database has its hash, never the token.
    session.refresh(link)
    assert link.token_hash == portal_links.token_hash(token) and token not in (link.nonce, link.token_hash)


def test_every_opening_is_audited_as_the_patient(session, client):
    _clinic, referral, link, token = _ready(session)
    patient = Patient(client, token)
    patient.open(BIRTH)
    patient.get()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("portal.%")).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert actions[:3] == ["portal.opened", "portal.verified", "portal.view"]
    for event in events:
        assert event.actor_id is None
        assert event.actor_name == f"patient {referral.patient.clinic_number}"
        assert event.patient_id == referral.patient_id
        assert event.object_type == "portal_links" and event.object_id == str(link.id)


def test_five_wrong_birth_dates_lock_the_link(session, client):
    _clinic, _referral, link, token = _ready(session)
    patient = Patient(client, token)
    for attempt in range(1, 5):
        wrong = patient.open(dt.date(1958, 3, 28))
        assert wrong.status_code == 401
        assert f"{5 - attempt} more tr" in wrong.get_data(as_text=True) or "noch" in wrong.get_data(as_text=True)
    locked = patient.open(dt.date(1958, 3, 29))
    assert locked.status_code == 401
    session.refresh(link)
    assert link.locked_at is not None and link.failed_attempts == 5
    # Now even the right date does not open it, and the page says what to do.
    page = patient.get("")
    assert page.status_code == 423
    text = page.get_data(as_text=True)
    assert "gesperrt" in text and "+49 40 1234 5670" in text
    assert patient.open(BIRTH).status_code == 423
    assert patient.get().status_code in (302, 423)
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "portal.locked")) is not None


def test_a_day_that_does_not_exist_is_said_and_not_counted(session, client):
    """Walk finding 16: 31 February cost one of the five tries."""
    _clinic, _referral, link, token = _ready(session)
    patient = Patient(client, token)
    page = patient.client.get(patient.base)
    answer = patient.client.post(
        patient.base,
        data={"day": 31, "month": 2, "year": 1958, "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "does not exist" in text or "gibt es" in text
    session.refresh(link)
    assert link.failed_attempts == 0
    assert patient.open(BIRTH).status_code == 302


def test_the_desk_unlocks_a_locked_link(session, client):
    clinic, _referral, link, token = _ready(session)
    link.failed_attempts, link.locked_at = 5, dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC)
    portal_links.unlock(session, clinic.staff["frontdesk"], link)
    session.commit()
    assert Patient(client, token).open(BIRTH).status_code == 302


def test_a_revoked_link_says_so(session, client):
    clinic, _referral, link, token = _ready(session)
    patient = Patient(client, token)
    assert patient.open(BIRTH).status_code == 302
    portal_links.revoke(session, clinic.staff["frontdesk"], link)
    session.commit()
    page = patient.get("")
    assert page.status_code == 403
    assert "nicht mehr gültig" in page.get_data(as_text=True)
    # An open session in the browser ends with it.
    assert patient.get().status_code == 403
    assert patient.open(BIRTH).status_code == 403


def test_a_closed_referral_ends_its_link(session, client):
    clinic, referral, _link, token = _ready(session)
    episodes.close(session, clinic.staff["frontdesk"], referral, "Treated elsewhere")
    session.commit()
    page = Patient(client, token).get("")
    assert page.status_code == 403 and "beendet" in page.get_data(as_text=True)


def test_an_unknown_token_tells_nothing(session, client):
    _ready(session)
    page = client.get("/p/" + "A" * 43)
    assert page.status_code == 404
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_portal_is_off_until_an_admin_turns_it_on(session, client):
    _clinic, _referral, _link, token = _ready(session)
    open_portal(session, set())
    session.commit()
    assert Patient(client, token).get("").status_code == 403


def test_pages_speak_the_patients_language(session, client):
    _clinic, _referral, _link, token = _ready(session, preferred_language="en")
    patient = Patient(client, token)
    entry = patient.get("", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in entry.get_data(as_text=True) and entry.headers["Content-Language"] == "en"
    patient.open(BIRTH)
    assert "Your planned treatment" in patient.get().get_data(as_text=True)


def test_german_patients_get_german_pages(session, client):
    _clinic, _referral, _link, token = _ready(session, preferred_language="de")
    patient = Patient(client, token)
    entry = patient.get("", headers={"Accept-Language": "en"})
    assert '<html lang="de">' in entry.get_data(as_text=True) and "Geburtsdatum" in entry.get_data(as_text=True)


def test_a_link_of_patient_a_never_shows_patient_b(session, app):
    clinic = build_clinic(session, texts=True)
    open_portal(session)
    anna = make_ready_referral(session, clinic, make_patient(session, family_name="Adler", birth_date=BIRTH))
    bernd = make_ready_referral(
        session, clinic, make_patient(session, family_name="Berger", birth_date=dt.date(1960, 1, 2))
    )
    _link_a, token_a = link_for(session, anna)
    _link_b, token_b = link_for(session, bernd)
    session.commit()
    browser = Patient(app.test_client(), token_a)
    assert browser.open(BIRTH).status_code == 302
    for path in ("/home", "/answers/contact", "/answers/escort", "/times", "/imaging"):
        html = browser.get(path).get_data(as_text=True)
        assert "Berger" not in html and bernd.patient.insurance_number not in html
    # Anna's session does not open Bernd's link, nor does Anna's birth date.
    other = Patient(browser.client, token_b)
    assert other.get().status_code == 302  # back to the birth date question
    assert other.open(BIRTH).status_code == 401
    # Bernd's right birth date does not open Anna's link either.
    assert Patient(app.test_client(), token_a).open(dt.date(1960, 1, 2)).status_code == 401
    assert session.scalar(select(PortalLink.failed_attempts).where(PortalLink.referral_id == anna.id)) == 1


def test_requests_are_throttled_per_token_and_per_address(session, app):
    _clinic, _referral, _link, token = _ready(session)
    other = make_ready_referral(session, _clinic, make_patient(session, birth_date=BIRTH))
    _other_link, other_token = link_for(session, other)
    session.commit()
    app.config.update(PORTAL_TOKEN_RATE="3 per minute", PORTAL_ADDRESS_RATE="5 per minute")
    client = app.test_client()
    answers = [client.get(f"/p/{token}").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    too_many = client.get(f"/p/{token}")
    assert "Zu viele Versuche" in too_many.get_data(as_text=True)
    assert too_many.headers["Referrer-Policy"] == "no-referrer"
    # Another token from the same address: its own count (3 would pass), but the address's 5 run out first.
    others = [client.get(f"/p/{other_token}").status_code for _ in range(3)]
    assert others[0] == 200 and others[-1] == 429


def test_wrong_birth_dates_are_throttled_per_address_across_links(session, app):
    clinic, _referral, _link, token = _ready(session)
    others = [make_ready_referral(session, clinic, make_patient(session, birth_date=BIRTH)) for _ in range(2)]
    tokens = [token] + [link_for(session, r)[1] for r in others]
    session.commit()
    app.config.update(PORTAL_ADDRESS_BIRTH_DATE_FAILURES="4 per hour")
    client = app.test_client()
    statuses = []
    for n in range(5):
        statuses.append(Patient(client, tokens[n % 3]).open(dt.date(1900, 1, 1)).status_code)
    assert statuses == [401, 401, 401, 401, 429]
    # The right date is still refused from that address for now: the throttle counts before the check.
    assert Patient(client, tokens[0]).open(BIRTH).status_code == 429


def test_the_api_document_describes_the_patient_link(client, session):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/p/<link token>" in document["info"]["description"]
    assert not any(path.startswith("/p/") for path in document["paths"])
