"""The walk's patient-safety findings on blood thinners (3 December): a last dose recorded after the
booking that breaks the hold went unsaid everywhere and the plan could be confirmed over it; the call
list was in appointment order, so a drug to stop tomorrow sat below calls due next week; a last dose in
1900 was taken as given. The suite's clock: Monday 23 November 2026, 07:00 in Berlin."""

from __future__ import annotations

import datetime as dt
import html as markup

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError
from clinic.core.timefmt import fmt_datetime, to_local
from clinic.documents.holds import HoldWording, plain
from clinic.models import AnticoagulantRule, MedicationEntry, Referral
from clinic.services import hold_rules, medication, procedure_day
from tests.browser_fixtures import speak
from tests.conftest import NOW, TODAY, ZONE
from tests.factories import book, build_clinic, make_patient, make_ready_referral


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _add(browser, referral_id: int, drug: str, last_dose: dt.date | None):
    path = f"/desk/referrals/{referral_id}"
    form = {"med-drug_code": drug, "med-last_dose_on": last_dose.isoformat() if last_dose else ""}
    return browser.post(f"{path}/medication", form, form_page=path)


def test_a_last_dose_that_breaks_the_hold_of_a_booked_appointment_is_said_everywhere(
    session, settings, clinic, browser
):
    referral = make_ready_referral(session, clinic)  # no blood thinners when it was booked
    appointment = book(session, settings, referral, limit=1)
    session.commit()
    day = to_local(appointment.table_start, ZONE).date()
    when = fmt_datetime(appointment.table_start, ZONE)

    browser.login("frontdesk")
    added = _add(browser, referral.id, "apixaban|", day - dt.timedelta(days=1))  # 72 h before PRT: too late
    assert added.status_code == 302
    page = _text(browser.get(added.headers["Location"]))
    assert "Blood thinner added." in page
    # The page's medication plan says it, once (walk finding: a flash above said it a second time), and so
    # does the appointment.
    assert page.count(f"The hold is not kept for the appointment on {when}") == 1
    assert page.count("comes too late") == 1 and page.count("Speak with the patient") == 1
    assert page.index("The hold is not kept") > page.index('id="medication-plan"')
    shown = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert f"The hold is not kept for the appointment on {when}." in shown and "too late for the hold" in shown
    # The letter still says when to stop (the rule's moment), never the recorded date as if it were fine.
    latest = fmt_datetime(appointment.table_start - dt.timedelta(hours=72), ZONE)
    assert latest in shown

    browser.post("/logout", form_page="/desk/")
    browser.login("rad1")
    flags = _text(browser.get(f"/radiology/appointments/{appointment.id}"))
    assert f"last dose too late for the hold: Apixaban {(day - dt.timedelta(days=1)).strftime('%d.%m.%Y')}" in flags
    confirmed = browser.post(
        f"/radiology/referrals/{referral.id}/confirm-hold-plan",
        {"appointment_id": str(appointment.id), "back_to": "radiology"},
        form_page=f"/radiology/appointments/{appointment.id}",
    )
    assert confirmed.status_code == 302
    after = _text(browser.get(confirmed.headers["Location"]))
    assert "comes too late for the hold before the appointment on" in after and "The plan was not confirmed." in after
    session.expire_all()
    assert session.get(Referral, referral.id).hold_plan_confirmed_at is None


def test_a_last_dose_that_keeps_the_hold_says_nothing_more(session, settings, clinic, browser):
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1)
    session.commit()
    browser.login("frontdesk")
    last = to_local(appointment.table_start - dt.timedelta(hours=72), ZONE).date() - dt.timedelta(days=1)
    added = _add(browser, referral.id, "apixaban|", last)
    page = _text(browser.get(added.headers["Location"]))
    assert "Blood thinner added." in page and "The hold is not kept" not in page
    assert medication.broken_holds(session, session.get(Referral, referral.id), ZONE) == []


