"""Walk 27: a past appointment's page showed the referral's current medication: phenprocoumon, recorded two
weeks after the procedure, stood in that procedure's medication plan and its worklist flag as if it had been
done under it. A page of an appointment that is over shows the drugs as they were known for it (the discharge
sheet's and the restart calls' ``HoldPlan.as_of``), says so, and names the drugs recorded since apart; an
appointment still to come shows the plan as it is."""

from __future__ import annotations

import datetime as dt
import re

from clinic.core import clock
from clinic.models.vocab import AppointmentStatus
from clinic.services import prereg_items, procedure_day
from clinic.services.procedure_day import CheckValues
from tests.conftest import NOW, ZONE
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, to_observation

ALL_TICKED = dict(stable=True, can_walk=True, escort_present=True, instructions_given=True)
LATER = NOW + dt.timedelta(days=14)


def _phenprocoumon(session, appointment):
    prereg_items.add_medication(
        session, None, appointment.referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None, zone=ZONE
    )


def _plan_table(html: str) -> str:
    found = re.search(r'<section class="mb-4" id="medication-plan">.*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_a_past_appointments_pages_show_the_medication_known_for_it(session, settings, browser):
    # A diagnostic block: the referral stays open for the ablation after it (a closed one takes no drugs).
    clinic, appointment = day_appointment(
        session, settings, to=to_observation, code="FACET", stage="diagnostic", levels="L4/5", side="left"
    )
    nurse = clinic.staff["nurse"]
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=120, diastolic=80, pulse=70))
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    procedure_day.discharge(session, nurse, appointment, reason="Ärztlich entlassen")
    assert appointment.status == AppointmentStatus.DISCHARGED
    clock.pin(LATER)  # two weeks on, the questionnaire for the next stage
    _phenprocoumon(session, appointment)
    make_user(session, "desk_de", {"front_desk"}, "Fritz Empfang", language="de")
    make_user(session, "rad_de", {"radiologist"}, "Dr. Rita Rad", language="de")
    session.commit()

    browser.login("desk_de")
    html = browser.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True)
    assert "Phenprocoumon" not in _plan_table(html)  # not in the plan shown for this appointment
    note = re.search(r"<div[^>]*data-medication-as-of>(.*?)</div>", html, re.S)
    assert note, "the page says it shows the medication as known then"
    assert "Medikation wie bis 23.11.2026 07:20 erfasst, dem Ende dieses Termins" in note.group(1)
    assert "Seitdem erfasst, nicht Teil dieses Termins: Phenprocoumon (Marcumar)." in note.group(1)

    browser.post("/logout", {})
    browser.login("rad_de")
    html = browser.get(f"/radiology/appointments/{appointment.id}").get_data(as_text=True)
    flag = re.search(r"<span class=\"flag-[a-z]+\">[^<]*Medikamentenpausierung[^<]*</span>", html)
    assert flag, html
    assert "seitdem erfasst, nicht Teil dieses Termins: Phenprocoumon (Marcumar)" in flag.group(0)
    assert "wie bis zum Ende dieses Termins erfasst (07:20)" in flag.group(0)
    assert flag.group(0).count("Phenprocoumon") == 1
    # The pre-registration's checklist is the referral's now (for the next stage), and says so.
    assert "✘ Voranmeldung, aktueller Stand: Medikamentenabfrage" in html


def test_an_appointment_still_to_come_shows_the_plan_as_it_is(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings)
    _phenprocoumon(session, appointment)
    make_user(session, "desk_de", {"front_desk"}, "Fritz Empfang", language="de")
    session.commit()
    browser.login("desk_de")
    html = browser.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True)
    assert "Phenprocoumon" in _plan_table(html) and "data-medication-as-of" not in html
