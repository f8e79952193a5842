"""Walk finding: the appointment page open in two tabs; tab A checks the patient in, tab B, still showing
"booked", cancelled with "Abgesagt. Die Zeit ist wieder frei." and no word that the patient was checked in
meanwhile. The cancel form carries the status the page showed: a status changed since is refused, says what
changed, and nothing changes; from the page as it is now, the checked-in patient can still be cancelled."""

from __future__ import annotations

import html as markup
import re

from clinic.models import Appointment
from clinic.models.vocab import AppointmentStatus, Role
from clinic.services import procedure_day
from tests.conftest import NOW, ZONE, logged_in
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _seen_status(page: str) -> str:
    return re.search(r'name="seen_status"[^>]*value="([^"]*)"', page).group(1)


def test_a_cancel_from_a_stale_tab_is_refused_and_says_the_patient_was_checked_in(app, session, settings):
    _, appointment = day_appointment(session, settings)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    session.commit()
    (german,) = logged_in(app, "desk_de")
    path = f"/desk/appointments/{appointment.id}"
    tab_b = german.get(path).get_data(as_text=True)
    assert _seen_status(tab_b) == "booked"
    procedure_day.check_in(session, None, appointment, at=NOW, zone=ZONE)  # tab A, meanwhile
    session.commit()

    answer = german.post(f"{path}/cancel", {"reason": "Patientin krank", "seen_status": _seen_status(tab_b)})
    page = _text(answer)
    assert answer.status_code == 409
    assert "Der Patient wurde inzwischen um 07:00 angemeldet" in page
    assert "Es wurde nichts geändert." in page
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.CHECKED_IN

    # The refusal's page is the fresh one: cancelling the checked-in patient from it is made knowingly.
    assert _seen_status(page) == "checked_in"
    answer = german.post(f"{path}/cancel", {"reason": "Patientin krank", "seen_status": _seen_status(page)})
    assert answer.status_code == 302
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED
