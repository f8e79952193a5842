"""The procedure day's screens through the test client: refused actions keep what was typed, errors name
their fields, the nurse's board shows what the nurse needs (issue 21)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from clinic.core import clock
from clinic.core.errors import DomainError, InvalidInput
from clinic.core.timefmt import to_local
from clinic.models import (
    Appointment,
    AuditEvent,
    DrugOption,
    FollowUp,
    ObservationCheck,
    ObservationRecord,
    ProcedureDrug,
    ProcedureRecord,
)
from clinic.services import consents, procedure_day, procedure_records
from tests.conftest import NOW, ZONE, Browser, assert_shows
from tests.factories import build_clinic, make_referral, record_details
from tests.radiology.day_helpers import START, crowded, day_appointment, record_form, to_observation, to_procedure
from tests.scheduling.helpers import chain


def test_a_refused_start_keeps_the_consent_form_filled_in(session, settings, browser):
    clinic, appointment = day_appointment(session, settings)
    procedure_day.check_in(session, None, appointment, at=NOW, zone=ZONE)
    consents.print_consent(session, clinic.radiologists[0], appointment, ZONE)
    session.commit()
    browser.login("rad1")
    path = f"/radiology/appointments/{appointment.id}"
    response = browser.post(f"{path}/start", form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "no signed consent" in html
    assert re.search(r'id="consent-signed_at"[^>]*value="2026-11-23T07:00"', html), "Signed at lost its default"
    assert re.search(r'id="consent-explained_at"[^>]*value="2026-11-23T07:00"', html)


def test_a_failed_accept_shows_one_banner_and_a_refused_decline_keeps_the_plan(session, browser):
    clinic = build_clinic(session)
    referral = make_referral(session, region="lumbar", side="left")
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    response = browser.post(f"{path}/accept", {"accept-procedure_type_id": "0"}, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count('class="alert alert-danger') == 1, "two banners for one refusal"
    response = browser.post(f"{path}/decline", {"decline-reason": ""}, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    # the accept form still shows the referral's region and side, not empty selects
    assert re.search(r'<option selected value="lumbar">|<option value="lumbar" selected>', html)
    assert clinic  # the clinic's catalogue is what the accept form offers


def _stored(session, model, appointment):
    """The appointment's procedure or observation record (``model``) as the database has it now."""
    record = session.scalar(select(model).where(model.appointment_id == appointment.id))
    session.refresh(record)
    return record


def _on_the_board(session, settings, browser):
    """A patient in observation since 07:20, the nurse logged in."""
    clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    browser.login("nurse")
    return clinic, appointment


def test_check_errors_name_their_fields_and_check_notes_are_shown(session, settings, browser):
    _clinic, appointment = _on_the_board(session, settings, browser)
    path = f"/observation/appointments/{appointment.id}/check"
    response = browser.post(
        path, {"systolic": "900", "pulse": "5", "motor": "", "sensory": ""}, form_page="/observation/"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    banner = html.split("Check not saved")[1].split("</div>")[0]
    assert "BP systolic" in banner
    assert "Pulse" in banner
    # what the nurse typed is still in the card
    assert re.search(rf'id="systolic-{appointment.id}"[^>]*value="900"', html)
    response = browser.post(
        path, {"systolic": "128", "motor": "", "sensory": "", "note": "Leg feels warm"}, form_page="/observation/"
    )
    assert response.status_code == 302
    board = browser.get("/observation/").get_data(as_text=True)
    assert "Leg feels warm" in board
    record = _stored(session, ObservationRecord, appointment)
    assert [c.note for c in record.checks] == ["Leg feels warm"]
    assert session.get(Appointment, appointment.id).status == "in_observation"


def test_an_empty_check_is_refused_and_nothing_recorded(session, settings, browser):
    """Walk finding 14: a check with every field empty was recorded (the form's rule never ran)."""
    clinic, appointment = _on_the_board(session, settings, browser)
    path = f"/observation/appointments/{appointment.id}/check"
    response = browser.post(path, {"systolic": "", "motor": "", "sensory": "", "note": "  "}, form_page="/observation/")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # Walk finding: "RR systolisch: Geben Sie mindestens einen Wert ein.": the message is about the check as a
    # whole, said once, at the card, without the systolic field's label.
    assert html.count("Enter at least one value.") == 1
    card = r'<div class="col-12 text-danger small" role="alert" data-refusal>Enter at least one value\.</div>'
    assert re.search(card, html)
    assert "Systolic: Enter" not in html and "is-invalid" not in html
    assert f"Check not saved for {appointment.patient.display_name}." in html
    assert session.scalar(select(ObservationCheck.id)) is None
    with pytest.raises(InvalidInput, match="at least one value"):
        procedure_day.record_check(session, clinic.staff["nurse"], appointment, procedure_day.CheckValues(note=""))


def _card(board: str, appointment_id: int) -> str:
    """One patient's card of the observation board."""
    return board.split(f'data-appointment="{appointment_id}"')[1].split("data-board-card=")[0]


def _observation(session, appointment_id: int) -> ObservationRecord:
    session.expire_all()
    return session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment_id))


