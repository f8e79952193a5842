"""Cosmetic walk findings: no ".;" where messages are joined; a refused upload said once; the "Urgent only"
list's empty state says to clear the filter when no search was typed; the printed worklist uses the screens'
words ("in Überwachung", "Kreuzbein")."""

from __future__ import annotations

import io

from clinic.documents.worklist_text import WORDS
from clinic.models import Referral
from clinic.models.vocab import ReferralStatus
from clinic.services import triage
from tests.factories import build_clinic, make_referral
from tests.radiology.day_helpers import day_appointment, to_observation


def test_joined_check_errors_have_no_double_punctuation(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    browser.login("nurse")
    path = f"/observation/appointments/{appointment.id}/check"
    data = {"systolic": "900", "pulse": "5", "motor": "", "sensory": ""}
    html = browser.post(path, data, form_page="/observation/").get_data(as_text=True)
    banner = html.split("Check not saved")[1].split("</div>")[0].split("<button")[0].strip()
    assert ".;" not in banner, banner
    assert banner.endswith(".") and not banner.endswith(".."), banner


def test_a_refused_letter_with_the_physicians_answer_is_said_once_at_its_field(session, browser):
    clinic = build_clinic(session)
    referral = make_referral(session)
    triage.request_information(session, clinic.radiologists[0], referral, "Which levels did the MRI show?")
    session.commit()
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    not_a_pdf = (io.BytesIO(b"Dear colleagues\n" * 20), "Befund.pdf")
    response = browser.post(
        f"{path}/information-answer",
        {"answer-answer": "L5/S1 left", "answer-letter": not_a_pdf},
        form_page=path,
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("is not a file type we accept") == 1, html.count("is not a file type we accept")
    start = html.index('id="answer-letter"')
    field = html[html.rindex("<input", 0, start) :].split("</div></div>")[0]
    assert "is-invalid" in field and "is not a file type we accept" in field, field
    assert "L5/S1 left" in html  # what was typed is kept
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.INFO_REQUESTED and stored.info_answer is None and not stored.documents


def test_the_urgent_filter_without_a_search_says_to_clear_the_filter(session, browser):
    build_clinic(session)
    make_referral(session)
    session.commit()
    browser.login("frontdesk")
    html = browser.get("/desk/referrals?status=open&urgent=1").get_data(as_text=True)
    empty = html.split('class="empty-state">')[1].split("</p>")[0]
    assert "No urgent referrals here." in empty and "Show all, not only the urgent ones" in empty
    assert "search" not in empty
    browser.post("/desk/referrals?status=open&urgent=1", {"q": "Nobody"}, form_page="/desk/referrals")
    html = browser.get("/desk/referrals?status=open&urgent=1").get_data(as_text=True)
    empty = html.split('class="empty-state">')[1].split("</p>")[0]
    assert "Clear the search or the “Urgent only” filter" in empty


def test_the_printed_worklist_says_what_the_screens_say(app):
    from flask_babel import force_locale, gettext

    from clinic.models.vocab import AppointmentStatus, Region

    german = WORDS["de"]
    with app.test_request_context(), force_locale("de"):
        status = gettext(AppointmentStatus.IN_OBSERVATION.label)  # "In Überwachung"
        region = gettext(Region.SACRAL.label)  # "Kreuzbein"
    assert german["status_labels"]["in_observation"] == status[0].lower() + status[1:]
    assert german["regions"]["sacral"] == region
