"""Times through the link: a few of the finder's earliest chains, held while the patient confirms and
booked with the desk's guards; the .ics; moving and cancelling only more than 24 h ahead (else the
clinic's telephone number); the waitlist's earlier times."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from icalendar import Calendar
from sqlalchemy import select

from clinic.core.timefmt import to_local
from clinic.models import Appointment, BookingHold, WaitlistEntry
from clinic.models.vocab import AppointmentStatus
from tests.conftest import NOW
from tests.factories import book, build_clinic, make_patient, make_ready_referral
from tests.scheduling.helpers import first_candidates

from .helpers import Patient, link_for, open_portal, opened

BIRTH = dt.date(1949, 12, 1)
CHOICE = re.compile(r'name="choice" value="([^"]+)"')


def _ready(session, *, escort: bool = True, **patient):
    """A ready referral with its link (``escort=False``: the escort home not arranged, so not ready)."""
    clinic = build_clinic(session, texts=True)
    open_portal(session)
    patient = make_patient(session, birth_date=BIRTH, **patient)
    referral = make_ready_referral(session, clinic, patient, **({} if escort else {"escort_name": None}))
    _link, token = link_for(session, referral)
    session.commit()
    return clinic, referral, token


def _book_first(patient: Patient) -> str:
    times = patient.get("/times").get_data(as_text=True)
    choice = CHOICE.findall(times)[0]
    held = patient.post("/times", {"choice": choice})
    assert held.status_code == 302 and held.headers["Location"].endswith("/confirm"), held.status_code
    return patient.post("/confirm", {"action": "book"}).headers["Location"]


def test_the_patient_sees_a_few_times_holds_one_and_books_it(session, app, settings):
    _clinic, referral, token = _ready(session)
    patient = opened(app, token, BIRTH)
    html = patient.get("/times").get_data(as_text=True)
    choices = CHOICE.findall(html)
    assert 1 <= len(choices) <= 6
    assert "Dienstag, 24. November 2026" in html  # nothing within 24 hours: Monday is not offered
    held = patient.post("/times", {"choice": choices[0]})
    assert held.status_code == 302
    hold = session.scalar(select(BookingHold))
    assert hold.referral_id == referral.id and hold.confirmed_appointment_id is None
    assert hold.expires_at - NOW == dt.timedelta(minutes=10)
    assert to_local(hold.table_start, "Europe/Berlin") == dt.datetime(
        2026, 11, 24, 8, 0, tzinfo=to_local(hold.table_start, "Europe/Berlin").tzinfo
    )
    assert "Termin bestätigen" in patient.get("/confirm").get_data(as_text=True)
    booked = patient.post("/confirm", {"action": "book"})
    assert booked.status_code == 302
    appointment = session.scalar(select(Appointment))
    assert appointment.referral_id == referral.id and appointment.table_start == hold.table_start
    home = patient.get().get_data(as_text=True)
    assert appointment.reference in home and "08:00 Uhr" in home
    # No second booking for the same referral through the link.
    assert patient.get("/times").status_code == 302


def test_a_tampered_choice_is_refused(session, app):
    _clinic, _referral, token = _ready(session)
    patient = opened(app, token, BIRTH)
    choice = CHOICE.findall(patient.get("/times").get_data(as_text=True))[0]
    refused = patient.post("/times", {"choice": choice[:-2] + "xx"})
    assert refused.status_code == 400 and session.scalar(select(BookingHold.id)) is None


def test_no_times_while_the_checklist_is_incomplete(session, app):
    _clinic, _referral, token = _ready(session, escort=False)
    patient = opened(app, token, BIRTH)
    assert CHOICE.findall(patient.get("/times").get_data(as_text=True)) == []
    assert "sobald Ihre Angaben" in patient.get().get_data(as_text=True)


def test_the_calendar_file_gives_arrival_and_end_in_the_clinics_zone(session, app):
    _clinic, _referral, token = _ready(session, preferred_language="en")
    patient = opened(app, token, BIRTH)
    _book_first(patient)
    answer = patient.get("/appointment.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    event = Calendar.from_ical(answer.data).walk("VEVENT")[0]
    appointment = session.scalar(select(Appointment))
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Berlin"
    assert start == appointment.table_start - dt.timedelta(minutes=30)  # arrival, 30 minutes before
    assert event.decoded("dtend") == appointment.obs_end
    assert appointment.reference in str(event.get("description"))
    assert str(event.get("summary")).startswith("Appointment: ")


def test_moving_keeps_the_old_time_until_the_new_one_is_in(session, app):
    _clinic, _referral, token = _ready(session)
    patient = opened(app, token, BIRTH)
    _book_first(patient)
    appointment = session.scalar(select(Appointment))
    old = appointment.table_start
    choices = CHOICE.findall(patient.get("/move").get_data(as_text=True))
    review = patient.post("/move", {"choice": choices[-1]}, form_page="/move")
    assert review.status_code == 200 and "Auf diesen Termin verschieben" in review.get_data(as_text=True)
    session.refresh(appointment)
    assert appointment.table_start == old  # not moved by looking
    moved = patient.post("/move", {"choice": choices[-1], "step": "confirm"}, form_page="/move")
    assert moved.status_code == 302
    session.refresh(appointment)
    assert appointment.table_start > old and appointment.status == AppointmentStatus.BOOKED
    assert len([b for b in appointment.bookings if b.active]) == 4


def test_within_24_hours_the_page_gives_the_phone_number(session, app, settings):
    _clinic, referral, token = _ready(session)
    tomorrow = first_candidates(session, settings, referral)[0]  # Monday, within 24 hours
    book(session, settings, referral, tomorrow)
    session.commit()
    patient = opened(app, token, BIRTH)
    home = patient.get().get_data(as_text=True)
    assert "+49 40 1234 5670" in home and "/move" not in home and "/cancel" not in home
    for path in ("/move", "/cancel"):
        refused = patient.get(path)
        assert refused.status_code == 409 and "+49 40 1234 5670" in refused.get_data(as_text=True)
    assert patient.post("/cancel", {"reason": "ill"}, form_page="/home").status_code == 409
    assert session.scalar(select(Appointment.status)) == AppointmentStatus.BOOKED


def test_cancelling_needs_a_reason_and_frees_the_time(session, app):
    _clinic, _referral, token = _ready(session)
    patient = opened(app, token, BIRTH)
    _book_first(patient)
    assert patient.post("/cancel", {"reason": ""}).status_code == 422
    done = patient.post("/cancel", {"reason": "Ich bin erkältet"})
    assert done.status_code == 302
    appointment = session.scalar(select(Appointment))
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancel_reason == "by the patient online: Ich bin erkältet"
    assert not any(b.active for b in appointment.bookings)


def test_the_waitlist_offers_earlier_times_and_moves_to_one(session, app, settings):
    _clinic, referral, token = _ready(session)
    # The patient's own appointment is on Friday; Tuesday's first chain is taken by someone else.
    friday = first_candidates(session, settings, referral, first_day=dt.date(2026, 11, 27))[0]
    book(session, settings, referral, friday)
    session.commit()
    patient = opened(app, token, BIRTH)
    assert "Frühere Termine anbieten" in patient.get().get_data(as_text=True)
    joined = patient.post("/waitlist", {"part": "any"}, form_page="/home")
    assert joined.status_code == 302
    entry = session.scalar(select(WaitlistEntry))
    assert entry.active and entry.latest_date == dt.date(2026, 11, 26)
    home = patient.get().get_data(as_text=True)
    offers = CHOICE.findall(home)
    assert offers, "earlier free times are offered"
    taken = patient.post("/offer", {"choice": offers[0], "step": "confirm"}, form_page="/home")
    assert taken.status_code == 302
    appointment = session.scalar(select(Appointment))
    assert appointment.table_start < friday.table_start
    session.refresh(entry)
    assert not entry.active and entry.resolved_appointment_id == appointment.id


def test_steps_turned_off_are_not_offered(session, app):
    _clinic, _referral, token = _ready(session)
    open_portal(session, {"links", "questionnaire"})
    session.commit()
    patient = opened(app, token, BIRTH)
    home = patient.get().get_data(as_text=True)
    assert "/times" not in home and "/imaging" not in home and "Wir rufen Sie an" in home
    assert patient.get("/times").status_code == 403
    assert patient.get("/imaging").status_code == 403


def test_the_desk_sees_what_the_patient_did_on_the_appointment_and_referral_pages(session, app):
    _clinic, referral, token = _ready(session)
    patient = opened(app, token, BIRTH)
    _book_first(patient)
    patient.post("/attend", form_page="/home")
    appointment = session.scalar(select(Appointment))
    from tests.conftest import Browser

    desk = Browser(app.test_client())
    desk.login("frontdesk")
    page = desk.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True)
    assert "Through the link" in page and "booked" in page and "confirmed they will come" in page
    assert "chose a time (held)" not in page  # the hold named no appointment yet: it is on the referral page
    referral_page = desk.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "chose a time (held)" in referral_page and "date of birth given" in referral_page


def test_the_times_offered_spread_over_days_so_that_the_patient_can_choose_a_day(session, settings):
    """Walk finding 17: six times of one morning are no choice; at most two per day, two hours apart."""
    from clinic.services import portal_booking

    _clinic, referral, _token = _ready(session)
    rules = portal_booking.PortalRules()
    _ready_state, times = portal_booking.offered_times(session, settings, referral, rules)
    assert len(times) == rules.offers
    by_day: dict[dt.date, list[dt.datetime]] = {}
    for candidate in times:
        by_day.setdefault(to_local(candidate.table_start, settings.zone).date(), []).append(candidate.table_start)
    assert len(by_day) >= 3, by_day
    for starts in by_day.values():
        assert len(starts) <= rules.per_day
        assert all(b - a >= dt.timedelta(minutes=rules.spacing_minutes) for a, b in itertools.pairwise(starts))
    assert min(times, key=lambda c: c.table_start).table_start == times[0].table_start  # earliest first


def test_a_time_within_a_week_of_another_steroid_injection_is_refused_in_the_patients_words(session, app, settings):
    """Steroid injections of one patient lie a week apart (scheduling/steroid.py): a time chosen on the link's
    page after the desk booked the patient's other PRT two days later is refused, nothing held."""
    clinic, referral, token = _ready(session)
    patient = opened(app, token, BIRTH)
    choice = CHOICE.findall(patient.get("/times").get_data(as_text=True))[0]  # Tuesday 08:00
    book(session, settings, make_ready_referral(session, clinic, referral.patient), first_day=dt.date(2026, 11, 26))
    session.commit()
    refused = patient.post("/times", {"choice": choice})
    assert refused.status_code == 422
    assert "Zwischen Ihren Injektionen muss mindestens eine Woche liegen." in refused.get_data(as_text=True)
    assert session.scalar(select(BookingHold.id)) is None
    # the times offered now begin a week after the other PRT
    offered = patient.get("/times").get_data(as_text=True)
    assert "Donnerstag, 3. Dezember 2026" in offered and "Dienstag, 24. November 2026" not in offered
