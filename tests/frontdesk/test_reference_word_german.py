"""German walk finding: the appointment's code was called "Terminnummer" on the appointment page and in the
booking confirmation, but "Referenz" (or "Terminreferenz") in the refusal of a second booking, on the page of
a freed time, on the admin's stranded list and in the feed and check-in fields. Staff read it aloud on the
phone: it has one German name, "Terminnummer", in every message they see."""

from __future__ import annotations

import datetime as dt
import html as markup

from babel.messages.pofile import read_po

from clinic.config import PROJECT_ROOT
from tests.factories import (
    add_to_waitlist,
    book,
    build_clinic,
    german_desk,
    make_patient,
    make_ready_referral,
)

CATALOGUE = PROJECT_ROOT / "clinic" / "translations" / "de" / "LC_MESSAGES" / "messages.po"


def _german(message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [s for s in strings if s]


def test_no_german_message_calls_the_appointments_code_a_referenz():
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    referenz = [m.id for m in catalogue if m.id and any("referenz" in s.lower() for s in _german(m))]
    assert referenz == []
    # Every German message that names the appointment's code in brackets calls it "Terminnummer".
    naming = [m for m in catalogue if m.id and "(reference " in str(m.id)]
    unnamed = [m.id for m in naming if not all("(Terminnummer " in s for s in _german(m))]
    assert len(naming) >= 7 and unnamed == []


def test_the_freed_time_of_a_cancellation_names_the_terminnummer(session, settings, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 24))
    add_to_waitlist(session, make_ready_referral(session, clinic, make_patient(session, family_name="Wartemann")))
    german_desk(session, browser)

    cancelled = browser.post(f"/desk/appointments/{appointment.id}/cancel", {"reason": "Patientin krank"})
    assert cancelled.status_code in (302, 303)
    offers = markup.unescape(browser.get(cancelled.headers["Location"]).get_data(as_text=True))
    assert f"Frei geworden durch die Absage des Termins von {referral.patient.display_name}" in offers
    assert f"(Terminnummer {appointment.reference})" in offers and "Referenz" not in offers
