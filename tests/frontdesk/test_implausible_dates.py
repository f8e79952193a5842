"""Walk 25: a blood thinner's last dose on 01.01.2031 was saved with only "hold not kept" beside it, and a
radiologist's earliest procedure date (hold override) on 01.01.2031 was taken. A last dose may be planned
(the patient says when they will take the last one before the procedure), so only dates that cannot be
meant are refused (``prereg_items.check_last_dose``): more than a year back, after the referral's booked
appointment, or more than 90 days ahead when none is booked. The suite's clock: 23 November 2026."""

from __future__ import annotations

import datetime as dt
import html as markup

import pytest
from sqlalchemy import select

from clinic.core.errors import InvalidInput
from clinic.core.timefmt import to_local
from clinic.models import PortalAnswer, Referral
from clinic.services import portal_answers, prereg_items, triage
from tests.conftest import TODAY, ZONE
from tests.factories import accept_referral, book, build_clinic, make_patient, make_ready_referral, make_referral

FAR = dt.date(2031, 1, 1)


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _add(browser, referral_id: int, drug: str, last_dose: dt.date | None):
    path = f"/desk/referrals/{referral_id}"
    form = {"med-drug_code": drug, "med-last_dose_on": last_dose.isoformat() if last_dose else ""}
    return browser.post(f"{path}/medication", form, form_page=path)


def _medications(session, referral) -> list:
    session.expire_all()
    return session.get(Referral, referral.id).preregistration.medications


def test_a_last_dose_years_ahead_is_refused_at_its_field_and_nothing_is_saved(session, clinic, browser):
    referral = make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    refused = _add(browser, referral.id, "apixaban|", FAR)
    page = _text(refused)
    assert refused.status_code == 400
    message = "A last dose can be planned at most 90 days ahead (until 21.02.2027): check the date."
    assert page.count(message) == 1 and "Please correct the marked field." in page
    assert 'value="2031-01-01"' in page and "is-invalid" in page
    assert _medications(session, referral) == []
    # A last dose planned a few weeks ahead, or taken last month, is what the field is for.
    assert _add(browser, referral.id, "apixaban|", TODAY + dt.timedelta(days=30)).status_code == 302
    assert _add(browser, referral.id, "clopidogrel|", TODAY - dt.timedelta(days=30)).status_code == 302
    assert len(_medications(session, referral)) == 2


def test_a_last_dose_more_than_a_year_ago_is_refused(session, clinic, browser):
    referral = make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    refused = _add(browser, referral.id, "apixaban|", TODAY - dt.timedelta(days=400))
    assert refused.status_code == 400
    assert "The last dose cannot be more than a year ago (before 23.11.2025): check the year." in _text(refused)
    assert _medications(session, referral) == []


def test_a_last_dose_after_the_booked_appointment_is_refused_on_its_day_it_is_a_warning(
    session, settings, clinic, browser
):
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1)
    session.commit()
    day = to_local(appointment.table_start, ZONE).date()
    browser.login("frontdesk")
    refused = _add(browser, referral.id, "apixaban|", day + dt.timedelta(days=1))
    assert refused.status_code == 400
    assert f"The last dose cannot be after the appointment on {day:%d.%m.%Y}: check the date." in _text(refused)
    assert _medications(session, referral) == []
    taken = _add(browser, referral.id, "apixaban|", day)  # possible: the plan says the hold is not kept
    assert taken.status_code == 302
    assert "The hold is not kept" in _text(browser.get(taken.headers["Location"]))


def test_the_refusal_reads_german_at_the_field(session, clinic, browser):
    from tests.browser_fixtures import speak

    referral = make_ready_referral(session, clinic)
    session.commit()
    speak(session, "de")
    browser.login("frontdesk")
    page = _text(_add(browser, referral.id, "apixaban|", FAR))
    assert "Eine letzte Einnahme kann höchstens 90 Tage im Voraus geplant werden (bis 21.02.2027)" in page


def test_the_patients_answer_through_the_link_is_refused_at_the_row_and_kept_out(session, app):
    from tests.conftest import reset_rate_limits
    from tests.portal.helpers import link_for, open_portal, opened

    reset_rate_limits()
    born = dt.date(1961, 7, 4)
    clinic = build_clinic(session, texts=True)
    open_portal(session)
    patient = make_patient(session, family_name="Krause", given_name="Dieter", birth_date=born, phone=None)
    referral = accept_referral(session, clinic, make_referral(session, patient))
    _link, token = link_for(session, referral)
    session.commit()
    portal = opened(app, token, born)
    answer = {"drugs-0-drug_code": "apixaban|", "drugs-0-last_dose_on": FAR.isoformat()}
    refused = portal.post("/answers/medication", answer)
    assert refused.status_code == 422
    page = _text(refused)
    assert page.count("Bitte prüfen Sie das Datum der letzten Einnahme") == 2  # the flash, and at the row
    assert session.scalar(select(PortalAnswer.id)) is None


def test_the_desk_cannot_take_over_an_answer_with_such_a_date(session, clinic):
    # An answer kept before the rule (or an appointment booked since) is checked again when taken over.
    from tests.portal.helpers import link_for

    referral = make_ready_referral(session, clinic)
    link, _token = link_for(session, referral)
    payload = '{"drugs": [{"drug_code": "apixaban", "dose_class": "", "last_dose_on": "2031-01-01"}], '
    answer = PortalAnswer(
        referral_id=referral.id,
        patient_id=referral.patient_id,
        link_id=link.id,
        item="medication",
        payload=payload + '"none": false, "other": ""}',
        status="proposed",
        submitted_at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC),
    )
    session.add(answer)
    session.flush()
    with pytest.raises(InvalidInput) as refused:
        portal_answers.confirm(session, None, referral, answer.id, zone=ZONE)
    assert refused.value.code == "last_dose_implausible"
    with pytest.raises(InvalidInput):
        prereg_items.add_medication(
            session, None, referral, drug_code="apixaban", dose_class="", last_dose_on=FAR, zone=ZONE
        )


def test_a_hold_override_more_than_a_year_ahead_is_refused(session, clinic, browser):
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", None)])
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    response = browser.post(
        f"{path}/override-hold",
        {"override-earliest": FAR.isoformat(), "override-reason": "Cardiology: no pause needed"},
        form_page=path,
    )
    assert response.status_code == 422
    assert "The earliest date can lie at most a year ahead (until 23.11.2027): check the year." in _text(response)
    session.expire_all()
    assert session.get(Referral, referral.id).hold_override_date is None
    within = TODAY + dt.timedelta(days=365)
    triage.override_hold(session, None, referral, within, "Cardiology: no pause needed", today=TODAY)
    assert referral.hold_override_date == within
