"""The desk's day in German for a German front-desk user: today's page, the day and week calendars,
booking, the appointment page, check-in and the waitlist; refusals in German too. The same screens stay
English for an English user."""

from __future__ import annotations

import datetime as dt
import html as markup

from tests.conftest import assert_shows
from tests.factories import add_to_waitlist, book, build_clinic, make_ready_referral, make_user
from tests.scheduling.helpers import chain, chain_form, first_candidates, utc


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _booked_today(session, settings, clinic):
    """An appointment on Monday 23 November (the pinned today), booked through the service."""
    referral = make_ready_referral(session, clinic)
    return referral, book(session, settings, referral)


def test_a_german_front_desk_sees_its_day_in_german(session, settings, browser):
    clinic = build_clinic(session)
    make_user(session, "empfang", {"front_desk"}, "Erika Empfang", language="de")
    referral, appointment = _booked_today(session, settings, clinic)
    waiting = make_ready_referral(session, clinic)
    add_to_waitlist(session, waiting, dt.date(2026, 11, 1))
    session.commit()
    assert appointment.table_start.date() == dt.date(2026, 11, 23)
    browser.login("empfang")

    today = _text(browser.get("/desk/"))
    assert_shows(today, "Heute, 23.11.2026", "Neue Überweisung", "Kalender", "Warteliste", "Nachsorgeanrufe", "Termine")
    assert "Code scannen zum Anmelden" in today and ">Anmelden</button>" in today
    assert "<th>Uhrzeit</th><th>Patient</th><th>Eingriff</th><th>Raum</th>" in today
    assert "Medikamentenpläne, telefonisch zu bestätigen" in today
    assert "Check in" not in today and "New referral" not in today

    day = _text(browser.get("/desk/calendar?day=2026-11-23"))
    assert "Montag, 23.11.2026" in day and "Monday" not in day
    assert_shows(
        day, "Vorheriger Tag", "Nächster Tag", "Zum Datum", "Heute", "Woche", "Drucken", "Grau hinterlegte Felder"
    )
    assert referral.patient.display_name in day

    week = _text(browser.get("/desk/calendar?view=week&day=2026-11-25"))
    assert "Woche ab 23.11.2026" in week and "Mo. 23.11.2026" in week and "So. 29.11.2026" in week
    assert "<th>Raum</th>" in week and "Week of" not in week

    page = _text(browser.get(f"/desk/referrals/{waiting.id}/book"))
    assert f"Termin für {waiting.patient.display_name} vergeben" in page
    assert "Min. Tischzeit, danach" in page and "Min. Überwachung" in page
    assert ">Suchen</button>" in page and ">Vormerken</button>" in page and ">Termin vergeben</button>" in page
    assert "<th>Liegeplatz</th>" in page and "Dienstag" in page  # the candidates' days, by Babel in German
    assert "Periradikuläre Therapie" in page  # the procedure's German name

    shown = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert_shows(
        shown,
        f"Termin {appointment.reference}",
        "Terminnummer",
        "Eingriff",
        "Tisch",
        "Überwachung",
        "Terminbrief",
        "Patienteninformation",
        "Einwilligungsbogen",
        "Verschieben",
        "Termin absagen",
        "Diesen Termin absagen? Die Zeit wird für andere frei.",
        "Verlauf",
        "Periradikuläre Therapie",
    )
    assert "Cancel appointment" not in shown and "History" not in shown
    assert "(PRT) (PRT)" not in shown  # the German name has the code in it already

    moving = _text(browser.get(f"/desk/appointments/{appointment.id}/reschedule"))
    assert f"Termin von {referral.patient.display_name} verschieben" in moving and "Hierher verschieben" in moving

    waitlist = _text(browser.get("/desk/waitlist"))
    assert "<title>Warteliste" in waitlist and "Termin suchen" in waitlist and "Vormittags" in waitlist
    assert "Diesen Patienten von der Warteliste nehmen?" in waitlist

    checked = browser.post(
        f"/desk/appointments/{appointment.id}/check-in",
        {"next": "/desk/"},
        form_page=f"/desk/appointments/{appointment.id}",
    )
    assert checked.status_code == 302
    assert f"{referral.patient.display_name} ist angemeldet." in _text(browser.get("/desk/"))


def test_german_refusals_on_the_desk(session, settings, browser):
    clinic = build_clinic(session)
    make_user(session, "empfang", {"front_desk"}, "Erika Empfang", language="de")
    first, second = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    held = make_ready_referral(session, clinic, medications=[("clopidogrel", "", dt.date(2026, 11, 22))])
    session.commit()
    browser.login("empfang")

    # A time someone else took meanwhile.
    c = first_candidates(session, settings, first)[0]
    book(session, settings, second, c)
    session.commit()
    taken = browser.post(
        f"/desk/referrals/{first.id}/book", chain_form(c), form_page=f"/desk/referrals/{first.id}/book"
    )
    page = _text(taken)
    assert taken.status_code == 409
    # one box (the walk found two saying the same): the refusal, then the next free times
    assert page.count("Hier sind die nächsten freien Zeiten.") == 1 and "Here are the next free times" not in page

    # The service's refusal: a start before the medication hold allows it, in German with its value.
    booking_page = _text(browser.get(f"/desk/referrals/{held.id}/book"))
    assert "Pausierung der Medikamente: frühestmöglicher Beginn 30.11.2026 00:00" in booking_page
    too_early = chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], utc(2026, 11, 24, 8, 0), 20, 30)
    refused = browser.post(
        f"/desk/referrals/{held.id}/book", chain_form(too_early), form_page=f"/desk/referrals/{held.id}/book"
    )
    assert refused.status_code == 422
    assert "Der Plan zum Pausieren der Medikamente erlaubt diesen Eingriff erst ab 30.11.2026 00:00" in _text(refused)

    # A reference that is not today's.
    wrong = browser.post("/desk/check-in", {"reference": "XXXX-0000"}, form_page="/desk/check-in")
    assert wrong.status_code == 422
    assert "Heute gibt es keinen Termin mit dieser Terminnummer." in _text(wrong)


def test_an_english_front_desk_keeps_english(session, settings, browser):
    clinic = build_clinic(session)
    _referral, appointment = _booked_today(session, settings, clinic)
    session.commit()
    browser.login("frontdesk")
    assert "Today, 23.11.2026" in _text(browser.get("/desk/"))
    day = _text(browser.get("/desk/calendar?day=2026-11-23"))
    assert "Monday, 23.11.2026" in day and "Montag" not in day
    assert "Mon 23.11.2026" in _text(browser.get("/desk/calendar?view=week&day=2026-11-23"))
    shown = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert "Cancel appointment" in shown and "Periradicular therapy (nerve-root injection) (PRT)" in shown