@pytest.mark.parametrize("reason", ["", "--"])
def test_a_longer_stay_without_a_reason_is_refused_at_the_reason_and_the_extension_is_shown_clearly(
    session, settings, browser, reason
):
    """Walk finding: 15 minutes with the reason empty were saved ("Überwachung verlängert."), and the card
    said "geplantes Ende 11:36 +30 Min." as if 30 more minutes came after 11:36. Now the reason is refused at
    its field (the minutes typed kept, nothing saved); with a reason the stay is extended and the card says
    the planned end, which includes the extension, "(extended by 15 min)"."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    planned_end = _observation(session, appointment.id).planned_end
    browser.login("nurse")
    path = f"/observation/appointments/{appointment.id}/extend"
    response = browser.post(path, {"minutes": "15", "reason": reason}, form_page="/observation/")
    assert response.status_code == 422
    card = _card(response.get_data(as_text=True), appointment.id)
    assert re.search(rf'id="minutes-{appointment.id}"[^>]*value="15"', card)
    assert re.search(rf'class="[^"]*is-invalid[^"]*" id="reason-{appointment.id}"', card)
    assert "A longer stay needs a reason, in words" in card.split(f'id="reason-{appointment.id}"')[1]
    record = _observation(session, appointment.id)
    assert (record.planned_end, record.extension_minutes, record.extension_reason) == (planned_end, 0, None)

    response = browser.post(path, {"minutes": "15", "reason": "Leg still numb"}, form_page="/observation/")
    assert response.status_code == 302
    record = _observation(session, appointment.id)
    assert record.planned_end == planned_end + dt.timedelta(minutes=15) and record.extension_reason == "Leg still numb"
    card = _card(browser.get("/observation/").get_data(as_text=True), appointment.id)
    end = to_local(record.planned_end, ZONE).strftime("%H:%M")
    assert re.search(rf"planned end <strong>{end}</strong>\s*<span[^>]*>\(extended by 15 min\)</span>", card), card
    assert "+15 min" not in card


def test_a_refused_longer_stay_keeps_what_the_nurse_typed_at_the_card_and_saves_nothing(session, settings, browser):
    """Walk finding: a refused "stay longer" went back to the board with a banner only, and the minutes and
    the reason the nurse had typed were gone. Now the board comes again (422) with that card's form as it
    was sent and the error beside its field; the other cards' forms stay fresh; nothing is saved."""
    clinic, appointment = day_appointment(session, settings)
    _, other = day_appointment(session, settings, clinic)
    to_observation(session, clinic, appointment)
    to_observation(session, clinic, other)
    session.commit()
    before = _observation(session, appointment.id)
    planned_end = before.planned_end
    browser.login("nurse")
    path = f"/observation/appointments/{appointment.id}/extend"

    # The service refuses: more than 60 minutes need a reason. The error stands at the reason.
    response = browser.post(path, {"minutes": "90", "reason": ""}, form_page="/observation/")
    assert response.status_code == 422
    board = response.get_data(as_text=True)
    card = _card(board, appointment.id)
    assert re.search(rf'id="minutes-{appointment.id}"[^>]*value="90"', card)
    assert re.search(rf'class="[^"]*is-invalid[^"]*" id="reason-{appointment.id}"', card)
    assert "needs a reason" in card.split(f'id="reason-{appointment.id}"')[1].split("</form>")[0]
    assert re.search(rf'id="minutes-{other.id}"[^>]*value="15"', _card(board, other.id))  # not the other's

    # The form refuses: minutes out of range; the reason typed stays, the error stands at the minutes.
    response = browser.post(path, {"minutes": "500", "reason": "Dizzy when standing"}, form_page="/observation/")
    assert response.status_code == 422
    card = _card(response.get_data(as_text=True), appointment.id)
    assert re.search(rf'id="minutes-{appointment.id}"[^>]*value="500"', card)
    assert re.search(rf'id="reason-{appointment.id}"[^>]*value="Dizzy when standing"', card)
    assert "between 1 and 120" in card.split(f'id="minutes-{appointment.id}"')[1].split('id="reason-')[0]
    record = _observation(session, appointment.id)
    assert (record.planned_end, record.extension_minutes, record.extension_reason) == (planned_end, 0, None)

    # Given the reason, the step is done: back to the board (post/redirect/get).
    response = browser.post(path, {"minutes": "90", "reason": "Dizzy when standing"}, form_page="/observation/")
    assert response.status_code == 302
    assert _observation(session, appointment.id).extension_minutes == 90


