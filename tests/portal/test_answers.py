"""The patient's answers land as proposed entries; the front desk confirms them with one click (who
confirmed is recorded) and only then do they count in the checklist. Imaging goes through the desk's
upload service and identity check."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.models import AuditEvent, PortalAnswer, StudyFile
from clinic.models.portal import AnswerStatus
from clinic.services import portal_answers, prereg_items, preregistration
from tests.browser.files import dicom_image, pdf_letter
from tests.conftest import Browser
from tests.factories import accept_referral, build_clinic, make_patient, make_referral, make_user

from .helpers import Patient, link_for, open_portal, opened

BIRTH = dt.date(1961, 7, 4)


def _accepted(session):
    """An accepted referral whose checklist is still empty: the patient fills it in."""
    clinic = build_clinic(session, texts=True)
    open_portal(session)
    patient = make_patient(session, family_name="Krause", given_name="Dieter", birth_date=BIRTH, phone=None)
    referral = accept_referral(session, clinic, make_referral(session, patient))
    _link, token = link_for(session, referral)
    session.commit()
    return clinic, referral, token


def _items(session, referral):
    session.expire_all()
    return {i.key: i for i in preregistration.checklist(session, referral)}


def test_answers_wait_for_the_desk_and_count_once_confirmed(session, app):
    clinic, referral, token = _accepted(session)
    patient = opened(app, token, BIRTH)
    sent = patient.post("/answers/escort", {"name": "Helga Krause", "phone": "+49 40 555 0111"})
    assert sent.status_code == 302
    answer = session.scalar(select(PortalAnswer).where(PortalAnswer.item == "escort"))
    assert answer.status == AnswerStatus.PROPOSED
    assert not _items(session, referral)["escort"].done  # never straight into the checklist
    assert "Gesendet" in patient.get().get_data(as_text=True)

    desk = Browser(app.test_client())
    desk.login("frontdesk")
    page = desk.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "Answers from the patient" in page and "Helga Krause" in page
    confirmed = desk.post(
        f"/desk/referrals/{referral.id}/portal/answers/{answer.id}/confirm", form_page=f"/desk/referrals/{referral.id}"
    )
    assert confirmed.status_code == 302
    items = _items(session, referral)
    assert items["escort"].done and items["escort"].settled_by == "Petra Möller"
    session.refresh(answer)
    assert answer.status == AnswerStatus.CONFIRMED and answer.decided_by_id == clinic.staff["frontdesk"].id
    assert answer.decided_at is not None
    # A second click changes nothing and says so.
    again = desk.post(
        f"/desk/referrals/{referral.id}/portal/answers/{answer.id}/confirm", form_page=f"/desk/referrals/{referral.id}"
    )
    assert again.status_code == 303
    assert session.scalar(select(AuditEvent.actor_name).where(AuditEvent.action == "portal.answer_confirmed")) == (
        "frontdesk"
    )


def test_every_item_of_the_questionnaire_can_be_answered_and_confirmed(session, app):
    _clinic, referral, token = _accepted(session)
    patient = opened(app, token, BIRTH)
    forms = {
        "contact": {
            "street": "Lindenweg 3",
            "postal_code": "22085",
            "city": "Hamburg",
            "phone": "+49 40 777",
            "email": "d.krause@example.org",
            "insurance_name": "TK",
            "insurance_number": "T123456789",
        },
        "medication": {"drugs-0-drug_code": "clopidogrel", "drugs-0-last_dose_on": "2026-11-22"},
        "allergies": {"found": ["contrast"], "other": "Pflaster"},
        "conditions": {"found": ["diabetes"], "note": ""},
        "escort": {"name": "Helga Krause"},
        "language": {"language": "en"},
    }
    for item, data in forms.items():
        answer = patient.post(f"/answers/{item}", data)
        assert answer.status_code == 302, (item, answer.get_data(as_text=True)[-1500:])
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    for answer in session.scalars(select(PortalAnswer).order_by(PortalAnswer.id)).all():
        response = desk.post(
            f"/desk/referrals/{referral.id}/portal/answers/{answer.id}/confirm", form_page="/desk/referrals"
        )
        assert response.status_code == 302, answer.item
    items = _items(session, referral)
    for key in ("contact", "medication", "allergies", "conditions", "escort", "language"):
        assert items[key].done, (key, items[key].detail)
    session.refresh(referral.patient)
    assert referral.patient.street == "Lindenweg 3" and referral.patient.preferred_language == "en"
    assert [m.drug_code for m in referral.preregistration.medications] == ["clopidogrel"]
    assert referral.preregistration.allergy_contrast and referral.preregistration.allergy_other == "Pflaster"


def test_an_implant_ticked_without_its_name_is_refused_beside_the_field(session, app):
    """Walk finding (the implant question): the refusal stood only in the banner; now beside the field too,
    what was ticked and typed kept, nothing proposed."""
    _clinic, _referral, token = _accepted(session)
    patient = Patient(app.test_client(), token)
    patient.open(BIRTH)
    refused = patient.post("/answers/conditions", {"found": ["diabetes", "implant"], "note": "Knie links operiert"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    beside = html.split('id="implant_note-error"')[1].split("</div>")[0]
    assert "welchen Herzschrittmacher oder welches Implantat" in beside
    assert 'aria-describedby="implant_note-error"' in html and "Knie links operiert" in html
    assert session.scalar(select(PortalAnswer.id)) is None


def test_the_desk_reads_the_patients_answers_in_its_own_language(session, app):
    """Walk finding: a German front desk read the patient's choices in English ("Contrast medium",
    "English", "primary prevention"): allergens, languages and doses are named in the screen's language."""
    _clinic, referral, token = _accepted(session)
    make_user(session, "empfang", {"front_desk"}, "Erika Empfang", language="de")
    session.commit()
    patient = Patient(app.test_client(), token)
    patient.open(BIRTH)
    assert patient.post("/answers/allergies", {"found": ["contrast", "latex"], "other": ""}).status_code == 302
    assert patient.post("/answers/language", {"language": "en"}).status_code == 302
    medication = {"drugs-0-drug_code": "aspirin|primary", "drugs-0-last_dose_on": "2026-11-22"}
    assert patient.post("/answers/medication", medication).status_code == 302
    desk = Browser(app.test_client())
    desk.login("empfang")
    page = desk.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    answers = page.split("Angaben des Patienten, zu bestätigen")[1]
    assert "Kontrastmittel, Latex" in answers and "Englisch" in answers
    assert "Contrast medium" not in answers and ": English" not in answers
    assert "Acetylsalicylsäure (ASS) (Primärprävention)" in answers and "primary prevention" not in answers


