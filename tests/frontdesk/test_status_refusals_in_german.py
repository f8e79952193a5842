"""Walk finding: a refused change of an appointment's status (cancelled twice from a stale tab, checked in
twice, started twice) named the statuses by their codes on German screens ("cancelled", "checked in",
"in procedure"). The refusal names them by their labels, in the screen's language; the API and English
screens keep the English."""

from __future__ import annotations

import html as markup

import pytest
from flask_babel import force_locale

from clinic.core.errors import DomainError, NotFound
from clinic.i18n import refusal
from clinic.models.vocab import DocumentKind, Role
from clinic.scheduling import booking
from clinic.services import consents, procedure_day
from tests.conftest import NOW, ZONE, assert_shows, logged_in
from tests.factories import build_clinic, make_user
from tests.radiology.day_helpers import day_appointment, to_procedure

RAW_CODES = ("„cancelled“", "„checked in“", "„checked_in“", "„in procedure“", "„in_procedure“", "„booked“")


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _no_codes(page: str) -> None:
    shown = [code for code in RAW_CODES if code in page]
    assert not shown, f"raw status codes on a German screen: {shown}"


def test_cancelling_a_cancelled_appointment_names_the_status_in_german(app, session, settings):
    _, appointment = day_appointment(session, settings)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    session.commit()
    german, english = logged_in(app, "desk_de", "frontdesk")
    path = f"/desk/appointments/{appointment.id}"
    stale = german.token(path)  # the tab opened while the appointment was still booked
    appointment.cancel(None, NOW, "Patientin krank")  # meanwhile, elsewhere
    session.commit()

    answer = german.post(f"{path}/cancel", {"reason": "nochmal", "csrf_token": stale})
    page = _text(answer)
    assert answer.status_code == 422
    assert "Ein Termin mit dem Status „Abgesagt“ kann nicht abgesagt werden." in page
    _no_codes(page)

    answer = english.post(f"{path}/cancel", {"reason": "again"}, form_page=path)
    assert "An appointment that is cancelled cannot be cancelled." in _text(answer)


def test_checking_in_twice_names_the_statuses_in_german(app, session, settings):
    _, appointment = day_appointment(session, settings)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    procedure_day.check_in(session, None, appointment, at=NOW, zone=ZONE)
    session.commit()
    german, english = logged_in(app, "desk_de", "frontdesk")
    path = f"/desk/appointments/{appointment.id}"

    answer = german.post(f"{path}/check-in", form_page=path)
    page = _text(answer)
    assert answer.status_code == 422
    # Walk finding: "Dieser Termin hat den Status „Angemeldet“; um „Angemeldet“ zu werden, muss er „Gebucht“
    # sein." said nothing useful: it says when the patient was checked in (07:00 in Berlin).
    assert "Bereits angemeldet um 07:00." in page and "um „Angemeldet“ zu werden" not in page
    _no_codes(page)

    by_reference = german.post("/desk/check-in", {"reference": appointment.reference}, form_page="/desk/check-in")
    assert by_reference.status_code == 422
    shown = _text(by_reference)
    at = shown.index('id="reference"')
    assert "Bereits angemeldet um 07:00." in shown[at : shown.index("</div>", at)]  # at the scanner's field
    _no_codes(shown)

    answer = english.post(f"{path}/check-in", form_page=path)
    assert "Already checked in at 07:00." in _text(answer)


def test_starting_twice_names_the_statuses_in_german(app, session, settings):
    _, appointment = day_appointment(session, settings, to=to_procedure)
    make_user(session, "rad_de", {Role.RADIOLOGIST}, "Dr. Anna Becker", language="de")
    session.commit()
    german, english = logged_in(app, "rad_de", "rad1")
    path = f"/radiology/appointments/{appointment.id}"

    answer = german.post(f"{path}/start", form_page=path)
    page = _text(answer)
    assert answer.status_code == 422
    assert_shows(
        page, "Dieser Termin hat den Status „Im Eingriff“; um „Im Eingriff“ zu werden, muss er „Angemeldet“ sein."
    )
    _no_codes(page)

    answer = english.post(f"{path}/start", form_page=path)
    assert "This appointment is in procedure; it must be checked in to become in procedure." in _text(answer)


def test_the_other_refusals_naming_a_status_or_a_kind_read_in_german(app, session, settings):
    """Moving an appointment that is no longer booked (the API's refusal: the screens do not offer it), and
    a text missing for a procedure: the status, the kind of text and the language by their labels."""
    clinic, appointment = day_appointment(session, settings, clinic=build_clinic(session))  # no texts
    procedure_day.check_in(session, None, appointment, at=NOW, zone=ZONE)
    with pytest.raises(DomainError) as moved:
        booking.reschedule(session, settings, clinic.staff["frontdesk"], appointment, None, readiness=None)
    with pytest.raises(NotFound) as missing:
        consents.current_text(session, appointment.procedure_type_id, DocumentKind.CONSENT, "en")
    assert (moved.value.message, moved.value.code) == (
        "Only booked appointments can be moved; this one is checked in.",
        "invalid_state",
    )
    assert missing.value.message == "There is no consent text in language 'English' for this procedure yet."
    with app.test_request_context("/"), force_locale("de"):
        assert refusal(moved.value) == "Nur gebuchte Termine können verlegt werden; dieser hat den Status „Angemeldet“."
        assert refusal(missing.value) == (
            "Für diesen Eingriff gibt es noch keinen Text „Einwilligung“ in der Sprache „Englisch“."
        )