def test_a_discharge_refused_after_it_wrote_keeps_the_reason_typed_and_nothing_of_the_discharge(
    session, settings, browser, monkeypatch
):
    """Walk finding: a refused discharge lost the reason typed. The board comes again (422) with the reason
    in the card and the refusal beside the form; what the discharge wrote before the refusal is rolled back."""
    clinic, appointment = day_appointment(session, settings)
    to_observation(session, clinic, appointment, at=NOW)
    procedure_day.set_discharge_checklist(
        session, appointment, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    session.commit()
    browser.login("nurse")
    path = f"/observation/appointments/{appointment.id}/discharge"

    too_long = "Patient insists " + "x" * 500
    response = browser.post(path, {"reason": too_long}, form_page="/observation/")
    assert response.status_code == 422
    card = _card(response.get_data(as_text=True), appointment.id)
    field = rf'class="[^"]*is-invalid[^"]*" id="discharge-reason-{appointment.id}"[^>]*value="{too_long}"'
    assert re.search(field, card)
    assert "500" in card.split(f'id="discharge-reason-{appointment.id}"')[1].split("</form>")[0]

    def refuse(*_args):
        raise DomainError("The follow-up calls could not be planned.")

    monkeypatch.setattr(procedure_day.episodes, "after_discharge", refuse)  # after the discharge wrote
    reason = "Patient insists; radiologist informed"
    response = browser.post(path, {"reason": reason}, form_page="/observation/")
    assert response.status_code == 422
    card = _card(response.get_data(as_text=True), appointment.id)
    assert re.search(rf'id="discharge-reason-{appointment.id}"[^>]*value="{reason}"', card)
    assert "The follow-up calls could not be planned." in card.split("data-refusal>")[1]
    page = response.get_data(as_text=True)  # said once, on the card; the banner points there
    assert page.count("The follow-up calls could not be planned.") == 1
    assert f"Not done for {appointment.patient.display_name}: the card says why." in page
    record = _observation(session, appointment.id)
    assert (record.discharged_at, record.discharge_flagged, record.discharge_reason) == (None, False, None)
    assert session.get(Appointment, appointment.id).status == "in_observation"
    assert session.scalar(select(FollowUp.id)) is None
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "observation.discharged_with_gaps")) is None


def test_a_patient_whose_bed_is_taken_gets_a_full_card_and_a_free_bed(session, settings, browser):
    clinic, _, b, _ = crowded(session, settings)
    session.commit()
    browser.login("nurse")
    board = browser.get("/observation/").get_data(as_text=True)
    card = board.split(f'data-board-card="waiting-{b.id}"')[1]
    assert_shows(card, "Save check", "Update checklist", "Discharge", "Stay longer", "Move to this bed")
    offered = re.findall(r'<option value="(\d+)">(Bed \d)</option>', card.split("</select>")[0])
    assert [label for _, label in offered] == ["Bed 2", "Bed 4", "Bed 5", "Bed 6"]
    response = browser.post(
        f"/observation/appointments/{b.id}/bed", {"bed_id": clinic.beds[2].id}, form_page="/observation/"
    )
    assert response.status_code == 422  # refused: the board again, the error at the card's bed choice
    card = response.get_data(as_text=True).split(f'data-board-card="waiting-{b.id}"')[1].split("data-board-card")[0]
    assert "Bed 3 is not free for this stay" in card.split("</select>")[1].split("</form>")[0]
    response = browser.post(
        f"/observation/appointments/{b.id}/bed", {"bed_id": clinic.beds[1].id}, form_page="/observation/"
    )
    board = browser.get("/observation/").get_data(as_text=True)
    assert f"{b.patient.display_name} moved to Bed 2" in board
    assert f'data-board-card="waiting-{b.id}"' not in board
    assert re.search(rf'data-board-card="bed-{clinic.beds[1].id}" data-appointment="{b.id}"', board)


