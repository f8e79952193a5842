"""The front desk's referral page, as the staff walk found it: one entry per blood thinner, a declined or
closed referral that looks closed, the answer to a radiologist's question, closing with a confirmation, the
closed filter of the list, and the PACS message in the desk's words."""

from __future__ import annotations

import datetime as dt
import html as markup
import io
import re

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError, InvalidInput
from clinic.models import AuditEvent, Referral
from clinic.models.vocab import ReferralStatus
from clinic.services import episodes, medication, portal_answer_rules, prereg_items, triage
from tests.browser.files import pdf_letter
from tests.conftest import TODAY
from tests.factories import build_clinic, make_ready_referral, make_referral


@pytest.fixture
def clinic(session):
    return build_clinic(session)


# 1. The same blood thinner twice.


def test_the_same_drug_given_again_replaces_its_entry(session, clinic):
    """One entry per drug. Given again (a new last dose), the drug's entry says what was given, in one step:
    walk finding, removing it first and adding it again left a moment in which a letter said the patient
    takes no blood thinner."""
    referral = make_referral(session)
    prereg_items.add_medication(session, None, referral, drug_code="rivaroxaban", dose_class="", last_dose_on=None)
    two_days_ago = TODAY - dt.timedelta(days=2)
    prereg_items.add_medication(
        session, None, referral, drug_code="rivaroxaban", dose_class="", last_dose_on=two_days_ago, note="abends"
    )
    [entry] = referral.preregistration.medications
    assert (entry.drug_code, entry.last_dose_on, entry.note) == ("rivaroxaban", two_days_ago, "abends")
    # Another drug is still welcome.
    prereg_items.add_medication(session, None, referral, drug_code="apixaban", dose_class="", last_dose_on=None)
    assert len(referral.preregistration.medications) == 2


def test_the_service_says_whether_the_drug_was_already_recorded(session, clinic):
    """The desk is told "already recorded" from what the service returns, not from a second look."""
    referral = make_referral(session)
    first = prereg_items.add_medication(
        session, None, referral, drug_code="rivaroxaban", dose_class="", last_dose_on=None
    )
    again = prereg_items.add_medication(
        session, None, referral, drug_code="rivaroxaban", dose_class="", last_dose_on=TODAY, note="abends"
    )
    assert first.replaced is False and again.replaced is True
    assert again.entry is first.entry and again.entry.note == "abends"


def test_the_desk_records_a_new_last_dose_in_one_step(session, clinic, browser):
    referral = make_ready_referral(session, clinic, medications=[("rivaroxaban", "", None)])
    session.commit()
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    again = browser.post(
        f"{path}/medication",
        {"med-drug_code": "rivaroxaban|", "med-last_dose_on": "2026-11-21", "med-note": "evening dose"},
        form_page=path,
    )
    assert again.status_code == 302
    page = browser.get(again.headers["Location"]).get_data(as_text=True)
    assert "This drug was already recorded: its entry now says what you gave." in page
    session.expire_all()
    entries = session.get(Referral, referral.id).preregistration.medications
    assert [(m.drug_code, m.last_dose_on) for m in entries] == [("rivaroxaban", dt.date(2026, 11, 21))]
    plan = medication.plan_for(session, entries[0].preregistration, clinic.pt("PRT"), "lumbar")
    assert [(i.drug_code, i.last_dose_on) for i in plan.items] == [("rivaroxaban", dt.date(2026, 11, 21))]


def test_the_desk_is_told_when_a_drug_given_again_changes_or_removes_its_last_dose(session, clinic, browser):
    """Walk finding (4 December): the drug given again with an earlier day, or with none, replaced the
    recorded last dose with only "its entry now says what you gave". No day keeps meaning "still taken"
    (the safe reading: the hold is not known to be met), and the desk is now told what it replaced."""
    referral = make_ready_referral(session, clinic, medications=[("rivaroxaban", "", dt.date(2026, 11, 21))])
    session.commit()
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"

    def give(last_dose: str) -> str:
        form = {"med-drug_code": "rivaroxaban|", "med-last_dose_on": last_dose}
        response = browser.post(f"{path}/medication", form, form_page=path)
        assert response.status_code == 302
        return markup.unescape(browser.get(response.headers["Location"]).get_data(as_text=True))

    page = give("2026-11-19")
    assert "This drug was already recorded: its last dose is now 19.11.2026 instead of 21.11.2026." in page
    page = give("")
    assert (
        "This drug was already recorded: the last dose it gave (19.11.2026) is removed, so the entry now says "
        "the patient still takes it." in page
    )
    session.expire_all()
    [entry] = session.get(Referral, referral.id).preregistration.medications
    assert entry.last_dose_on is None
    page = give("")  # nothing changed: the general sentence
    assert "This drug was already recorded: its entry now says what you gave." in page


