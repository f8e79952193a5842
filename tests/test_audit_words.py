"""Walk finding: English and codes on German screens. The audit trail showed "opened:
radiology.triage_referral" and "gaps: observed 1 of 20 planned minutes", the appointment page "(observed 1 of
20 planned minutes)". The page a record was opened on is named (never its endpoint code), and what an early
discharge skipped is said in the screen's language."""

from __future__ import annotations

import datetime as dt

from clinic.models.clinical import gap_phrases
from clinic.services import audit_query, procedure_day
from tests.conftest import Browser
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, to_observation

ALL_TICKED = dict(stable=True, can_walk=True, escort_present=True, instructions_given=True)


def _german(app, session, username: str, roles: set[str]) -> Browser:
    make_user(session, username, roles, username.title(), language="de")
    session.commit()
    browser = Browser(app.test_client())
    assert browser.login(username).status_code == 302
    return browser


def test_every_page_a_read_is_recorded_on_has_a_name_not_a_code():
    for endpoint in ("radiology.triage_referral", "radiology.accept_landing", "portal.home", "x.y", "patients.show"):
        label = audit_query.page_label(endpoint)
        assert label.template in {*audit_query.PAGES.values(), *audit_query.AREAS.values(), "another page"}
    assert str(audit_query.page_label("radiology.triage_referral")) == "Triage of a referral"
    assert [
        p.template for p in gap_phrases("observed 1 of 20 planned minutes; leg strength (motor) not checked").parts
    ] == [
        "observed {stayed} of {planned} planned minutes",
        "leg strength (motor) not checked",
    ]


def test_german_screens_name_the_page_opened_and_the_gaps_of_an_early_discharge(app, session, settings):
    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    one_minute = observation.started_at + dt.timedelta(minutes=1)
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=one_minute, reason="Will gehen")
    session.commit()
    doctor = _german(app, session, "anna", {"radiologist"})
    assert doctor.get(f"/radiology/referrals/{appointment.referral_id}").status_code == 200
    page = doctor.get(f"/radiology/appointments/{appointment.id}").get_data(as_text=True)
    flag = page.split("data-flagged-discharge")[1].split("</div>")[0]
    planned = int((observation.planned_end - observation.started_at).total_seconds() // 60)
    assert f"1 von {planned} geplanten Minuten überwacht" in flag and "observed" not in flag

    admin = _german(app, session, "berta", {"admin"})
    trail = admin.get("/admin/audit").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    assert "Geöffnet auf: Indikationsprüfung einer Überweisung" in trail
    assert "Ausgelassen: " in trail
    assert f"1 von {planned} geplanten Minuten überwacht" in trail
    for english in ("radiology.triage_referral", "radiology.appointment", "observed", "planned minutes", "pened"):
        assert english not in trail, english