def test_the_service_refuses_to_confirm_a_plan_a_recorded_dose_breaks(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1)
    referral.preregistration.medications.append(
        MedicationEntry(
            drug_code="apixaban", dose_class="", last_dose_on=to_local(appointment.table_start, ZONE).date()
        )
    )
    session.flush()
    [(found, items)] = medication.broken_holds(session, referral, ZONE)
    assert found.id == appointment.id and [i.drug_code for i in items] == ["apixaban"]
    with pytest.raises(DomainError, match="The plan was not confirmed"):
        medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    # Walk 27: a radiologist's override covers only the drugs without a rule; the broken hold stays broken.
    referral.hold_override_date = TODAY
    referral.hold_override_reason = "Nutzen überwiegt"
    referral.hold_override_by_id = clinic.radiologists[0].id
    [(_found, items)] = medication.broken_holds(session, referral, ZONE)
    assert [i.drug_code for i in items] == ["apixaban"]
    with pytest.raises(DomainError, match="The plan was not confirmed"):
        medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)


def test_the_call_list_puts_the_first_drug_to_stop_first_and_marks_the_urgent(session, settings, clinic, browser):
    # Clopidogrel is held 7 days before a PRT, apixaban 3: the later appointment's call is due first.
    def booked_on(drug: str, **search):
        referral = make_ready_referral(session, clinic, medications=[(drug, "", None)])
        return book(session, settings, referral, limit=1, **search)

    later = booked_on("clopidogrel", first_day=TODAY + dt.timedelta(days=14))
    earlier = booked_on("apixaban", first_day=TODAY + dt.timedelta(days=11))
    urgent = booked_on("clopidogrel")  # as soon as the hold allows: the drug stops within two days
    session.commit()
    assert earlier.table_start < later.table_start
    calls = medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(weeks=8), ZONE)
    assert [row.appointment.id for row in calls] == [urgent.id, later.id, earlier.id]
    due = urgent.table_start - dt.timedelta(hours=168)
    assert NOW <= due < NOW + dt.timedelta(hours=48)

    browser.login("frontdesk")
    page = _text(browser.get("/desk/medication-calls"))
    rows = [page.index(fmt_datetime(a.table_start, ZONE)) for a in (urgent, later, earlier)]
    assert rows == sorted(rows)
    assert page.count("call now: within 48 hours") == 1
    shown = _text(browser.get(f"/desk/appointments/{urgent.id}"))
    assert f"Call the patient now: the first drug must be stopped by {fmt_datetime(due, ZONE)}." in shown
    calm = _text(browser.get(f"/desk/appointments/{earlier.id}"))
    assert "Awaits confirmation by telephone." in calm and "Call the patient now" not in calm


def test_a_last_dose_before_the_patients_birth_is_refused_once_at_its_field(session, clinic, browser):
    patient = make_patient(session, birth_date=dt.date(2003, 5, 4))
    referral = make_ready_referral(session, clinic, patient)
    session.commit()
    browser.login("frontdesk")
    refused = _add(browser, referral.id, "warfarin|", dt.date(2001, 1, 1))
    page = _text(refused)
    assert refused.status_code == 400
    message = "The last dose cannot be before the patient's birth (04.05.2003): check the year."
    assert page.count(message) == 1 and "Please correct the marked field." in page
    assert 'value="2001-01-01"' in page  # what was typed stays in the form
    session.expire_all()
    assert session.get(Referral, referral.id).preregistration.medications == []


def test_a_passed_deadline_is_not_given_as_still_to_come(session, settings, clinic, browser):
    """Walk finding: the appointment page said "call the patient now: the first drug must be stopped by"
    a moment already past, as if it were still to come."""
    from clinic.core import clock

    referral = make_ready_referral(session, clinic, medications=[("clopidogrel", "", None)])
    appointment = book(session, settings, referral, limit=1)
    session.commit()
    due = appointment.table_start - dt.timedelta(hours=168)
    browser.login("frontdesk")
    clock.pin(due + dt.timedelta(hours=2))  # the plan is still not confirmed two hours after the deadline
    shown = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert "must be stopped by" not in shown
    assert f"Call the patient now: the first drug had to be stopped by {fmt_datetime(due, ZONE)}" in shown
    assert "if the pause is not kept, move the appointment or have a radiologist decide" in shown


