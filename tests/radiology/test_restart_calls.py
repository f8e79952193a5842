"""The restart calls the discharge sheet promises ("Wir rufen Sie an, um den Wiederbeginn mit Ihnen
abzusprechen"): nothing put that call on anyone's list, so a patient could stay off an anticoagulant. The list
follows the sheet's own decision (``HoldPlan.restart``): a drug the sheet gives a restart time is not on it, a
drug the sheet leaves to a call is, until a radiologist records the call."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clinic.core.errors import Conflict, InvalidInput, PermissionDenied
from clinic.models import AnticoagulantRule, AuditEvent, ObservationCheck, ProcedureRecord, RestartCall
from clinic.models.vocab import Role
from clinic.services import aftercare, hold_rules, procedure_day, restart_calls
from tests.conftest import NOW, ZONE, logged_in
from tests.documents.helpers import text_of
from tests.documents.test_aftercare import RIVAROXABAN, observed, sign_off
from tests.factories import build_clinic, make_user
from tests.radiology.day_helpers import day_appointment, to_procedure
from tests.scheduling.helpers import utc

RESTART = utc(2026, 11, 24, 7, 0)  # 08:00 in Berlin, the day after the procedure (ended 06:20 UTC)


def unsettled(session, settings, missing: str = "restart_hours"):
    """Rivaroxaban paused for a PRT that ended; its restart cannot be told for sure (``missing``)."""
    clinic, appointment = observed(session, settings)
    rules = session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "rivaroxaban"))
    for rule in rules:
        if missing == "restart_hours":
            rule.restart_hours = None
        if missing == "sign_off":  # a physician withdraws the rule's sign-off after the procedure
            hold_rules.unverify(session, None, rule)
    if missing == "end":
        record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
        record.ended_at = None
    session.flush()
    return clinic, appointment


def listed(session, now=NOW) -> list[tuple[int, str]]:
    return [(d.appointment.id, d.item.drug_code) for d in restart_calls.pending(session, now=now)]


def test_a_drug_whose_restart_the_sheet_tells_is_not_listed(session, settings):
    _, appointment = observed(session, settings)
    assert "Wieder einnehmen frühestens" in text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert listed(session) == []
    assert restart_calls.calls_needed(session, appointment) == []


@pytest.mark.parametrize("missing", ["restart_hours", "end", "sign_off"])
def test_a_drug_the_sheet_leaves_to_a_call_is_listed_until_the_call_is_recorded(session, settings, missing):
    clinic, appointment = unsettled(session, settings, missing)
    sheet = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert "rufen Sie an" in sheet and "frühestens" not in sheet  # the sheet promised the call
    assert listed(session) == [(appointment.id, "rivaroxaban")]
    assert [d.item.drug_code for d in restart_calls.pending_for(session, appointment)] == ["rivaroxaban"]
    call, item = restart_calls.record_call(
        session,
        clinic.radiologists[0],
        appointment,
        "rivaroxaban",
        agreed_restart_at=RESTART,
        note=None,
        zone=ZONE,
        reached=True,
    )
    assert item.drug_name == "Rivaroxaban" and call.recorded_by_id == clinic.radiologists[0].id
    assert listed(session) == []
    assert restart_calls.pending_for(session, appointment) == []


def test_a_drug_left_to_the_prescriber_is_listed(session, settings):
    """FACET is low risk: rivaroxaban is a shared assessment, the sheet says "if you paused it ... we call"."""
    _, appointment = observed(
        session, settings, code="FACET", stage="diagnostic", medications=[("rivaroxaban", "", None)], confirm=True
    )
    assert listed(session) == [(appointment.id, "rivaroxaban")]


def test_a_drug_that_was_not_paused_is_not_listed(session, settings):
    observed(session, settings, medications=[("ibuprofen", "", None)], confirm=True)
    assert listed(session) == []


def test_the_list_looks_back_thirty_days_and_not_before_the_end(session, settings):
    clinic = build_clinic(session, texts=True)
    sign_off(session, "rivaroxaban")
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "rivaroxaban")):
        rule.restart_hours = None
    _, in_procedure = day_appointment(session, settings, clinic, medications=RIVAROXABAN, to=to_procedure)
    assert listed(session) == []  # not ended yet: no sheet, no call
    _, ended = observed(session, settings, clinic)
    assert listed(session) == [(ended.id, "rivaroxaban")]
    assert (
        listed(session, now=NOW + dt.timedelta(days=91)) == []
    )  # walk 24: 30 days let an unmade call drop off within the month
    assert listed(session, now=NOW + dt.timedelta(days=31)) == [(ended.id, "rivaroxaban")]
    assert in_procedure


# --- refusals: each changes nothing ---------------------------------------------------------------------------


def _counts(session) -> tuple[int, int]:
    return session.scalar(select(func.count(RestartCall.id))), session.scalar(select(func.count(AuditEvent.id)))


@pytest.mark.parametrize(
    ("case", "error", "words"),
    [
        ("unknown_drug", InvalidInput, "not among the medicines"),
        ("not_needed", Conflict, "No call is needed for Rivaroxaban"),
        ("already_recorded", Conflict, "already recorded"),
        ("before_the_end", InvalidInput, "before the end of the procedure"),
        ("nothing_said", InvalidInput, "Enter the agreed restart or a note"),
        ("not_reached", InvalidInput, "A call that did not reach them is not recorded"),
        ("nurse", PermissionDenied, "Only a radiologist"),
    ],
)
def test_each_refusal_says_why_and_changes_nothing(session, settings, case, error, words):
    clinic, appointment = unsettled(session, settings) if case != "not_needed" else observed(session, settings)
    radiologist = clinic.radiologists[0]
    if case == "already_recorded":
        restart_calls.record_call(
            session,
            radiologist,
            appointment,
            "rivaroxaban",
            agreed_restart_at=None,
            note="Hausarzt",
            zone=ZONE,
            reached=True,
        )
    session.flush()
    before = _counts(session)
    kwargs = {"agreed_restart_at": RESTART, "note": None, "zone": ZONE, "reached": True}
    actor, drug = radiologist, "rivaroxaban"
    if case == "unknown_drug":
        drug = "apixaban"
    if case == "before_the_end":
        kwargs["agreed_restart_at"] = utc(2026, 11, 23, 6, 0)  # the procedure ended at 06:20 UTC
    if case == "nothing_said":
        kwargs.update(agreed_restart_at=None, note="   ")
    if case == "nurse":
        actor = clinic.staff["nurse"]
    if case == "not_reached":  # walk 24: "not reached, left a message" took the call off the list
        kwargs.update(agreed_restart_at=None, note="Nicht erreicht, AB besprochen", reached=False)
    with pytest.raises(error, match=words):
        restart_calls.record_call(session, actor, appointment, drug, **kwargs)
    session.flush()
    assert _counts(session) == before


def test_the_unique_constraint_is_the_last_guard(session, settings):
    clinic, appointment = unsettled(session, settings)
    restart_calls.record_call(
        session,
        clinic.radiologists[0],
        appointment,
        "rivaroxaban",
        agreed_restart_at=RESTART,
        note=None,
        zone=ZONE,
        reached=True,
    )
    session.add(
        RestartCall(
            appointment_id=appointment.id,
            drug_code="rivaroxaban",
            note="twice",
            recorded_by_id=clinic.radiologists[0].id,
            recorded_at=NOW,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


# --- the screens ----------------------------------------------------------------------------------------------


def _section(html: str) -> str:
    return html.split('id="restart-calls"')[1].split("</section>")[0]


def test_the_german_worklist_lists_the_call_with_the_drugs_name_and_the_form_records_it(session, settings, browser):
    _, appointment = unsettled(session, settings)
    appointment.patient.phone = "+49 40 555 0199"
    make_user(session, "lena", {Role.RADIOLOGIST}, "Dr. Lena Brandt", language="de")
    session.commit()
    browser.login("lena")
    section = _section(browser.get("/radiology/worklist").get_data(as_text=True))
    assert "Wiederbeginn absprechen" in browser.get("/radiology/worklist").get_data(as_text=True)
    page = f"/radiology/appointments/{appointment.id}"
    for shown in ("Rivaroxaban", "+49 40 555 0199", "Periradikuläre Therapie", "23.11.2026", f'href="{page}#restart'):
        assert shown in section, shown
    assert "rivaroxaban" not in section  # the label, not the code
    html = browser.get(page).get_data(as_text=True)
    action = f"{page}/restart-calls/rivaroxaban"
    assert f'action="{action}"' in html and "Anruf festhalten" in html

    response = browser.post(
        action,
        {
            "restart-rivaroxaban-agreed_restart_at": "2026-11-24T08:00",
            "restart-rivaroxaban-note": "mit Patientin",
            "restart-rivaroxaban-reached": "y",
        },
        form_page=page,
    )
    assert response.status_code == 302 and response.headers["Location"] == page
    call = session.scalar(select(RestartCall))
    assert call.agreed_restart_at == RESTART and call.note == "mit Patientin"  # 08:00 in Berlin
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "restart_calls.create"))
    assert event.patient_id == appointment.patient_id and event.actor_name == "lena"
    html = browser.get(page).get_data(as_text=True)
    assert "Wiederbeginn vereinbart für 24.11.2026 08:00" in html and f'action="{action}"' not in html
    assert "Kein Wiederbeginn abzusprechen" in _section(browser.get("/radiology/worklist").get_data(as_text=True))


def test_a_refused_call_is_said_at_its_field_in_german_and_nothing_is_saved(session, settings, browser):
    _, appointment = unsettled(session, settings)
    make_user(session, "lena", {Role.RADIOLOGIST}, "Dr. Lena Brandt", language="de")
    session.commit()
    browser.login("lena")
    page = f"/radiology/appointments/{appointment.id}"
    response = browser.post(
        f"{page}/restart-calls/rivaroxaban",
        {"restart-rivaroxaban-agreed_restart_at": "2026-11-23T07:00", "restart-rivaroxaban-reached": "y"},
        form_page=page,
    )
    assert response.status_code == 400
    assert "liegt vor dem Ende des Eingriffs" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(RestartCall.id))) == 0


def test_nurses_see_the_list_but_do_not_record_and_the_front_desk_sees_neither(app, session, settings, browser):
    _, appointment = unsettled(session, settings)
    session.commit()
    page = f"/radiology/appointments/{appointment.id}"
    action = f"{page}/restart-calls/rivaroxaban"
    browser.login("nurse")
    assert "Rivaroxaban" in _section(browser.get("/radiology/worklist").get_data(as_text=True))
    assert f'action="{action}"' not in browser.get(page).get_data(as_text=True)
    assert browser.post(action, {"restart-rivaroxaban-note": "x"}, form_page=page).status_code == 403
    (desk,) = logged_in(app, "frontdesk")
    assert desk.get("/radiology/worklist").status_code == 403
    assert desk.post(action, {"restart-rivaroxaban-note": "x"}, form_page="/").status_code == 403
    assert session.scalar(select(func.count(RestartCall.id))) == 0


def test_after_discharge_the_call_stays_listed(session, settings):
    """Discharge closes the referral's episode; the plan the patient was treated under still stands."""
    clinic, appointment = unsettled(session, settings)
    observation = procedure_day.observation_of(session, appointment)
    observation.checks.append(ObservationCheck(systolic=120, diastolic=70, pulse=60, motor_normal=True))
    procedure_day.set_discharge_checklist(
        session, appointment, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=NOW + dt.timedelta(minutes=60))
    assert appointment.status == "discharged"
    assert listed(session) == [(appointment.id, "rivaroxaban")]