def test_a_refused_bed_move_is_said_once(session, settings, browser):
    """Staff walk: moving a patient to a bed taken for the stay was refused in the banner and again under
    the bed's choice. Now the choice says why, the banner only asks to correct it; when no bed is free any
    more (no choice shown) the banner says why."""
    clinic, _, b, _ = crowded(session, settings)
    session.commit()
    browser.login("nurse")
    response = browser.post(
        f"/observation/appointments/{b.id}/bed", {"bed_id": clinic.beds[2].id}, form_page="/observation/"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Bed 3 is not free for this stay") == 1
    card = page.split(f'data-board-card="waiting-{b.id}"')[1].split("data-board-card")[0]
    assert "Bed 3 is not free for this stay" in card.split("</select>")[1].split("</form>")[0]
    assert "Please correct the marked field." in page

    for bed in clinic.beds:  # every other bed closed: no choice is shown, the banner says why
        if bed.id != clinic.beds[2].id:
            bed.active = bed.id == clinic.beds[0].id
    session.commit()
    response = browser.post(
        f"/observation/appointments/{b.id}/bed", {"bed_id": clinic.beds[2].id}, form_page="/observation/"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Bed 3 is not free for this stay") == 1
    assert "Please correct the marked field." not in page and "No bed is free for the rest of the stay" in page


def test_the_board_lists_what_an_early_discharge_skips_and_the_appointment_shows_the_flag(
    app, session, settings, browser
):
    clinic, appointment = day_appointment(session, settings, code="SYMP", stage="diagnostic", side="right", levels=None)
    to_observation(session, clinic, appointment, at=NOW)
    procedure_day.set_discharge_checklist(
        session, appointment, stable=True, can_walk=True, escort_present=False, instructions_given=True
    )
    session.commit()
    browser.login("nurse")
    board = browser.get("/observation/").get_data(as_text=True)
    before = board.split("Before discharge:")[1].split("</ul>")[0]
    assert "Escort present" in before
    assert "observed 0 of 60 planned minutes" in before and "no blood pressure and pulse recorded" in before
    session.expire_all()
    procedure_day.set_discharge_checklist(session, session.get(Appointment, appointment.id), escort_present=True)
    session.commit()
    path = f"/observation/appointments/{appointment.id}/discharge"
    refused = browser.post(path, {}, form_page="/observation/")
    assert refused.status_code == 422 and "Discharge now needs a reason" in refused.get_data(as_text=True)
    assert session.get(Appointment, appointment.id).status == "in_observation"
    response = browser.post(path, {"reason": "Patient insists; radiologist informed"}, form_page="/observation/")
    assert response.status_code == 302
    doctor = Browser(app.test_client())
    doctor.login("rad1")
    page = doctor.get(f"/radiology/appointments/{appointment.id}").get_data(as_text=True)
    flag = page.split("data-flagged-discharge")[1].split("</div>")[0]
    assert "Patient insists; radiologist informed" in flag and "observed 0 of 60 planned minutes" in flag


def test_the_board_shows_allergies_diabetes_with_the_glucose_check_and_the_escort_phone(session, settings, browser):
    clinic, appointment = day_appointment(
        session, settings, allergies={"contrast"}, allergy_other="Plaster", conditions={"diabetes"}
    )
    record = to_procedure(session, clinic, appointment)
    triamcinolone = session.scalar(select(DrugOption).where(DrugOption.name == "Triamcinolone"))
    record.drugs.append(ProcedureDrug(drug_option_id=triamcinolone.id, dose=Decimal(40), unit="mg"))
    procedure_day.end_procedure(session, None, appointment, at=NOW + dt.timedelta(minutes=20))
    session.commit()
    browser.login("nurse")
    board = browser.get("/observation/").get_data(as_text=True)
    facts = board.split("data-bedside-facts")[1].split("</div>")[0]
    assert "Contrast medium, Plaster" in facts
    assert "steroid given: check glucose" in facts
    assert "Maria Beispiel" in facts and 'href="tel:+49405550199"' in facts and "+49 40 555 0199" in facts


def test_the_worklist_puts_finished_patients_after_those_still_to_do(session, settings, browser):
    clinic = build_clinic(session, texts=True)
    ct1, ct2 = clinic.rooms["CT 1"], clinic.rooms["CT 2"]
    r1, r2 = clinic.radiologists[:2]
    _, early = day_appointment(session, settings, clinic, candidate=chain(ct1, r1, clinic.beds[0], START, 20, 30))
    _, late = day_appointment(
        session, settings, clinic, candidate=chain(ct2, r2, clinic.beds[1], START + dt.timedelta(hours=1), 20, 30)
    )
    observation = to_observation(session, clinic, early, at=START + dt.timedelta(minutes=20))
    observation.checks.append(ObservationCheck(systolic=120, diastolic=70, pulse=60, motor_normal=True))
    procedure_day.set_discharge_checklist(
        session, early, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(session, clinic.staff["nurse"], early, at=START + dt.timedelta(minutes=60))
    session.commit()
    browser.login("rad1")
    html = browser.get("/radiology/worklist").get_data(as_text=True)
    assert html.index(late.patient.display_name) < html.index("Finished") < html.index(early.patient.display_name)


def test_check_in_is_offered_only_on_the_day(session, settings, browser):
    clinic = build_clinic(session, texts=True)
    _, today = day_appointment(session, settings, clinic)
    next_week = START + dt.timedelta(days=7)
    _, later = day_appointment(
        session,
        settings,
        clinic,
        candidate=chain(clinic.rooms["CT 2"], clinic.radiologists[1], clinic.beds[1], next_week, 20, 30),
    )
    session.commit()
    browser.login("nurse")
    for appointment, offered in ((today, True), (later, False)):
        for path in (f"/radiology/appointments/{appointment.id}", f"/desk/appointments/{appointment.id}"):
            html = browser.get(path).get_data(as_text=True)
            assert (">Check in</button>" in html) is offered, path
    assert "Check-in opens on 30.11.2026" in browser.get(f"/radiology/appointments/{later.id}").get_data(as_text=True)


def test_signing_an_invalid_record_refuses_with_one_banner_and_keeps_the_typed_values(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_procedure)
    session.commit()
    browser.login("rad1")
    path = f"/radiology/appointments/{appointment.id}"
    data = {
        "record-started_at": "2026-11-23T07:00",
        "record-ended_at": "2026-11-23T07:15",
        "record-approach": "transforaminal",
        "record-pain_before": "11",
        "record-side": "left",
        "record-guidance": "CT",
    }
    response = browser.post(f"{path}/sign", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.count('class="alert alert-danger') == 1
    assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)
    record = _stored(session, ProcedureRecord, appointment)
    assert not record.is_signed and record.approach is None  # a refusal changes nothing


def _booked_today(session, settings, browser, username: str) -> Appointment:
    """An appointment booked for today in a clinic with texts, ``username`` logged in."""
    clinic = build_clinic(session, texts=True)
    _, appointment = day_appointment(session, settings, clinic)
    session.commit()
    browser.login(username)
    return appointment


@pytest.mark.parametrize("elsewhere", [None, "https://evil.example/", "//evil.example/x", "/\t/evil.example"])
def test_the_nurse_checks_in_from_the_radiology_page_and_stays_there(session, settings, browser, elsewhere):
    """Walk finding 18: check-in on the radiology page answered with the front desk's page. The page to go
    back to is a path of this site only."""
    appointment = _booked_today(session, settings, browser, "nurse")
    path = f"/radiology/appointments/{appointment.id}"
    html = browser.get(path).get_data(as_text=True)
    assert f'name="next" value="{path}"' in html
    answer = browser.post(f"/desk/appointments/{appointment.id}/check-in", {"next": elsewhere or path}, form_page=path)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert "evil" not in location
    assert location.endswith(path if elsewhere is None else f"/desk/appointments/{appointment.id}")
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == "checked_in"


def test_a_patient_not_checked_in_after_the_procedure_time_is_marked_late(session, settings, browser):
    """Walk finding 21: patients booked for 08:00 were still just 'booked' at 09:57, nothing marked them."""
    appointment = _booked_today(session, settings, browser, "rad1")
    clock.pin(appointment.table_start - dt.timedelta(minutes=10))
    assert "Late: not checked in" not in browser.get("/radiology/worklist").get_data(as_text=True)
    clock.pin(appointment.table_start + dt.timedelta(minutes=30))
    html = browser.get("/radiology/worklist").get_data(as_text=True)
    due = to_local(appointment.table_start, ZONE).strftime("%H:%M")
    assert f"Late: not checked in (procedure due at {due})" in html


def test_the_same_drug_twice_in_one_record_is_refused_at_its_row_keeping_what_was_typed(session, settings, browser):
    """Walk finding F-11: "Bupivacaine 0.5 ml; Bupivacaine 0.5 ml" was saved and signed. A drug is one row
    with the whole dose: the second row is refused at the row, the form keeps what was typed, and nothing
    is saved (the service refuses it too, for any other caller)."""
    _clinic, appointment = day_appointment(session, settings, to=to_procedure)
    bupivacaine = session.scalar(select(DrugOption).where(DrugOption.name == "Bupivacaine"))
    session.commit()
    browser.login("rad1")
    path = f"/radiology/appointments/{appointment.id}"
    data = {
        "record-started_at": "2026-11-23T07:00",
        "record-approach": "transforaminal",
        "record-side": "left",
        "record-guidance": "CT",
        "record-drugs-0-drug_option_id": str(bupivacaine.id),
        "record-drugs-0-dose": "0.5",
        "record-drugs-1-drug_option_id": str(bupivacaine.id),
        "record-drugs-1-dose": "0.5",
    }
    for action in ("record", "sign"):
        response = browser.post(f"{path}/{action}", data, form_page=path)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, action
        row = re.search(r'<select[^>]*id="record-drugs-1-drug_option_id"[^>]*>', html).group(0)
        assert "is-invalid" in row
        assert "This drug is in a row above already: give the whole dose in one row." in html
        assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)
        assert re.search(r'id="record-drugs-1-dose"[^>]*value="0.5', html)
    record = _stored(session, ProcedureRecord, appointment)
    assert not record.is_signed and record.approach is None and record.drugs == []
    twice = [(bupivacaine.id, Decimal("0.5")), (bupivacaine.id, Decimal("0.5"))]
    clock.pin(NOW + dt.timedelta(minutes=30))  # after the procedure's 14 minutes
    with pytest.raises(InvalidInput, match="Bupivacaine is listed twice"):
        procedure_records.update(session, None, record, record_details(record, drugs=twice), zone=ZONE)


def _record_page(session, settings, browser, **plan):
    """A procedure started at 07:00 (checked in then too) on Monday 23.11.2026, the record written at 07:30;
    ``plan`` as for make_ready_referral."""
    clinic, appointment = day_appointment(session, settings, to=to_procedure, **plan)
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad1")
    return clinic, appointment, f"/radiology/appointments/{appointment.id}"


def _under(html: str, name: str) -> str:
    """The record form's field ``name`` as shown: from its input to the next field."""
    start = html.index(f'id="record-{name}"')
    return html[html.rindex("<input", 0, start) : html.index('id="record-', start + 1)]


@pytest.mark.parametrize("action", ["record", "sign"])
@pytest.mark.parametrize(
    ("started", "ended", "name", "message"),
    [
        ("2026-11-20T10:31", "2026-11-20T10:50", "started_at", "The start must be on the day of the appointment"),
        ("2026-11-24T07:00", "", "started_at", "The start must be on the day of the appointment"),
        ("2026-11-23T09:00", "", "started_at", "The start cannot lie in the future (it is 07:30 now)"),
        ("2026-11-23T06:50", "2026-11-23T07:10", "started_at", "The start cannot come before the patient was"),
        ("2026-11-23T07:00", "2026-11-24T07:15", "ended_at", "The end must be on the day of the appointment"),
        ("2026-11-23T07:00", "2026-11-23T08:15", "ended_at", "The end cannot lie in the future (it is 07:30 now)"),
        ("2026-11-23T07:31", "", "started_at", "The start cannot lie in the future (it is 07:30 now)"),
        ("2026-11-23T07:00", "2026-11-23T07:31", "ended_at", "The end cannot lie in the future (it is 07:30 now)"),
        ("2026-11-23T07:20", "2026-11-23T07:10", "ended_at", "The end lies before the start."),
    ],
)
def test_a_record_time_off_the_procedure_is_refused_at_its_field_and_nothing_is_saved(
    session, settings, browser, action, started, ended, name, message
):
    """Walk finding: a record for an appointment on 04.12 was saved and signed with 20.11 10:31-10:50 (and a
    start tomorrow was saved); the signed record shows only "10:31–10:50". Start and end lie on the
    appointment's day, not in the future, the start not before check-in: refused under the field, with what
    was typed kept, and nothing saved or signed."""
    _clinic, appointment, path = _record_page(session, settings, browser)
    bupivacaine = session.scalar(select(DrugOption).where(DrugOption.name == "Bupivacaine"))
    data = {
        "record-started_at": started,
        "record-ended_at": ended,
        "record-approach": "transforaminal",
        "record-side": "left",
        "record-guidance": "CT",
        "record-pain_before": "7",
        "record-pain_after": "2",
        "record-drugs-0-drug_option_id": str(bupivacaine.id),
        "record-drugs-0-dose": "0.5",
    }
    response = browser.post(f"{path}/{action}", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    shown = _under(html, name)
    assert "is-invalid" in shown and message in shown, shown
    assert html.count('class="alert alert-danger') == 1  # the form's one banner
    assert re.search(r'id="record-started_at"[^>]*value="' + started, html)
    assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)
    record = _stored(session, ProcedureRecord, appointment)
    assert record.started_at == NOW and record.ended_at is None
    assert not record.is_signed and record.approach is None and record.drugs == []


@pytest.mark.parametrize("action", ["record", "sign"])
def test_a_record_end_after_the_patient_went_to_observation_is_refused(session, settings, browser, action):
    """Walk finding: the procedure was ended at 10:36 (the board: in observation "since 10:36"), and the
    record was signed with the end 10:39, after the discharge at 10:38. Here the procedure ended at 07:20;
    an end of 07:25 typed at 07:30 is refused under the end field, nothing saved or signed."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad1")
    path = f"/radiology/appointments/{appointment.id}"
    data = record_form(session, ended="07:25")
    response = browser.post(f"{path}/{action}", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    shown = _under(html, "ended_at")
    assert "is-invalid" in shown and "The end cannot come after the patient went to observation (07:20)" in shown
    assert re.search(r'id="record-ended_at"[^>]*value="2026-11-23T07:25', html)
    record = _stored(session, ProcedureRecord, appointment)
    assert record.ended_at == NOW + dt.timedelta(minutes=20)
    assert not record.is_signed and record.approach is None


def test_a_record_on_the_appointments_day_is_saved_and_signed(session, settings, browser):
    _clinic, appointment, path = _record_page(session, settings, browser)
    data = record_form(session, started="07:02", ended="07:30")  # the end: the current minute
    assert browser.post(f"{path}/record", data, form_page=path).status_code == 302
    record = _stored(session, ProcedureRecord, appointment)
    assert record.approach == "transforaminal" and not record.is_signed
    assert record.started_at == NOW + dt.timedelta(minutes=2) and record.ended_at == NOW + dt.timedelta(minutes=30)
    assert browser.post(f"{path}/sign", data, form_page=path).status_code == 302
    session.refresh(record)
    assert record.is_signed
    assert "07:02–07:30" in browser.get(path).get_data(as_text=True)  # on the appointment's day: times only


def test_a_signed_record_from_another_day_shows_its_date(session, settings, browser):
    """A record saved before the day was checked (the walk's 20.11 for an appointment on 04.12) shows the
    day of a time that is not the appointment's, not the times alone."""
    clinic, appointment, path = _record_page(session, settings, browser)
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    bupivacaine = session.scalar(select(DrugOption).where(DrugOption.name == "Bupivacaine"))
    given = [(bupivacaine.id, Decimal("0.5"))]
    procedure_records.update(session, None, record, record_details(record, drugs=given), zone=ZONE)
    record.started_at = NOW - dt.timedelta(days=3)  # as stored and signed before the rule
    record.signed_by_id, record.signed_at = clinic.radiologists[0].id, NOW
    session.commit()
    shown = browser.get(path).get_data(as_text=True)
    assert "20.11.2026 07:00–07:14" in shown  # the clinic's date format


@pytest.mark.parametrize(
    ("change", "name", "message"),
    [
        ({"started_at": NOW - dt.timedelta(days=3)}, "started_at", "The start must be on the day of the appointment"),
        ({"started_at": NOW - dt.timedelta(minutes=20)}, "started_at", "The start cannot come before the patient"),
        ({"ended_at": NOW + dt.timedelta(hours=2)}, "ended_at", "The end cannot lie in the future (it is 07:30 now)"),
    ],
)
def test_signing_checks_the_stored_times_again(session, settings, browser, change, name, message):
    """Signing checks the record's times by the rule saving uses: a record whose stored times do not fit
    (saved before the rule, or written around it) is not signed; the refusal stands under the field, the
    form shows what is stored, the answer is 400."""
    clinic, appointment, path = _record_page(session, settings, browser)
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    bupivacaine = session.scalar(select(DrugOption).where(DrugOption.name == "Bupivacaine"))
    procedure_records.update(
        session, None, record, record_details(record, drugs=[(bupivacaine.id, Decimal("0.5"))]), zone=ZONE
    )
    for attribute, value in change.items():
        setattr(record, attribute, value)  # the stored times, not through the form
    session.commit()
    with pytest.raises(InvalidInput, match=re.escape(message)) as refused:
        procedure_records.sign(session, clinic.radiologists[0], record, zone=ZONE)
    assert refused.value.details == {"field": name}
    session.rollback()
    response = browser.post(f"{path}/sign", form_page=path)  # the sign button alone: the record as stored
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    shown = _under(html, name)
    assert "is-invalid" in shown and message in shown, shown
    assert html.count('class="alert alert-danger') == 1  # the form's one banner
    session.refresh(record)
    assert not record.is_signed


def test_ending_the_procedure_keeps_what_was_typed_into_the_record(session, settings, browser):
    """Walk finding (data loss): "End procedure → observation" dropped the record fields the radiologist had
    typed but not saved. The end button belongs to the record form: what is typed is saved with the end;
    a record the form refuses is not ended and what was typed stays on the screen."""
    _clinic, appointment, path = _record_page(session, settings, browser)
    html = browser.get(path).get_data(as_text=True)
    assert re.search(r'form="record-form"[^>]*formaction="[^"]*/end"', html), "the end button is not the record's"
    typed = {
        "record-started_at": "2026-11-23T07:00",
        "record-ended_at": "",
        "record-approach": "transforaminal",
        "record-pain_before": "11",  # out of range: refused, nothing ended
        "record-note": "Kontrast gut verteilt",
        "record-side": "left",
        "record-guidance": "CT",
    }
    response = browser.post(f"{path}/end", typed, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)
    session.refresh(appointment)
    assert appointment.status == "in_procedure"
    response = browser.post(f"{path}/end", {**typed, "record-pain_before": "7"}, form_page=path)
    assert response.status_code == 302
    session.refresh(appointment)
    record = _stored(session, ProcedureRecord, appointment)
    assert appointment.status == "in_observation"
    assert (record.approach, record.pain_before, record.note) == ("transforaminal", 7, "Kontrast gut verteilt")
    assert record.ended_at is not None  # the end time is the moment of the end, as before


def test_a_dose_without_its_drug_is_refused_at_the_drug_and_nothing_is_saved(session, settings, browser):
    """Walk finding (data loss): a dose typed with no drug chosen was dropped without a word on saving. It is
    refused at the row's drug (422), nothing is saved, and what was typed stays."""
    _clinic, appointment, path = _record_page(session, settings, browser)
    data = {
        "record-started_at": "2026-11-23T07:00",
        "record-approach": "transforaminal",
        "record-side": "left",
        "record-guidance": "CT",
        "record-drugs-1-drug_option_id": "0",
        "record-drugs-1-dose": "40",
    }
    response = browser.post(f"{path}/record", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    at = html.index('id="record-drugs-1-drug_option_id"')
    drug = html[html.rindex("<select", 0, at) : html.index('id="record-drugs-1-dose"')]
    assert "is-invalid" in drug and "Choose the drug for this dose." in drug, drug
    assert re.search(r'id="record-drugs-1-dose"[^>]*value="40', html)
    assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)
    record = _stored(session, ProcedureRecord, appointment)
    assert record.approach is None and not record.drugs  # nothing saved


def test_updating_the_checklist_keeps_the_vitals_typed_in_the_same_card(session, settings, browser):
    """Walk finding (data loss): "Update checklist" emptied the vitals typed in the same card. The card's
    vitals and checklist are one form: the checklist button saves the vitals typed with it; vitals it cannot
    take are refused at their field (422) with the vitals and the ticks as typed, and nothing is saved."""
    _clinic, appointment = _on_the_board(session, settings, browser)
    board = browser.get("/observation/").get_data(as_text=True)
    card = board[board.index(f'id="systolic-{appointment.id}"') :]
    form = card[: card.index("</form>")]
    assert "Update checklist" in form, "the checklist button is not in the vitals' form"
    path = f"/observation/appointments/{appointment.id}/checklist"
    typed = {"checklist": "1", "stable": "on", "can_walk": "on", "motor": "", "sensory": "", "pulse": "72"}
    response = browser.post(path, {**typed, "systolic": "900"}, form_page="/observation/")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    systolic = html[
        html.index(f'id="systolic-{appointment.id}"') - 120 : html.index(f'id="diastolic-{appointment.id}"')
    ]
    assert 'value="900"' in systolic and "is-invalid" in systolic, systolic
    assert re.search(rf'id="pulse-{appointment.id}"[^>]*value="72"', html)
    assert re.search(rf'id="stable-{appointment.id}"[^>]*checked', html)
    record = _stored(session, ObservationRecord, appointment)
    assert not record.checks and not record.stable  # nothing saved
    response = browser.post(path, {**typed, "systolic": "128"}, form_page="/observation/")
    assert response.status_code == 302
    session.refresh(record)
    assert [(c.systolic, c.pulse) for c in record.checks] == [(128, 72)]
    assert record.stable and record.can_walk and not record.escort_present
    # the checklist alone, nothing typed in the vitals: no empty check
    response = browser.post(
        path, {"checklist": "1", "stable": "on", "motor": "", "sensory": ""}, form_page="/observation/"
    )
    assert response.status_code == 302
    session.refresh(record)
    assert len(record.checks) == 1 and not record.can_walk


def test_signing_without_the_pain_score_marks_the_pain_field_not_the_end(session, settings, browser):
    """Walk finding: signing a diagnostic block's record without the pain after said so under "End". The
    refusal stands under the pain field left empty (and under the drugs when none is given), not under the
    end; nothing is signed."""
    clinic, appointment, path = _record_page(
        session, settings, browser, code="SYMP", stage="diagnostic", side="right", levels=None
    )
    data = {
        "record-started_at": "2026-11-23T07:00",
        "record-ended_at": "2026-11-23T07:15",
        "record-side": "right",
        "record-guidance": "CT",
        "record-pain_before": "7",
        "record-complications": "keine",
    }
    response = browser.post(f"{path}/sign", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    message = "Before signing, record the pain before and after"  # each gap at its own field (walk 25)
    assert message in _under(html, "pain_after") and "is-invalid" in _under(html, "pain_after")
    assert message not in _under(html, "ended_at") and message not in _under(html, "pain_before")
    at = html.index('id="record-drugs-0-drug_option_id"')
    assert "Before signing, record the drugs given." in html[at : html.index('id="record-drugs-0-dose"')]
    assert re.search(r'id="record-pain_before"[^>]*value="7"', html)  # what was typed stays
    record = _stored(session, ProcedureRecord, appointment)
    assert not record.is_signed and record.pain_before is None
    assert clinic


def test_the_radiologist_page_says_where_the_board_has_the_patient(session, settings, browser):
    """Walk finding: the radiologist's page said "Observation on Bed 1" for B while A still lay on bed 1;
    the nurse's board rightly had B without a bed of their own. Both read one rule
    (procedure_day.observation_places); once B moves to a free bed, the page names it."""
    clinic, a, b, _ = crowded(session, settings)
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/appointments/{b.id}").get_data(as_text=True)
    assert "In observation without a bed of their own since" in page
    assert "Observation on Bed 1" not in page
    assert "Observation on Bed 1" in browser.get(f"/radiology/appointments/{a.id}").get_data(as_text=True)
    procedure_day.move_to_bed(session, None, b, clinic.beds[1].id, at=START + dt.timedelta(minutes=50), zone=ZONE)
    session.commit()
    page = browser.get(f"/radiology/appointments/{b.id}").get_data(as_text=True)
    assert "Observation on Bed 2" in page and "without a bed of their own" not in page


def test_the_board_keeps_free_beds_small_and_the_reason_placeholder_short(session, settings, browser):
    """Walk finding: an empty bed's card stretched to the height of the occupied card beside it, and the
    placeholder "Grund für die längere Überwachung" was cut off in its narrow field. The free card keeps its
    own height; the field says "Reason" and its label (and title) the whole question."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    browser.login("nurse")
    board = browser.get("/observation/").get_data(as_text=True)
    free = [card for card in board.split("data-board-card=")[1:] if 'data-appointment=""' in card.split(">")[0]]
    assert free and all("h-100" not in card.split("</div></div>")[0] for card in free)
    card = _card(board, appointment.id)
    field = re.search(rf'<input[^>]*id="reason-{appointment.id}"[^>]*>', card).group(0)
    assert 'placeholder="Reason"' in field and 'title="Reason for the longer stay"' in field


def test_the_early_discharge_reason_placeholder_is_short(session, settings, browser):
    """Re-walk finding: the early discharge's placeholder "Grund für die Entlassung jetzt" was cut off in its
    narrow field, as the longer stay's was. The field says "Reason"; its label and title the whole question."""
    clinic, appointment = day_appointment(session, settings)
    to_observation(session, clinic, appointment, at=NOW)
    session.commit()
    browser.login("nurse")
    card = _card(browser.get("/observation/").get_data(as_text=True), appointment.id)
    field = re.search(rf'<input[^>]*id="discharge-reason-{appointment.id}"[^>]*>', card).group(0)
    assert 'placeholder="Reason"' in field and 'title="Reason to discharge now"' in field