def test_a_patient_names_each_medicine_once(session, clinic):
    data = {"drugs": [{"drug_code": "rivaroxaban"}, {"drug_code": "rivaroxaban", "last_dose_on": "2026-11-20"}]}
    with pytest.raises(InvalidInput, match="Name each medicine once"):
        portal_answer_rules.clean(session, "medication", data)
    assert session.scalar(select(Referral.id)) is None


# 2. A declined or closed referral looks ended.

ITEM_FORMS = ("contact", "medication", "medication/settle", "allergies", "conditions", "escort", "language", "imaging")


def _declined(session, clinic):
    referral = make_referral(session)
    triage.decline(session, clinic.radiologists[0], referral, "No radicular pain; physiotherapy first")
    session.commit()
    return referral


def _closed(session, clinic):
    referral = make_ready_referral(session, clinic)
    episodes.close(session, clinic.staff["frontdesk"], referral, "Patient moved to Munich")
    session.commit()
    return referral


def test_a_declined_referral_says_who_declined_it_and_offers_nothing(session, clinic, browser):
    referral = _declined(session, clinic)
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    banner = page[page.index('id="ended"') :][:600]
    assert "Declined" in banner and "by Dr. Radiologist 1" in banner and "No radicular pain" in banner
    assert "once a radiologist" not in page and "Booking opens when" not in page and "not accepted yet" not in page
    assert "No booking: the referral is declined." in page
    for form in ITEM_FORMS:
        assert f'action="{path}/{form}"' not in page, form
    assert "Find a time" not in page and 'id="pacs"' not in page


def test_a_closed_referral_says_who_closed_it_why_and_offers_nothing(session, clinic, browser):
    referral = _closed(session, clinic)
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    banner = page[page.index('id="ended"') :][:600]
    assert "Closed" in banner and "by Petra Möller" in banner and "Patient moved to Munich" in banner
    assert "Cannot be booked yet" not in page and "Find a time" not in page
    for form in (*ITEM_FORMS, "close", "waitlist"):
        assert f'action="{path}/{form}"' not in page, form


@pytest.mark.parametrize("ended", [_declined, _closed])
def test_the_pre_registration_of_an_ended_referral_does_not_change(session, clinic, browser, ended):
    referral = ended(session, clinic)
    with pytest.raises(DomainError, match="its pre-registration no longer changes"):
        prereg_items.set_escort(session, None, referral, name="Anna Berg", phone=None)
    session.rollback()
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    refused = browser.post(f"{path}/escort", {"escort-name": "Anna Berg"}, form_page=path)
    assert refused.status_code == 422 and "its pre-registration no longer changes" in refused.get_data(as_text=True)
    session.expire_all()
    prereg = session.get(Referral, referral.id).preregistration
    assert prereg is None or prereg.escort_name != "Anna Berg"


# 3. The answer to a radiologist's question ("Rückfrage").


def _asked(session, clinic):
    referral = make_referral(session)
    triage.request_information(session, clinic.radiologists[0], referral, "Which levels did the MRI show?")
    session.commit()
    return referral


def test_the_desk_records_the_answer_and_the_referral_goes_back_to_triage(session, clinic, browser):
    referral = _asked(session, clinic)
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    assert f'action="{path}/information-answer"' in page and "Asked by Dr. Radiologist 1" in page
    answered = browser.post(
        f"{path}/information-answer",
        {
            "answer-answer": "Disc protrusion L5/S1 left, see the report",
            "answer-letter": (io.BytesIO(pdf_letter()), "MRT-Befund.pdf"),
        },
        form_page=path,
        content_type="multipart/form-data",
    )
    assert answered.status_code == 302, answered.get_data(as_text=True)
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.RECEIVED
    assert stored.info_answer == "Disc protrusion L5/S1 left, see the report"
    assert stored.info_answered_by_id == clinic.staff["frontdesk"].id and stored.info_answered_at is not None
    assert [d.original_name for d in stored.documents] == ["MRT-Befund.pdf"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "referral.information_answered"))
    assert event is not None and event.object_id == str(referral.id)

    browser.post("/logout", form_page=path)
    browser.login("rad1")
    queue = browser.get("/radiology/triage").get_data(as_text=True)
    assert referral.patient.display_name in queue and "answer received" in queue
    triage_page = browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    info = triage_page[triage_page.index('id="information"') :][:1500]
    assert "Which levels did the MRI show?" in info and "Disc protrusion L5/S1 left" in info
    assert "recorded by Petra Möller" in info and "MRT-Befund.pdf" in info