# --- walk 26: the audit event, overdue calls, who records them ---------------------------------------------------


def test_the_recorded_calls_audit_event_names_the_drug_the_agreed_restart_and_the_note(session, settings):
    """The row's own event named the patient only: the trail did not say what was agreed."""
    import json

    clinic, appointment = unsettled(session, settings)
    restart_calls.record_call(
        session,
        clinic.radiologists[0],
        appointment,
        "rivaroxaban",
        agreed_restart_at=RESTART,
        note="mit Patientin",
        zone=ZONE,
        reached=True,
    )
    session.flush()
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "restart_calls")).all()
    assert len(events) == 1, [e.action for e in events]
    (event,) = events
    assert event.action == "restart_calls.create" and event.patient_id == appointment.patient_id
    assert json.loads(event.summary) == {
        "drug": "Rivaroxaban",
        "agreed_restart_at": "24.11.2026 08:00",  # the clinic's time (07:00 UTC)
        "note": "mit Patientin",
    }


def test_an_open_call_is_overdue_a_day_after_the_procedure_ended(session, settings):
    clinic, _ = unsettled(session, settings)  # ended 06:20 UTC
    (due,) = restart_calls.pending(session, now=NOW)
    assert due.overdue_from == utc(2026, 11, 24, 6, 20)
    assert not due.overdue(utc(2026, 11, 24, 6, 19)) and due.overdue(utc(2026, 11, 24, 6, 20))
    # The end not recorded: counted from the planned end of the table.
    _, unrecorded = observed(session, settings, clinic)
    session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == unrecorded.id)).ended_at = None
    session.flush()
    late = next(d for d in restart_calls.pending(session, now=NOW) if d.appointment.id == unrecorded.id)
    assert late.ended_at is None and late.overdue_from == unrecorded.table_end + dt.timedelta(hours=24)