def test_a_drug_that_is_not_paused_gives_no_stop_by_deadline_nor_a_call_now(session, settings, clinic, browser):
    # The walk of 4 December: ASS for secondary prevention before a PRT is a shared assessment (no routine
    # pause), yet the appointment said "call the patient now: the first drug must be stopped by" the table
    # start, and gave a restart moment for a drug the patient goes on taking.
    referral = make_ready_referral(session, clinic, medications=[("aspirin", "secondary", None)])
    soon = book(session, settings, referral, limit=1)  # within two days: any deadline would be urgent
    held = make_ready_referral(session, clinic, medications=[("aspirin", "secondary", None), ("apixaban", "", None)])
    urgent = book(session, settings, held, limit=1)
    session.commit()
    assert soon.table_start < NOW + dt.timedelta(hours=48)
    [item] = medication.referral_plan(session, referral).items
    assert not item.holds and item.action == "shared_assessment"
    plan = medication.referral_plan(session, referral)
    assert plan.awaiting_confirmation  # the rule is not signed off: the clinic still calls, in time
    assert plan.call_urgently(soon.table_start, NOW) is None
    assert item.last_dose_no_later_than(soon.table_start) is None
    assert item.restart_not_before(soon.table_end) is None

    browser.login("frontdesk")
    shown = _text(browser.get(f"/desk/appointments/{soon.id}"))
    assert "Awaits confirmation by telephone." in shown
    assert "Call the patient now" not in shown and "must be stopped by" not in shown
    assert fmt_datetime(soon.table_start, ZONE) + "." not in shown
    restart = fmt_datetime(soon.table_end + dt.timedelta(hours=24), ZONE)
    assert restart not in shown and "to be agreed by telephone" in shown

    # The call list still lists it (the letter says we will call), but nothing marks it urgent; the plan
    # with a held drug is marked. Calls are in the order they are due: the held drug's deadline (a day's
    # notice after now, STOP_NOTICE) comes after the first appointment's table start.
    calls = _text(browser.get("/desk/medication-calls"))
    assert fmt_datetime(soon.table_start, ZONE) in calls
    due = urgent.table_start - dt.timedelta(hours=72)
    assert NOW <= due < NOW + dt.timedelta(hours=48)
    assert calls.count("call now: within 48 hours") == 1
    assert due > soon.table_start
    assert calls.index(fmt_datetime(soon.table_start, ZONE)) < calls.index(fmt_datetime(urgent.table_start, ZONE))

    # A held drug beside it still gives the deadline and the call now, from the held drug only.
    other = _text(browser.get(f"/desk/appointments/{urgent.id}"))
    assert f"Call the patient now: the first drug must be stopped by {fmt_datetime(due, ZONE)}." in other

    # The letter of the not-paused drug says we will call, and no moment to stop or restart.
    wording = HoldWording("de", ZONE, soon.table_start, soon.table_end, NOW, "040 1234 5670")
    [sentence] = [plain(s) for s in wording.sentences(plan)]
    assert "bestätigen wir Ihnen vor dem Termin telefonisch" in sentence and "spätestens" not in sentence


