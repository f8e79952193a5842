"""Issue 14, finding 9 (§630d, §630e BGB): the recorded consent keeps who gave the information talk and
when, apart from who took the signature and when; the talk comes first. Guarded by the service (clear
messages) and by named constraints (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from clinic.core import clock
from clinic.core.errors import InvalidInput
from clinic.models import Consent
from clinic.services import consents, procedure_day
from tests.conftest import ZONE
from tests.factories import book, build_clinic, make_ready_referral
from tests.scheduling.helpers import utc

MONDAY_9 = utc(2026, 11, 23, 8, 0)
FRIDAY = MONDAY_9 - dt.timedelta(days=3)


@pytest.fixture
def printed(session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(
        session, clinic, code="FACET", stage="diagnostic", side="left", levels="L4/5", target="medial_branch"
    )
    appointment = book(session, settings, referral)
    clock.pin(MONDAY_9 - dt.timedelta(minutes=30))  # arrival: checked in, the form printed
    procedure_day.check_in(session, None, appointment, at=MONDAY_9, zone=ZONE)
    consents.print_consent(session, clinic.radiologists[0], appointment, ZONE)
    clock.pin(MONDAY_9)  # the table start: the signature was taken in between
    return clinic, appointment


def test_the_information_talk_is_recorded_apart_from_the_signature(session, printed):
    clinic, a = printed
    explainer, taker = clinic.radiologists[1], clinic.radiologists[0]
    consent = procedure_day.record_consent(
        session,
        taker,
        a,
        taken_by_id=taker.id,
        explained_by_id=explainer.id,
        explained_at=FRIDAY,
        signed_at=MONDAY_9 - dt.timedelta(minutes=15),
        zone=ZONE,
    )
    assert (consent.explained_by_id, consent.explained_at) == (explainer.id, FRIDAY)
    assert (consent.taken_by_id, consent.signed_at) == (taker.id, MONDAY_9 - dt.timedelta(minutes=15))


@pytest.mark.parametrize(
    ("who", "when", "field", "message"),
    [
        ("nurse", FRIDAY, "explained_by_id", "The information talk is given by a physician"),
        ("radiologist", MONDAY_9 + dt.timedelta(minutes=3), "explained_at", "The information talk comes before"),
        ("radiologist", MONDAY_9 + dt.timedelta(hours=1), "explained_at", "The information talk cannot lie in the"),
    ],
)
def test_a_talk_by_no_physician_or_after_the_signature_is_refused(session, printed, who, when, field, message):
    clinic, a = printed
    person = clinic.staff["nurse"] if who == "nurse" else clinic.radiologists[0]
    with pytest.raises(InvalidInput, match=message) as refused:
        procedure_day.record_consent(
            session,
            None,
            a,
            taken_by_id=clinic.radiologists[0].id,
            explained_by_id=person.id,
            explained_at=when,
            signed_at=MONDAY_9,
            zone=ZONE,
        )
    assert refused.value.details == {"field": field}
    assert session.get(Consent, procedure_day.latest_consent(session, a).id).signed_at is None  # nothing half-saved


def test_the_database_keeps_the_talk_before_the_signature(session, printed, backend):
    clinic, a = printed
    consent = procedure_day.record_consent(
        session,
        None,
        a,
        taken_by_id=clinic.radiologists[0].id,
        explained_by_id=clinic.radiologists[0].id,
        explained_at=FRIDAY,
        signed_at=MONDAY_9,
        zone=ZONE,
    )
    session.commit()
    for statement, name in (
        ("UPDATE consents SET explained_at = :late WHERE id = :id", "explained_before_signed"),
        ("UPDATE consents SET explained_by_id = NULL WHERE id = :id", "explanation_complete"),
    ):
        with pytest.raises(IntegrityError, match=name):
            session.execute(text(statement), {"late": MONDAY_9 + dt.timedelta(days=1), "id": consent.id})
            session.flush()
        session.rollback()


def test_the_procedure_screen_records_the_talk_and_shows_it(session, printed, browser):
    clinic, a = printed
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/appointments/{a.id}").get_data(as_text=True)
    assert "Information talk given by" in page and "Information talk on" in page
    radiologist = clinic.radiologists[1]
    response = browser.post(
        f"/radiology/appointments/{a.id}/consent",
        {
            "consent-explained_by_id": str(radiologist.id),
            "consent-explained_at": "2026-11-23T08:30",
            "consent-taken_by_id": str(clinic.radiologists[0].id),
            "consent-signed_at": "2026-11-23T08:40",
        },
        form_page=f"/radiology/appointments/{a.id}",
    )
    assert response.status_code == 302
    session.expire_all()
    consent = procedure_day.signed_consent(session, a)
    assert consent.explained_by_id == radiologist.id
    assert consent.explained_at == utc(2026, 11, 23, 7, 30)
    page = browser.get(f"/radiology/appointments/{a.id}").get_data(as_text=True)
    assert f"information talk by {radiologist.full_name} on 23.11.2026 08:30" in page
    assert "less than 24 h before" in page  # the talk should ideally come a day before


def _under(html: str, name: str) -> str:
    """The consent form's field ``name`` as shown: from its input to the next field."""
    start = html.index(f'id="consent-{name}"')
    ends = [i for i in (html.find("<label", start), html.find("</form>", start)) if i != -1]
    return html[html.rindex("<", 0, start) : min(ends)]


