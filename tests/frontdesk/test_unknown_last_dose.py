"""German walk finding: for a drug to pause whose last dose is not recorded, the referral page, the booking
page and the radiologist's triage page showed an "earliest procedure" time such as "09.12.2026 05:20": it
looked computed from the patient's doses, but was only the clock (now, a day's notice, the hold's hours).
Patient safety first: no guessed time. Those screens say that the last dose is not recorded and that the time
is set once it is; with the last dose recorded they show the time the hold allows, as before."""

from __future__ import annotations

import datetime as dt
import html as markup
from zoneinfo import ZoneInfo

from clinic.models.vocab import Role
from clinic.services import medication
from tests.conftest import NOW, TODAY, ZONE, logged_in
from tests.factories import build_clinic, make_ready_referral, make_user

NOT_RECORDED = (
    "Pausierung der Medikamente: Die letzte Einnahme von Rivaroxaban ist nicht erfasst, daher steht der früheste "
    "Zeitpunkt des Eingriffs noch nicht fest. Er lässt sich erst festlegen, wenn die letzte Einnahme erfasst ist."
)
CELL = "steht erst fest, wenn die letzte Einnahme erfasst ist"


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return markup.unescape(response.get_data(as_text=True))


def _shown(instant: dt.datetime) -> str:
    return instant.astimezone(ZoneInfo(ZONE)).strftime("%d.%m.%Y %H:%M")


def _pages(app, session, referral) -> dict[str, str]:
    """The referral page and the booking page of a German desk, the triage page of a German radiologist."""
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    make_user(session, "rad_de", {Role.RADIOLOGIST}, "Dr. Anna Vogt", language="de")
    session.commit()
    desk, radiologist = logged_in(app, "desk_de", "rad_de")
    return {
        "referral": _text(desk.get(f"/desk/referrals/{referral.id}")),
        "booking": _text(desk.get(f"/desk/referrals/{referral.id}/book")),
        "triage": _text(radiologist.get(f"/radiology/referrals/{referral.id}")),
    }


def _clock_time(session, referral) -> str:
    """The time the screens showed: counted from now, for a last dose nobody recorded."""
    plan = medication.referral_plan(session, referral, "de")
    return _shown(plan.earliest_start(NOW, ZONE))


def test_no_earliest_time_is_shown_while_the_last_dose_is_not_recorded(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, medications=[("rivaroxaban", "", None)])
    guessed = _clock_time(session, referral)
    pages = _pages(app, session, referral)

    for name in ("referral", "booking"):
        assert NOT_RECORDED in pages[name], name
    for name in ("referral", "triage"):  # the medication plan's column
        assert CELL in pages[name], name
    for name, page in pages.items():
        assert guessed not in page, name
        assert "frühestmöglicher Beginn" not in page and "Pausierung der Medikamente: nicht vor" not in page


def test_with_the_last_dose_recorded_the_earliest_time_is_shown(app, session):
    clinic = build_clinic(session)
    last_dose = TODAY - dt.timedelta(days=1)
    referral = make_ready_referral(session, clinic, medications=[("rivaroxaban", "", last_dose)])
    plan = medication.referral_plan(session, referral, "de")
    earliest = _shown(plan.earliest_start(NOW, ZONE))
    pages = _pages(app, session, referral)

    assert f"Pausierung der Medikamente: nicht vor {earliest}." in pages["referral"]
    assert f"frühestmöglicher Beginn {earliest}" in pages["booking"]
    for name, page in pages.items():
        assert NOT_RECORDED not in page and CELL not in page, name