def test_the_broken_hold_of_a_checked_in_patient_does_not_advise_moving_the_appointment(
    session, settings, clinic, browser
):
    """Walk finding: the alert said "move the appointment" to a checked-in patient's appointment, which can no
    longer be moved ("Only a booked appointment can be moved")."""
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1)
    session.commit()
    day = to_local(appointment.table_start, ZONE).date()
    when = fmt_datetime(appointment.table_start, ZONE)
    browser.login("frontdesk")
    assert _add(browser, referral.id, "apixaban|", day - dt.timedelta(days=1)).status_code == 302
    booked = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert "move the appointment" in booked  # a booked appointment can still be moved
    session.expire_all()
    appointment = session.merge(appointment)
    procedure_day.check_in(session, None, appointment, at=appointment.table_start, zone=ZONE)
    session.commit()
    for page in (f"/desk/appointments/{appointment.id}", f"/desk/referrals/{referral.id}"):
        shown = _text(browser.get(page))
        assert f"The hold is not kept for the appointment on {when}." in shown, page
        assert "move the appointment" not in shown, page
        assert (
            "the procedure cannot go ahead today. Correct the date if it was wrong; otherwise cancel the appointment "
            "and book a new one."
        ) in shown, page


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_recorded_last_dose_that_keeps_the_hold_is_not_told_to_call_now_nor_to_take_the_drug(
    session, settings, clinic, browser, language
):
    """Walk finding (4 December): apixaban with its last dose recorded on a day that keeps the 72 hours, the
    plan still to confirm (the rule is not signed off). Past the stop deadline the appointment said in red
    "call the patient now: the first drug had to be stopped by …", as if nothing were recorded, and the
    letter told the patient to take it as prescribed until our call, which would undo the pause."""
    from clinic.core import clock

    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", None)])
    appointment = book(session, settings, referral, limit=1)
    day = to_local(appointment.table_start, ZONE).date()
    last = day - dt.timedelta(days=4)
    referral.preregistration.medications[0].last_dose_on = last
    session.commit()
    plan = medication.referral_plan(session, referral)
    [item] = plan.items
    assert plan.awaiting_confirmation and item.holds and item.satisfied_for(appointment.table_start, ZONE)
    due = appointment.table_start - dt.timedelta(hours=72)
    after = due + dt.timedelta(hours=2)
    assert plan.stop_by(appointment.table_start) is None and plan.call_urgently(appointment.table_start, after) is None

    browser.login("frontdesk")
    clock.pin(after)
    shown = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert "Call the patient now" not in shown and "Awaits confirmation by telephone." in shown

    wording = HoldWording(language, ZONE, appointment.table_start, appointment.table_end, after, "040 1234 5670")
    [sentence] = [plain(s) for s in wording.sentences(plan)]
    if language == "de":
        assert "Laut Ihren Angaben ist Ihre letzte Einnahme vor dem Eingriff am" in sentence
        assert "bestätigen wir Ihnen vor dem Termin telefonisch" in sentence and "wie verordnet" not in sentence
    else:
        assert "you told us that your last dose before the procedure is on" in sentence
        assert "We will call you before the appointment to confirm" in sentence and "as prescribed" not in sentence
    assert str(last.day) in sentence and "72" not in sentence  # the day they told us; no figure of the rule

    # A day too late for the hold (re-walk: the letter repeated 14.12 before a procedure on 16.12 as if it were
    # fine): we call to check whether the appointment holds; no instruction, no figure.
    referral.preregistration.medications[0].last_dose_on = day - dt.timedelta(days=1)
    session.commit()
    late = medication.referral_plan(session, referral)
    assert late.awaiting_confirmation and late.broken_for(appointment.table_start, ZONE)
    [sentence] = [plain(s) for s in wording.sentences(late)]
    if language == "de":
        assert "ob der Termin stattfinden kann oder verschoben werden muss" in sentence
    else:
        assert "check whether the appointment can go ahead or has to be moved" in sentence
    assert "72" not in sentence and "040 1234 5670" in sentence

    # Without a recorded last dose, the deadline and the call now stay.
    referral.preregistration.medications[0].last_dose_on = None
    session.commit()
    plan = medication.referral_plan(session, referral)
    assert plan.call_urgently(appointment.table_start, after) == due
    [sentence] = [plain(s) for s in wording.sentences(plan)]
    assert ("wie verordnet" if language == "de" else "as prescribed") in sentence