def test_the_worklist_counts_the_open_calls_at_the_top_and_marks_the_overdue_ones(session, settings, browser):
    from clinic.core import clock

    _, appointment = unsettled(session, settings)
    make_user(session, "lena", {Role.RADIOLOGIST}, "Dr. Lena Brandt", language="de")
    session.commit()
    browser.login("lena")
    html = browser.get("/radiology/worklist").get_data(as_text=True)
    top = html.split('id="restart-count"', 1)[1].split("</a>", 1)[0]
    assert "Wiederbeginn absprechen: 1" in top and "überfällig" not in top
    assert html.index('id="restart-count"') < html.index('id="worklist-rows"')
    assert "data-overdue" not in _section(html)
    assert 'id="restart-who"' not in html  # a radiologist records them: no line telling them so
    clock.pin(utc(2026, 11, 24, 6, 30))  # a day and ten minutes after the end
    html = browser.get("/radiology/worklist").get_data(as_text=True)
    top = html.split('id="restart-count"', 1)[1].split("</a>", 1)[0]
    assert "Wiederbeginn absprechen: 1" in top and "1 überfällig" in top
    row = _section(html).split(f'data-restart-call="{appointment.id}"', 1)[1].split("</tr>", 1)[0]
    assert "data-overdue" in row and "überfällig" in row


