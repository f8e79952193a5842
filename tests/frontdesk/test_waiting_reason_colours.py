"""Staff walk (de-DE, screens 26): on the start page every reason a referral waits was red, routine waiting as
much as a safety stop. Red is kept for the patient's safety (a later stage without its positive earlier one, an
implant not checked for MRI, blood thinners with no hold rule, an open red flag); routine waiting (a stage done
waiting for its outcome, an item of the pre-registration still open) is amber. The reasons' words are unchanged."""

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


def _reason(page: str, family_name: str) -> tuple[str, str, str]:
    """The row of the patient: the reason's marker, its classes and its words."""
    lists = page.split('id="not-bookable"', 1)[1]  # the lists "not bookable now" and "pre-registration open"
    row = next(item for item in lists.split("<li ")[1:] if family_name in item)
    found = re.search(r'<(div|details) class="([^"]*)" data-reason="(\w+)">(.*?)</\1>', row, re.S)
    assert found, row
    return found[3], found[2], " ".join(re.sub(r"<[^>]+>", " ", found[4]).split())


def test_red_is_kept_for_safety_and_routine_waiting_is_amber(app, session, settings):
    clinic = build_clinic(session, texts=True)
    done = book(
        session,
        settings,
        make_ready_referral(
            session, clinic, make_patient(session, family_name="Nagy"), code="SYMP", stage="diagnostic", levels=None
        ),
    )
    to_procedure(session, clinic, done, at=MONDAY_9)
    end = MONDAY_9 + dt.timedelta(minutes=20)
    procedure_day.end_procedure(session, None, done, at=end)
    procedure_day.set_discharge_checklist(
        session, done, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(session, clinic.staff["nurse"], done, at=end + dt.timedelta(minutes=90), reason="Papier")
    make_ready_referral(  # accepted for MRI; the pacemaker recorded afterwards, nobody has checked it
        session,
        clinic,
        make_patient(session, family_name="Schrittmacher"),
        guidance="MRI",
        conditions={"implant"},
        implant_note="Herzschrittmacher",
    )
    make_ready_referral(session, clinic, make_patient(session, family_name="Ohnebegleitung"), escort_name=None)
    make_ready_referral(  # a blood thinner no hold rule covers: a radiologist must decide
        session, clinic, make_patient(session, family_name="Marcumar"), medications=[("phenprocoumon", "", None)]
    )
    speak(session, "de")
    (desk,) = logged_in(app, "frontdesk")
    session.commit()
    page = desk.get("/desk/").get_data(as_text=True)

    marker, classes, words = _reason(page, "Nagy")
    assert (marker, classes) == ("waiting", "small reason-waiting"), words
    assert "Stufe Diagnostisch, durchgeführt am 23.11.2026" in words
    marker, classes, words = _reason(page, "Ohnebegleitung")
    assert (marker, classes) == ("waiting", "small reason-waiting"), words
    assert "Begleitperson" in words

    marker, classes, words = _reason(page, "Schrittmacher")
    assert (marker, classes) == ("safety", "small text-danger"), words
    assert "Herzschrittmacher" in words
    marker, classes, words = _reason(page, "Marcumar")
    assert (marker, classes) == ("safety", "small text-danger"), words
    assert "Phenprocoumon" in words
