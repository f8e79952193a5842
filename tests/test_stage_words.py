"""Staff walk (de-DE, screens 26): the stage read "Stufe diagnostisch" on the start page and "Diagnostisch" on
the worklist and elsewhere. A stage beside a procedure is named one way on every screen (``Stage.phrase``, the
``stage`` filter): "Stufe Diagnostisch", as the sentences that name a stage say it."""

from __future__ import annotations

import datetime as dt
import re

from clinic.services import procedure_day
from tests.browser_fixtures import speak
from tests.conftest import logged_in
from tests.factories import book, build_clinic, make_patient, make_ready_referral
from tests.radiology.day_helpers import to_procedure
from tests.scheduling.helpers import utc

MONDAY_9 = utc(2026, 11, 23, 8, 0)


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_a_stage_reads_the_same_on_every_screen(app, session, settings):
    clinic = build_clinic(session, texts=True)
    done_referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Nagy"), code="SYMP", stage="diagnostic", levels=None
    )
    done = book(session, settings, done_referral)
    to_procedure(session, clinic, done, at=MONDAY_9)
    end = MONDAY_9 + dt.timedelta(minutes=20)
    procedure_day.end_procedure(session, None, done, at=end)
    procedure_day.set_discharge_checklist(
        session, done, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(session, clinic.staff["nurse"], done, at=end + dt.timedelta(minutes=90), reason="Papier")
    waiting = make_ready_referral(
        session, clinic, make_patient(session, family_name="Kaya"), code="SYMP", stage="diagnostic", levels=None
    )
    booked = book(session, settings, waiting, first_day=dt.date(2026, 11, 30), days=14)
    speak(session, "de")
    desk, radiologist = logged_in(app, "frontdesk", "rad1")

    pages = {
        "start": desk.get("/desk/").get_data(as_text=True),
        "appointment": desk.get(f"/desk/appointments/{booked.id}").get_data(as_text=True),
        "referral": desk.get(f"/desk/referrals/{waiting.id}").get_data(as_text=True),
        "procedure day": radiologist.get(f"/radiology/appointments/{done.id}").get_data(as_text=True),
    }
    for name, page in pages.items():
        text = _text(page)
        assert "Stufe Diagnostisch" in text, name
        assert "Stufe diagnostisch" not in text and not re.search(r"SYMP(-DX)? Diagnostisch", text), name
    assert "SYMP, Stufe Diagnostisch, durchgeführt am 23.11.2026" in _text(pages["start"])