def test_nurses_are_told_a_radiologist_records_the_call(session, settings, browser):
    _, appointment = unsettled(session, settings)
    make_user(session, "nina", {Role.NURSE}, "Nina Pflege", language="de")
    session.commit()
    browser.login("nina")
    line = "Diese Anrufe führt eine Radiologin oder ein Radiologe und hält sie auf der Seite des Termins fest."
    assert line in _section(browser.get("/radiology/worklist").get_data(as_text=True))
    page = browser.get(f"/radiology/appointments/{appointment.id}").get_data(as_text=True)
    assert line in page and "Anruf festhalten" not in page


def test_a_drug_recorded_after_the_procedure_is_not_its_restart_call_nor_on_its_sheet(session, settings):
    """Walk 26: phenprocoumon recorded on a referral weeks after its first procedure put a restart call for that
    procedure on the list (overdue), and its reprinted discharge sheet named the drug."""
    from clinic.core import clock
    from clinic.services import prereg_items
    from tests.radiology.day_helpers import day_appointment, to_observation

    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    assert restart_calls.calls_needed(session, appointment) == []
    clock.pin(NOW + dt.timedelta(days=14))  # two weeks on, for the next procedure
    prereg_items.add_medication(
        session, None, appointment.referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None
    )
    session.flush()
    assert restart_calls.calls_needed(session, appointment) == []
    assert restart_calls.pending(session, now=NOW + dt.timedelta(days=14)) == []
    context = aftercare.aftercare_context(session, appointment, ZONE)
    assert [i.drug_code for i in context.hold_plan.items] == []