def test_a_last_dose_too_late_stands_first_on_the_call_list_even_with_the_rule_signed_off(
    session, settings, clinic, browser
):
    """Walk finding (4 December, evening): apixaban's rule signed off, a last dose recorded the day before
    the appointment (the hold is 72 hours). The screen said so once, the letter promised the patient a call,
    and the appointment stood on no list: not on the call list, not on the start page. It now stands first
    on the call list, with what to do; a last dose that keeps the hold does not put it there."""
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "apixaban")):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)
    calm = book(session, settings, make_ready_referral(session, clinic, medications=[("clopidogrel", "", None)]))
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1, first_day=TODAY + dt.timedelta(days=10))
    day = to_local(appointment.table_start, ZONE).date()
    # stopped long enough before, and not long before the hold (walk 27: a last dose more than twice the hold
    # before the appointment, 24.11 for 03.12, stands on the call list: ``HoldPlan.stale_for``)
    kept = make_ready_referral(session, clinic, medications=[("apixaban", "", TODAY + dt.timedelta(days=6))])
    kept_appointment = book(session, settings, kept, limit=1, first_day=TODAY + dt.timedelta(days=10))
    session.commit()
    assert [
        row.appointment.id for row in medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(weeks=8), ZONE)
    ] == [calm.id]

    browser.login("frontdesk")
    assert _add(browser, referral.id, "apixaban|", day - dt.timedelta(days=1)).status_code == 302
    session.expire_all()
    rows = medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(weeks=8), ZONE)
    assert [row.appointment.id for row in rows] == [appointment.id, calm.id]
    assert [i.drug_code for i in rows[0].broken] == ["apixaban"] and rows[1].broken == []
    assert kept_appointment.id not in [row.appointment.id for row in rows]
    page = _text(browser.get("/desk/medication-calls"))
    assert "Last dose too late for the hold" in page
    assert "Apixaban: correct the date after speaking with the patient, or move the appointment" in page
    assert page.index(fmt_datetime(appointment.table_start, ZONE)) < page.index(fmt_datetime(calm.table_start, ZONE))


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_call_list_shows_the_recorded_last_dose_that_breaks_the_hold(session, settings, clinic, browser, language):
    """Walk finding (4 December): on the call list a broken hold's "latest last dose" cell stood empty (the
    rule was signed off, so the drug was no longer one to confirm), and the caller could not see what the
    patient had said. The cell now gives the recorded last dose, in the clinic's date format, as too late."""
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "apixaban")):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1, first_day=TODAY + dt.timedelta(days=10))
    day = to_local(appointment.table_start, ZONE).date() - dt.timedelta(days=1)
    session.commit()
    browser.login("frontdesk")
    assert _add(browser, referral.id, "apixaban|", day).status_code == 302
    speak(session, language)
    session.commit()
    page = _text(browser.get("/desk/medication-calls"))
    cells = page.split("<tbody>")[1].split("<td")
    [cell] = [c for c in cells if day.strftime("%d.%m.%Y") in c]
    assert cell.startswith(' class="small"')  # the last-dose column, not the appointment's
    if language == "de":
        assert f"Apixaban: letzte Einnahme {day.strftime('%d.%m.%Y')}" in cell and "zu spät für die Pausierung" in cell
    else:
        assert f"Apixaban: last dose {day.strftime('%d.%m.%Y')}" in cell and "too late for the hold" in cell


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_last_dose_that_breaks_the_hold_is_said_once_on_the_page(session, settings, clinic, browser, language):
    """Walk finding (5 December): after adding a last dose that breaks the hold, the late dose was said twice on
    the referral page, in a message above and in the medication plan's box. The box says it; the message says
    only what was done."""
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1)
    speak(session, language)
    session.commit()
    when = fmt_datetime(appointment.table_start, ZONE)
    browser.login("frontdesk")
    added = _add(browser, referral.id, "apixaban|", to_local(appointment.table_start, ZONE).date())
    page = _text(browser.get(added.headers["Location"]))
    plan = page.split('id="medication-plan"', 1)[1]
    if language == "de":
        headline, late = f"Die Pausierung wird für den Termin am {when} nicht eingehalten", "liegt zu spät"
        assert "Blutverdünner hinzugefügt." in page
    else:
        headline, late = f"The hold is not kept for the appointment on {when}", "comes too late"
        assert "Blood thinner added." in page
    assert page.count(headline) == 1 and headline in plan
    assert page.count(late) == 1 and late in plan