def test_an_answer_the_desk_cannot_take_as_it_is_is_refused_and_closed_by_hand(session, app):
    _clinic, referral, token = _accepted(session)
    patient = opened(app, token, BIRTH)
    assert patient.post("/answers/medication", {"other": "Xarelto-Generikum"}).status_code == 302
    answer = session.scalar(select(PortalAnswer))
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    refused = desk.post(
        f"/desk/referrals/{referral.id}/portal/answers/{answer.id}/confirm",
        form_page="/desk/referrals",
        follow_redirects=True,
    )
    assert "enter it by hand" in refused.get_data(as_text=True)
    assert not _items(session, referral)["medication"].done
    closed = desk.post(
        f"/desk/referrals/{referral.id}/portal/answers/{answer.id}/close",
        {"reason": "rivaroxaban entered after a call"},
        form_page="/desk/referrals",
    )
    assert closed.status_code == 302
    session.refresh(answer)
    assert answer.status == AnswerStatus.CLOSED and answer.decision_note == "rivaroxaban entered after a call"


def test_bad_answers_are_refused_with_the_reason_and_keep_what_was_typed(session, app):
    _clinic, _referral, token = _accepted(session)
    patient = opened(app, token, BIRTH)
    refused = patient.post("/answers/contact", {"street": "Lindenweg 3", "city": "Hamburg", "postal_code": "22085"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Lindenweg 3" in html and "Krankenkasse" in html
    both = patient.post("/answers/medication", {"none": "y", "drugs-0-drug_code": "clopidogrel"})
    assert both.status_code == 422 and "entweder" in both.get_data(as_text=True)
    assert session.scalar(select(PortalAnswer.id)) is None


def test_imaging_goes_through_the_desks_upload_and_identity_check(session, app, tmp_path):
    _clinic, referral, token = _accepted(session)
    patient = opened(app, token, BIRTH)
    import io

    sent = patient.post(
        "/imaging",
        {"files": [(io.BytesIO(dicom_image("KRAUSE^DIETER", BIRTH)), "IM0001"), (io.BytesIO(pdf_letter()), "b.pdf")]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    files = session.scalars(select(StudyFile).order_by(StudyFile.id)).all()
    assert [f.identity_status for f in files] == ["match", "not_applicable"]
    assert _items(session, referral)["imaging"].done
    other = patient.post(
        "/imaging",
        {"files": [(io.BytesIO(dicom_image("BERGER^ANNA", dt.date(1970, 1, 1))), "IM0002")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "andere Person" in other.get_data(as_text=True)
    junk = patient.post(
        "/imaging", {"files": [(io.BytesIO(b"MZ not an image"), "x.exe")]}, content_type="multipart/form-data"
    )
    assert junk.status_code == 400 and len(session.scalars(select(StudyFile)).all()) == 3
    upload = session.scalar(select(AuditEvent).where(AuditEvent.action == "imaging.upload"))
    assert upload.actor_name == f"patient {referral.patient.clinic_number}"


def test_an_empty_escort_is_refused_and_nothing_sent(session, app):
    """Walk finding 15: both fields empty were accepted and sent to the desk."""
    clinic, referral, token = _accepted(session)
    # The desk had a name already: the form comes prefilled.
    prereg_items.set_escort(session, clinic.staff["frontdesk"], referral, name="Ehemann", phone=None)
    session.commit()
    patient = opened(app, token, BIRTH)
    sent = patient.post("/answers/escort", {"name": "", "phone": ""})
    assert sent.status_code == 422
    assert session.scalar(select(PortalAnswer).where(PortalAnswer.item == "escort")) is None


def test_an_escort_phone_that_is_no_number_is_refused(session, app):
    _clinic, _referral, token = _accepted(session)
    patient = opened(app, token, BIRTH)
    sent = patient.post("/answers/escort", {"name": "Helga Krause", "phone": "ask my daughter"})
    assert sent.status_code == 422
    assert "telephone number" in sent.get_data(as_text=True) or "Telefonnummer" in sent.get_data(as_text=True)
    assert session.scalar(select(PortalAnswer).where(PortalAnswer.item == "escort")) is None


def test_the_medicine_choices_offer_only_the_doses_the_rules_know(session, app):
    """Issue 21, item 9: the dose list offered every dose for every medicine, and "Apixaban, full dose"
    was refused. Each medicine now comes with the doses its rules tell apart; the server agrees."""
    _clinic, _referral, token = _accepted(session)
    patient = opened(app, token, BIRTH)
    html = patient.get("/answers/medication").get_data(as_text=True)
    assert 'value="apixaban|"' in html and "apixaban|therapeutic" not in html
    assert 'value="aspirin|primary"' in html and 'value="aspirin|secondary"' in html and 'value="aspirin|"' in html
    assert "aspirin|therapeutic" not in html and 'name="drugs-0-dose_class"' not in html

    refused = patient.post("/answers/medication", {"drugs-0-drug_code": "aspirin|therapeutic"})
    assert refused.status_code == 422
    sent = patient.post("/answers/medication", {"drugs-0-drug_code": "apixaban|therapeutic"})
    assert sent.status_code == 302
    answer = session.scalar(select(PortalAnswer).where(PortalAnswer.item == "medication"))
    assert portal_answers.payload_of(answer)["drugs"] == [
        {"drug_code": "apixaban", "dose_class": "", "last_dose_on": None}
    ]
    again = patient.get("/answers/medication").get_data(as_text=True)
    assert 'value="apixaban|" selected' in again or 'selected value="apixaban|"' in again
