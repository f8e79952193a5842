"""The walk's patient-safety findings on blood thinners (3 December): a last dose recorded after the
booking that breaks the hold went unsaid everywhere and the plan could be confirmed over it; the call
list was in appointment order, so a drug to stop tomorrow sat below calls due next week; a last dose in
1900 was taken as given. The suite's clock: Monday 23 November 2026, 07:00 in Berlin."""

from __future__ import annotations

import datetime as dt
import html as markup

import pytest

from clinic.core.errors import DomainError
from clinic.core.timefmt import fmt_datetime, to_local
from clinic.documents.holds import HoldWording, plain
from clinic.models import MedicationEntry, Referral
from clinic.services import medication
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
    assert f"The hold is not kept for the appointment on {when}: the recorded last dose of Apixaban" in page
    # The page itself says it (not only the one-off message), and so does the appointment.
    assert page.count(f"The hold is not kept for the appointment on {when}.") == 1
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
    # A radiologist's override replaces the holds: then nothing is broken, and the plan can be confirmed.
    referral.hold_override_date = TODAY
    referral.hold_override_reason = "Nutzen überwiegt"
    referral.hold_override_by_id = clinic.radiologists[0].id
    assert medication.broken_holds(session, referral, ZONE) == []
    assert medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE).confirmed


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
    calls = medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(weeks=8))
    assert [a.id for a, _plan in calls] == [urgent.id, later.id, earlier.id]
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
    # with a held drug comes first and is marked.
    calls = _text(browser.get("/desk/medication-calls"))
    assert fmt_datetime(soon.table_start, ZONE) in calls
    due = urgent.table_start - dt.timedelta(hours=72)
    assert NOW <= due < NOW + dt.timedelta(hours=48)
    assert calls.count("call now: within 48 hours") == 1
    assert calls.index(fmt_datetime(urgent.table_start, ZONE)) < calls.index(fmt_datetime(soon.table_start, ZONE))

    # A held drug beside it still gives the deadline and the call now, from the held drug only.
    other = _text(browser.get(f"/desk/appointments/{urgent.id}"))
    assert f"Call the patient now: the first drug must be stopped by {fmt_datetime(due, ZONE)}." in other

    # The letter of the not-paused drug says we will call, and no moment to stop or restart.
    wording = HoldWording("de", ZONE, soon.table_start, soon.table_end, NOW, "040 1234 5670")
    [sentence] = [plain(s) for s in wording.sentences(plan)]
    assert "bestätigen wir Ihnen vor dem Termin telefonisch" in sentence and "spätestens" not in sentence