@pytest.mark.parametrize(
    ("talk", "signature", "name", "message"),
    [
        # the clock stands at 09:00 (Berlin), the table start
        ("2026-11-23T08:50", "2026-11-23T08:40", "explained_at", "The information talk comes before the signature"),
        ("2026-11-23T09:30", "2026-11-23T08:40", "explained_at", "The information talk cannot lie in the future"),
        ("2026-11-23T08:30", "2026-11-23T09:30", "signed_at", "The signature cannot lie in the future"),
        ("2026-11-24T08:30", "2026-11-24T08:40", "signed_at", "The signature cannot lie in the future"),
    ],
)
def test_the_screen_refuses_a_talk_or_signature_out_of_time_at_its_field(
    session, printed, browser, talk, signature, name, message
):
    """A talk after the signature, or a talk or a signature in the future, is refused under its field (the
    service's rule; the form had its own, answering 422), 400, with what was typed kept and nothing saved."""
    clinic, a = printed
    session.commit()
    browser.login("rad1")
    response = browser.post(
        f"/radiology/appointments/{a.id}/consent",
        {
            "consent-explained_by_id": str(clinic.radiologists[1].id),
            "consent-explained_at": talk,
            "consent-taken_by_id": str(clinic.radiologists[0].id),
            "consent-signed_at": signature,
        },
        form_page=f"/radiology/appointments/{a.id}",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    shown = _under(page, name)
    assert "is-invalid" in shown and message in shown, shown
    assert page.count('class="alert alert-danger') == 1  # the form's one banner
    assert f'value="{talk}"' in _under(page, "explained_at") and f'value="{signature}"' in _under(page, "signed_at")
    session.expire_all()
    assert procedure_day.signed_consent(session, a) is None


def test_the_same_form_printed_again_is_one_print_on_the_page(app, session, printed):
    """Walk F-12: one consent form, printed at the desk and again in the procedure room (the same bytes:
    same text, same time), was listed twice, once as 'latest print'. It is one print; the reprint is in the
    audit trail."""
    from sqlalchemy import func, select

    from clinic.models import AuditEvent
    from tests.conftest import Browser

    _clinic, a = printed
    session.commit()
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    assert (
        desk.post(f"/desk/appointments/{a.id}/consent.pdf", form_page=f"/desk/appointments/{a.id}").status_code == 200
    )
    doctor = Browser(app.test_client())
    doctor.login("rad1")
    page = f"/radiology/appointments/{a.id}"
    assert doctor.post(f"/desk/appointments/{a.id}/consent.pdf", form_page=page).status_code == 200
    assert session.scalar(select(func.count(Consent.id))) == 1
    html = doctor.get(page).get_data(as_text=True)
    assert html.count('class="small mb-1 consent-print"') == 1 and "latest print" not in html
    reprints = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "consent.reprinted"))
    assert reprints == 2