def test_an_empty_answer_is_refused_and_changes_nothing(session, clinic, browser):
    referral = _asked(session, clinic)
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    refused = browser.post(
        f"{path}/information-answer",
        {"answer-answer": "  ", "answer-letter": (io.BytesIO(pdf_letter()), "Befund.pdf")},
        form_page=path,
        content_type="multipart/form-data",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Write down what the referring physician answered." in html and "choose it again" in html
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.INFO_REQUESTED and stored.info_answer is None and not stored.documents


def test_only_a_referral_waiting_for_information_takes_an_answer(session, clinic):
    referral = make_referral(session)
    with pytest.raises(DomainError, match="Only a referral waiting for information"):
        triage.answer_information_request(session, None, referral, "Anything")
    asked = _asked(session, clinic)
    triage.answer_information_request(session, None, asked, "L4/5")
    triage.request_information(session, clinic.radiologists[0], asked, "And the side?")
    assert asked.info_answer is None and asked.info_request == "And the side?"  # a new question, no old answer


# 4. Closing the referral asks first, as the app's other destructive actions do.


def test_closing_the_referral_asks_for_confirmation(session, clinic, browser):
    referral = make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    form = re.search(rf'<form [^>]*action="{path}/close"[^>]*>', page)
    assert form, "the referral page offers to close the referral"
    assert 'data-confirm="Close this referral? Its episode ends' in form.group(0)


# 5. The referral list filters closed referrals too.


def test_the_referral_list_filters_closed_referrals(session, clinic, browser):
    closed = _closed(session, clinic)
    still_open = make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    page = browser.get("/desk/referrals?status=closed").get_data(as_text=True)
    assert re.search(r'class="btn btn-outline-secondary active" href="/desk/referrals\?status=closed">Closed</a>', page)
    assert f"/desk/referrals/{closed.id}" in page and f"/desk/referrals/{still_open.id}" not in page
    open_list = browser.get("/desk/referrals").get_data(as_text=True)
    assert f"/desk/referrals/{closed.id}" not in open_list and f"/desk/referrals/{still_open.id}" in open_list


# 6. The PACS message in the front desk's words.


def test_a_missing_pacs_is_worded_for_the_front_desk(app, session, clinic, browser):
    referral = make_referral(session)
    session.commit()
    app.config.update(PACS_HOST="")
    browser.login("frontdesk")
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "No PACS connection is set up; ask the administrator." in page
    assert "PACS_HOST" not in page
    searched = browser.post(
        f"/desk/referrals/{referral.id}/pacs/search",
        {"pacs-family_name": referral.patient.family_name},
        form_page=f"/desk/referrals/{referral.id}",
    )
    assert searched.status_code == 503, searched.get_data(as_text=True)[:2000]
    assert "No PACS connection is set up" in searched.get_data(as_text=True)
    assert "PACS_HOST" not in searched.get_data(as_text=True)


@pytest.mark.parametrize("ended", [_declined, _closed])
def test_the_finder_of_an_ended_referral_says_it_ended_instead_of_what_is_missing(session, clinic, browser, ended):
    """Walk finding (4 December): the booking page of a referral closed at discharge listed "Missing: referral
    accepted by a radiologist: referral is closed"; it now leads back to the referral, which says why."""
    referral = ended(session, clinic)
    browser.login("frontdesk")
    for send in (browser.get, browser.post):
        response = send(f"/desk/referrals/{referral.id}/book")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/desk/referrals/{referral.id}")
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert f"No booking: the referral is {'declined' if ended is _declined else 'closed'}." in page
    assert "cannot be booked yet. Missing" not in page
