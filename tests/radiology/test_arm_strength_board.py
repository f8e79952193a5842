"""Walk 27: after a cervical PRT the observation board asked for the leg strength ("leg strength (motor) not
checked"). After a cervical level local anaesthetic at the root weakens the arm (procedures.md §2.1 PRT:
"The leg or arm may be numb or weak for some hours"; longer observation "after cervical levels"): the board
and the discharge gap ask for the arm strength, in English and in German; a lumbar level keeps the legs."""

from __future__ import annotations

from clinic.models import ObservationCheck
from clinic.models.clinical import gap_phrases
from clinic.models.vocab import Role
from clinic.services import procedure_day
from tests.conftest import logged_in
from tests.factories import build_clinic, make_user
from tests.radiology.day_helpers import day_appointment, to_observation

CERVICAL_PRT = {"code": "PRT", "region": "cervical", "levels": "C6/7", "side": "left"}
ALL_TICKED = dict(stable=True, can_walk=True, escort_present=True, instructions_given=True)


def _card(board: str, appointment) -> str:
    """The board's card of the appointment (its check form)."""
    start = board.index(f"/observation/appointments/{appointment.id}/check")
    return board[board.rindex("<form", 0, start) : board.index("</form>", start)]


def test_a_cervical_prt_asks_for_the_arm_strength_before_discharge(session, settings):
    """Fails on the old code: "leg strength (motor) not checked"."""
    clinic, appointment = day_appointment(session, settings, **CERVICAL_PRT)
    observation = to_observation(session, clinic, appointment)
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    observation.checks.append(ObservationCheck(systolic=130, diastolic=80, pulse=70))
    on_time = observation.planned_end
    assert procedure_day.discharge_gaps(session, appointment, on_time) == ["arm strength (motor) not checked"]
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=on_time, reason="Checked on paper")
    assert observation.discharge_gaps == "arm strength (motor) not checked"
    assert [p.template for p in gap_phrases(observation.discharge_gaps).parts] == ["arm strength (motor) not checked"]


def test_the_board_asks_for_the_arm_strength_after_a_cervical_level_and_the_leg_after_a_lumbar(
    app, session, settings, browser
):
    clinic = build_clinic(session, texts=True)
    _, cervical = day_appointment(session, settings, clinic, to=to_observation, **CERVICAL_PRT)
    _, lumbar = day_appointment(session, settings, clinic, to=to_observation)  # a lumbar PRT (L4/5)
    make_user(session, "nurse_de", {Role.NURSE}, "Nora Pflege", language="de")
    session.commit()
    browser.login("nurse")
    board = browser.get("/observation/").get_data(as_text=True)
    assert "Motor (arm strength)" in _card(board, cervical) and "leg" not in _card(board, cervical)
    assert "Motor (leg strength)" in _card(board, lumbar) and "arm" not in _card(board, lumbar)
    assert "arm strength (motor) not checked" in board and "leg strength (motor) not checked" in board

    (german,) = logged_in(app, "nurse_de")
    board = german.get("/observation/").get_data(as_text=True)
    assert "Motorik (Armkraft)" in _card(board, cervical) and "Motorik (Beinkraft)" in _card(board, lumbar)
    assert "Armkraft (Motorik) nicht geprüft" in board and "Beinkraft (Motorik) nicht geprüft" in board
