"""Staff walk (de-DE): the appointment page kept showing only the planned times after the patient was
discharged. Once the patient is checked in, the plan is labelled as planned and the actual times stand beside
it, each where it was recorded: checked in, the procedure's start (and end), the discharge."""

from __future__ import annotations

import datetime as dt
import html
import re

from clinic.models import ObservationCheck
from clinic.services import procedure_day
from tests.browser_fixtures import speak
from tests.conftest import ZONE, logged_in
from tests.factories import build_clinic, sign_consent
from tests.radiology.day_helpers import START, crowded, day_appointment
from tests.scheduling.helpers import chain


def _facts(page: str) -> dict[str, str]:
    """The page's facts list: each label and its value, as read."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    clean = lambda text: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())  # noqa: E731
    return {clean(label): clean(value) for label, value in pairs}


def test_the_appointment_page_shows_the_actual_times_once_the_day_has_begun(app, session, settings):
    clinic = build_clinic(session, texts=True)
    minutes = lambda n: START + dt.timedelta(minutes=n)  # noqa: E731  START is 09:00 in Berlin
    _clinic, a = day_appointment(
        session,
        settings,
        clinic,
        candidate=chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], START, 20, 30),
    )
    speak(session, "de")
    (desk,) = logged_in(app, "frontdesk")

    facts = _facts(desk.get(f"/desk/appointments/{a.id}").get_data(as_text=True))
    assert facts["Tisch"].startswith("23.11.2026 09:00–09:20") and "Angemeldet (tatsächlich)" not in facts

    procedure_day.check_in(session, None, a, at=minutes(-25), zone=ZONE)
    sign_consent(session, clinic, a, actor=clinic.radiologists[0], explained_at=minutes(-3 * 24 * 60))
    procedure_day.start_procedure(session, clinic.radiologists[0], a, at=minutes(12), zone=ZONE)
    session.commit()
    facts = _facts(desk.get(f"/desk/appointments/{a.id}").get_data(as_text=True))
    assert facts["Tisch (geplant)"].startswith("23.11.2026 09:00–09:20")
    assert facts["Angemeldet (tatsächlich)"] == "23.11.2026 08:35"
    assert facts["Eingriff (tatsächlich)"] == "Seit 09:12"
    assert "Entlassen (tatsächlich)" not in facts

    observation = procedure_day.end_procedure(session, None, a, at=minutes(38))
    observation.checks.append(ObservationCheck(systolic=120, diastolic=70, pulse=60, motor_normal=True))
    procedure_day.set_discharge_checklist(
        session, a, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(session, clinic.staff["nurse"], a, at=minutes(95))
    session.commit()
    facts = _facts(desk.get(f"/desk/appointments/{a.id}").get_data(as_text=True))
    assert facts["Tisch (geplant)"].startswith("23.11.2026 09:00–09:20")
    assert facts["Überwachung (geplant)"].startswith("09:20–09:50")
    assert facts["Angemeldet (tatsächlich)"] == "23.11.2026 08:35"
    assert facts["Eingriff (tatsächlich)"] == "09:12–09:38"
    assert facts["Entlassen (tatsächlich)"] == "10:35"
    assert facts["Überwachung (tatsächlich)"] == f"09:38–10:35, {clinic.beds[0].label}"


def test_the_planned_observation_shows_the_booked_bed_and_the_actual_bed_stands_beside_it(app, session, settings):
    """Staff walk (de-DE, screens 26): after a move to another bed, "Überwachung (geplant)" named the bed the
    patient was moved to. The plan names the booked bed; "Überwachung (tatsächlich)" the bed they lie on."""
    clinic, _a, b, _c = crowded(session, settings)  # B booked on bed 1 (09:50–10:20), A still lies there
    bed1, bed2 = clinic.beds[:2]
    speak(session, "de")
    (desk,) = logged_in(app, "frontdesk")
    session.commit()
    facts = _facts(desk.get(f"/desk/appointments/{b.id}").get_data(as_text=True))
    assert facts["Überwachung (geplant)"] == f"09:50–10:20, {bed1.label}"
    assert facts["Überwachung (tatsächlich)"] == "Seit 09:50, ohne eigenes Bett"

    procedure_day.move_to_bed(session, None, b, bed2.id, at=START + dt.timedelta(minutes=55), zone=ZONE)
    session.commit()
    facts = _facts(desk.get(f"/desk/appointments/{b.id}").get_data(as_text=True))
    assert facts["Überwachung (geplant)"] == f"09:50–10:20, {bed1.label}"
    assert facts["Überwachung (tatsächlich)"] == f"Seit 09:50, {bed2.label}"


def test_before_observation_there_is_no_actual_observation_row(app, session, settings):
    clinic = build_clinic(session, texts=True)
    _clinic, a = day_appointment(
        session,
        settings,
        clinic,
        candidate=chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[1], START, 20, 30),
    )
    procedure_day.check_in(session, None, a, at=START - dt.timedelta(minutes=20), zone=ZONE)
    speak(session, "de")
    (desk,) = logged_in(app, "frontdesk")
    session.commit()
    facts = _facts(desk.get(f"/desk/appointments/{a.id}").get_data(as_text=True))
    assert facts["Überwachung (geplant)"] == f"09:20–09:50, {clinic.beds[1].label}"
    assert "Überwachung (tatsächlich)" not in facts
