"""Safety walk, on the screens: the triage page shows the allergies and conditions the front desk recorded;
MRI guidance for a recorded implant is refused at the implant checkbox until the radiologist ticks it; an
implant recorded after an MRI plan stops booking, and the finder and the start page say why."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.models import Referral
from clinic.models.vocab import Modality, Role
from clinic.services import prereg_items
from tests.conftest import NOW, logged_in
from tests.factories import (
    acting_as,
    build_clinic,
    complete_preregistration,
    make_patient,
    make_ready_referral,
    make_referral,
    make_user,
    waive_imaging,
)

PACEMAKER = "Herzschrittmacher Medtronic"


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def _with_implant(session, clinic):
    referral = make_referral(session, make_patient(session, family_name="Schrittmacher"))
    waive_imaging(session, clinic, referral)
    complete_preregistration(
        session,
        clinic,
        referral,
        allergies={"contrast"},
        conditions={"implant", "kidney_disease"},
        implant_note=PACEMAKER,
    )
    session.commit()
    return referral


def _plan(clinic, **changes) -> dict:
    data = {
        "accept-procedure_type_id": str(clinic.pt("PRT").id),
        "accept-region": "lumbar",
        "accept-side": "left",
        "accept-levels": "L4/5",
        "accept-stage": "",
        "accept-target": "",
        "accept-guidance": "MRI",
        "accept-priority": "routine",
        "accept-note": "",
    }
    data.update(changes)
    return data


def _block(html: str) -> str:
    return html.split('id="allergies-conditions"', 1)[1].split("</section>", 1)[0]


def test_the_triage_page_shows_the_recorded_allergies_and_conditions(session, clinic, browser):
    referral = _with_implant(session, clinic)
    asked_nothing = make_referral(session)
    session.commit()
    browser.login("rad1")
    block = _block(browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True))
    assert "Contrast medium" in block and f"Implant: {PACEMAKER}" in block and "Kidney disease" in block
    assert "Diabetes" not in block and "Possible pregnancy" not in block
    block = _block(browser.get(f"/radiology/referrals/{asked_nothing.id}").get_data(as_text=True))
    assert block.count("not asked yet") == 2


def test_the_triage_page_speaks_german(session, clinic, browser):
    referral = _with_implant(session, clinic)
    make_user(session, "anna", {Role.RADIOLOGIST}, "Dr. Anna Berg", language="de")
    session.commit()
    browser.login("anna")
    html = browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    block = _block(html)
    assert "Allergien und Vorerkrankungen" in block and f"Implantat: {PACEMAKER}" in block
    assert "Implantat geprüft: bedingt MR-sicher" in html


def test_accepting_mri_for_an_implant_is_refused_at_the_checkbox_until_ticked(session, clinic, browser):
    referral = _with_implant(session, clinic)
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    refused = browser.post(f"{path}/accept", _plan(clinic), form_page=path)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    box = html.split('id="accept-implant_mr_checked"', 1)[1][:800]
    assert "MR-conditional and checked" in box and PACEMAKER in box
    assert 'value="L4/5"' in html  # what was typed is kept
    session.expire_all()
    assert session.get(Referral, referral.id).status == "received"
    accepted = browser.post(f"{path}/accept", _plan(clinic, **{"accept-implant_mr_checked": "y"}), form_page=path)
    assert accepted.status_code == 302
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == "accepted" and stored.planned_guidance == Modality.MRI
    assert stored.implant_mr_checked_by_id == clinic.radiologists[0].id and stored.implant_mr_checked_at == NOW
    page = browser.get(path).get_data(as_text=True)
    assert "Implant checked for MRI by Dr. Radiologist 1" in page


def test_an_implant_recorded_after_the_mri_plan_shows_on_the_finder_and_the_start_page(app, session, clinic, browser):
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Spätimplant"), code="PRT", guidance=Modality.MRI
    )
    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.set_conditions(session, staff, referral, found={"implant"}, implant_note=PACEMAKER, note=None)
    session.commit()
    browser.login("frontdesk")
    finder = browser.get(f"/desk/referrals/{referral.id}/book").get_data(as_text=True)
    assert "cannot be booked yet" in finder and "MR-conditional" in finder and PACEMAKER in finder
    assert 'name="candidate"' not in finder and "chain" not in finder.split("cannot be booked yet", 1)[1][:2000]
    start = browser.get("/desk/").get_data(as_text=True)
    blocked = start.split('id="not-bookable"', 1)[1].split("</section>", 1)[0]
    assert "Spätimplant" in blocked and "MR-conditional" in blocked
    assert f"/desk/referrals/{referral.id}/book" not in start
    # The radiologist sees why booking waits, with the checkbox at hand.
    (radiologist,) = logged_in(app, "rad1")
    triage_page = radiologist.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    assert 'id="implant-check-missing"' in triage_page and 'id="accept-implant_mr_checked"' in triage_page


def test_a_booked_mri_appointment_of_an_implant_recorded_later_waits_for_the_check_on_its_page(
    app, session, settings, browser
):
    """Walk 22: the implant recorded after the MRI appointment was booked did not show on the appointment,
    and the plan (with its checkbox) cannot change while the appointment is booked: the appointment page
    says the procedure waits, and its button confirms the check alone."""
    from sqlalchemy import select

    from clinic.models import AuditEvent
    from tests.factories import book

    clinic = build_clinic(session)
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Spätimplant"), code="PRT", guidance=Modality.MRI
    )
    appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 24), days=7)
    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.set_conditions(session, staff, referral, found={"implant"}, implant_note=PACEMAKER, note=None)
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/appointments/{appointment.id}").get_data(as_text=True)
    assert 'id="implant-unchecked"' in page and PACEMAKER in page
    confirmed = browser.post(
        f"/radiology/referrals/{referral.id}/implant-checked",
        {"appointment_id": str(appointment.id)},
        form_page=f"/radiology/appointments/{appointment.id}",
    )
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith(f"/radiology/appointments/{appointment.id}")
    assert 'id="implant-unchecked"' not in browser.get(confirmed.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert session.get(Referral, referral.id).implant_mr_checked_note == PACEMAKER
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "referral.implant_mr_checked"))


def test_the_triage_queue_lists_the_implants_waiting_for_a_check_until_confirmed(app, session, settings, browser):
    """Walk 22: no radiologist's list showed the referrals waiting for an implant check; the front desk's
    start page did. The triage queue lists them (booked or not) until a radiologist confirms the check."""
    from tests.factories import book

    clinic = build_clinic(session)
    booked = make_ready_referral(
        session, clinic, make_patient(session, family_name="Spätimplant"), code="PRT", guidance=Modality.MRI
    )
    book(session, settings, booked, first_day=dt.date(2026, 11, 24), days=7)
    waiting = make_ready_referral(
        session, clinic, make_patient(session, family_name="Stimulator"), code="PRT", guidance=Modality.MRI
    )
    under_ct = make_ready_referral(session, clinic, make_patient(session, family_name="Computer"), code="PRT")
    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        for referral in (booked, waiting, under_ct):
            prereg_items.set_conditions(session, staff, referral, found={"implant"}, implant_note=PACEMAKER, note=None)
    session.commit()
    make_user(session, "rad_de", {Role.RADIOLOGIST}, language="de")
    session.commit()
    browser.login("rad_de")

    def listed() -> str:
        page = browser.get("/radiology/triage").get_data(as_text=True)
        return page.split('id="implant-checks"', 1)[1].split("</section>", 1)[0]

    section = listed()
    assert "Implantat vor MRT-Führung zu prüfen" in section and PACEMAKER in section
    assert "Spätimplant" in section and "Stimulator" in section and "Computer" not in section
    assert section.index("Spätimplant") < section.index("Stimulator")  # oldest first (received, then id)
    assert f"/radiology/referrals/{waiting.id}" in section
    booked_row = section.split("Spätimplant", 1)[1].split("</tr>", 1)[0]
    waiting_row = section.split("Stimulator", 1)[1].split("</tr>", 1)[0]
    assert "24.11.2026" in booked_row and "nicht gebucht" in waiting_row  # walk 23: booked, and when
    # The booked one's triage page says the procedure cannot start, not "confirm under Change the plan"
    # (no plan section while it is booked).
    triage_page = browser.get(f"/radiology/referrals/{booked.id}").get_data(as_text=True)
    alert = triage_page.split('id="implant-check-missing"', 1)[1].split("</div>", 1)[0]
    assert "Der Eingriff kann nicht beginnen" in alert and "Plan ändern" not in alert
    alert = browser.get(f"/radiology/referrals/{waiting.id}").get_data(as_text=True)
    assert "Die Buchung wartet" in alert.split('id="implant-check-missing"', 1)[1].split("</div>", 1)[0]
    confirmed = browser.post(
        f"/radiology/referrals/{booked.id}/implant-checked", {}, form_page=f"/radiology/referrals/{booked.id}"
    )
    assert confirmed.status_code == 302
    section = listed()
    assert "Spätimplant" not in section and "Stimulator" in section
    radiologist = clinic.radiologists[0]
    with acting_as(session, radiologist):
        from clinic.services import triage

        triage.confirm_implant_check(session, radiologist, session.get(Referral, waiting.id))
    session.commit()
    assert "Kein Implantat wartet auf eine Prüfung." in listed()


def test_a_booked_mri_appointment_with_the_implant_check_open_is_flagged_on_the_worklist_and_desk_page(
    app, session, settings, browser
):
    """Walk 26: the radiology appointment page refused the start and said why, but the worklist's
    readiness column ("Voraussetzungen") and the front desk's appointment page did not flag it."""
    from tests.factories import book

    clinic = build_clinic(session)
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Spätimplant"), code="PRT", guidance=Modality.MRI
    )
    appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 24), days=7)
    day = appointment.table_start.date().isoformat()
    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.set_conditions(session, staff, referral, found={"implant"}, implant_note=PACEMAKER, note=None)
    make_user(session, "anna", {Role.RADIOLOGIST}, "Dr. Anna Berg", language="de")
    make_user(session, "doris", {Role.FRONT_DESK}, "Doris Empfang", language="de")
    session.commit()
    line = f"Implantat-Prüfung offen ({PACEMAKER}): Der Eingriff kann erst beginnen"
    radiologist, desk = logged_in(app, "anna", "doris")
    worklist = radiologist.get(f"/radiology/worklist?day={day}").get_data(as_text=True)
    assert "Spätimplant" in worklist and line in worklist.split("Spätimplant", 1)[1].split("</tr>", 1)[0]
    page = desk.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True)
    assert 'id="implant-unchecked"' in page and line in page
    # A radiologist checks it: neither flags it any more.
    radiologist.post(
        f"/radiology/referrals/{referral.id}/implant-checked",
        {"appointment_id": str(appointment.id)},
        form_page=f"/radiology/appointments/{appointment.id}",
    )
    assert line not in radiologist.get(f"/radiology/worklist?day={day}").get_data(as_text=True)
    assert line not in desk.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True)


def test_a_checked_in_patients_next_step_names_the_implant_check_after_the_consent():
    from clinic.services.worklist import next_step

    assert next_step(False, None, NOW, "Europe/Berlin", implant_open=True) == "consent, then start"
    assert (
        next_step(True, None, NOW, "Europe/Berlin", implant_open=True) == "a radiologist checks the implant, then start"
    )
    assert next_step(True, None, NOW, "Europe/Berlin") == "start"
