"""Steroid injections of one patient a week apart (clinical facts §2.1 PRT, "series / repetition": min interval
7 days; warn above 4 steroid injections in 12 months; §2.4 RFA: warn if repeated within 6 months). The app let
the desk book the same patient's PRTs on one day or a few days apart. The suite's clock: Monday 23 November
2026, 07:00 in Berlin; the first PRT lies on Tuesday 24 November."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import func, select

from clinic.core.timefmt import local_instant, to_local
from clinic.models import Appointment, Booking, BookingHold
from clinic.scheduling import steroid
from clinic.scheduling.context import Settings
from clinic.scheduling.finder import SearchRequest, find_candidates
from clinic.scheduling.plan import ProcedurePlan
from clinic.scheduling.steroid import TooSoonForSteroid
from clinic.services import accounts, appointments
from tests.api.conftest import Api
from tests.conftest import ZONE, logged_in
from tests.factories import book, build_clinic, hold, make_patient, make_ready_referral, make_referral, make_user
from tests.scheduling.helpers import chain_form, chain_json, first_candidates

TUESDAY = dt.date(2026, 11, 24)


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def _free_on(session, settings, referral, day: dt.date):
    """The first free chain of ``day`` for the referral's plan, found for no patient in particular (the finder
    keeps a patient's own steroid days free: this is the time a page left open, or a client, could send)."""
    plan = ProcedurePlan.from_referral(referral)
    return find_candidates(session, settings, SearchRequest(plan, day, day, limit=1))[0]


def _book_on(session, settings, referral, day: dt.date) -> Appointment:
    return book(session, settings, referral, _free_on(session, settings, referral, day))


def _book_past(session, referral, day: dt.date) -> Appointment:
    """An appointment of the past, as the demo books its weeks behind (no readiness, the past allowed)."""
    then = Settings(zone=ZONE, clock=lambda: local_instant(day, dt.time(0), ZONE))
    return book(session, then, referral, _free_on(session, then, referral, day), check_readiness=False, allow_past=True)


def _counts(session) -> list[int]:
    return [session.scalar(select(func.count(model.id))) for model in (Appointment, Booking, BookingHold)]


def _local_day(appointment: Appointment) -> dt.date:
    return to_local(appointment.table_start, ZONE).date()


def test_which_plans_give_a_steroid():
    assert steroid.gives_steroid("PRT", None) and steroid.gives_steroid("EPI", None)
    assert steroid.gives_steroid("FACET", "therapeutic")
    assert not steroid.gives_steroid("FACET", "diagnostic")  # local anaesthetic only
    assert not steroid.gives_steroid("SYMP", "diagnostic") and not steroid.gives_steroid("SYMP", "neurolytic")
    assert not steroid.gives_steroid("RFA", None)


def test_a_second_prt_six_days_later_is_refused_and_seven_days_later_booked(session, settings, clinic):
    patient = make_patient(session)
    first = _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    second = make_ready_referral(session, clinic, patient)
    session.commit()
    before = _counts(session)
    too_soon = _free_on(session, settings, second, TUESDAY + dt.timedelta(days=6))
    with pytest.raises(TooSoonForSteroid) as refused:
        book(session, settings, second, too_soon)
    assert refused.value.code == "steroid_interval" and refused.value.http_status == 422
    assert str(refused.value) == (
        f"This patient has another steroid injection on 24.11.2026 (reference {first.reference}). Steroid "
        "injections are kept at least 7 days apart: no day from 18.11.2026 to 30.11.2026 is possible."
    )
    assert refused.value.details["earliest_day"] == "2026-12-01"
    session.rollback()
    assert _counts(session) == before
    # a hold of that time is refused the same way
    with pytest.raises(TooSoonForSteroid):
        hold(session, settings, second, too_soon)
    session.rollback()
    assert _counts(session) == before
    # the same day is refused too (the demo had booked one patient twice on one day)
    with pytest.raises(TooSoonForSteroid):
        book(session, settings, second, _free_on(session, settings, second, TUESDAY))
    session.rollback()
    assert _local_day(_book_on(session, settings, second, TUESDAY + dt.timedelta(days=7))) == dt.date(2026, 12, 1)


def test_a_hold_is_not_confirmed_once_another_prt_was_booked_near_it(session, settings, clinic):
    patient = make_patient(session)
    first = make_ready_referral(session, clinic, patient)
    held = hold(session, settings, first, _free_on(session, settings, first, TUESDAY))
    _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY + dt.timedelta(days=2))
    session.commit()
    with pytest.raises(TooSoonForSteroid, match=r"on 26\.11\.2026 "):
        appointments.confirm_hold(session, settings, None, held.token)
    session.rollback()
    assert session.get(BookingHold, held.id).confirmed_appointment_id is None


def test_a_prt_before_a_booked_one_is_refused_naming_the_days_around_it(session, settings, clinic):
    """The refusal names the days kept free around the other injection, not an "earliest day": a walk found
    "book on 09.12. at the earliest" above a list that rightly offered days before the other one."""
    patient = make_patient(session)
    later = _book_on(session, settings, make_ready_referral(session, clinic, patient), dt.date(2026, 12, 2))
    earlier = make_ready_referral(session, clinic, patient)
    with pytest.raises(
        TooSoonForSteroid, match=r"on 02\.12\.2026 .*no day from 26\.11\.2026 to 08\.12\.2026 "
    ) as refused:
        _book_on(session, settings, earlier, dt.date(2026, 11, 30))
    assert "earliest" not in str(refused.value)
    assert refused.value.details["other_appointment"] == later.reference
    assert refused.value.details["earliest_day"] == "2026-12-09"  # the API's fact: the first day on from the one asked
    assert _local_day(_book_on(session, settings, earlier, dt.date(2026, 11, 25))) == dt.date(2026, 11, 25)


def test_moving_a_prt_within_six_days_of_another_is_refused_and_changes_nothing(session, settings, clinic):
    patient = make_patient(session)
    _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    moved = _book_on(session, settings, make_ready_referral(session, clinic, patient), dt.date(2026, 12, 8))
    session.commit()
    was, rows = moved.table_start, _counts(session)
    with pytest.raises(TooSoonForSteroid, match=r"no day from 18\.11\.2026 to 30\.11\.2026 is possible"):
        appointments.reschedule(
            session, settings, None, moved, _free_on(session, settings, moved.referral, dt.date(2026, 11, 30))
        )
    session.rollback()
    session.expire_all()
    assert moved.table_start == was and _counts(session) == rows
    target = _free_on(session, settings, moved.referral, dt.date(2026, 12, 1))
    appointments.reschedule(session, settings, None, moved, target)
    assert _local_day(moved) == dt.date(2026, 12, 1)
    # moving an appointment within its own week is no clash with itself
    appointments.reschedule(
        session, settings, None, moved, _free_on(session, settings, moved.referral, dt.date(2026, 12, 2))
    )
    assert _local_day(moved) == dt.date(2026, 12, 2)


def test_a_cancelled_prt_does_not_count(session, settings, clinic):
    patient = make_patient(session)
    first = _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    appointments.cancel(session, settings, None, first, "Patient hat abgesagt")
    second = _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY + dt.timedelta(days=2))
    assert second.status == "booked"


def test_a_procedure_without_steroid_does_not_count(session, settings, clinic):
    patient = make_patient(session)
    diagnostic = make_ready_referral(session, clinic, patient, code="FACET", stage="diagnostic")
    _book_on(session, settings, diagnostic, TUESDAY)
    prt = _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY + dt.timedelta(days=1))
    assert prt.status == "booked"
    # a therapeutic facet block gives a steroid: it counts
    therapeutic = make_ready_referral(session, clinic, patient, code="FACET", stage="therapeutic")
    with pytest.raises(TooSoonForSteroid):
        _book_on(session, settings, therapeutic, TUESDAY + dt.timedelta(days=3))


def test_another_patient_does_not_count(session, settings, clinic):
    _book_on(session, settings, make_ready_referral(session, clinic), TUESDAY)
    assert _book_on(session, settings, make_ready_referral(session, clinic), TUESDAY).status == "booked"


def test_the_finder_offers_no_time_within_the_week(session, settings, clinic):
    patient = make_patient(session)
    _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    second = make_ready_referral(session, clinic, patient)
    offered = first_candidates(session, settings, second, limit=200)
    # 23 November lies before Tuesday's PRT, but within six days of it too
    assert min(to_local(c.table_start, ZONE).date() for c in offered) == dt.date(2026, 12, 1)
    # a procedure without steroid is offered every day
    facet = make_ready_referral(session, clinic, patient, code="FACET", stage="diagnostic")
    assert to_local(first_candidates(session, settings, facet)[0].table_start, ZONE).date() == dt.date(2026, 11, 23)


def test_a_history_read_once_blocks_the_same_days_and_must_be_the_patients(session, settings, clinic):
    """The booking page reads the patient's injections once and hands them to the finder: the same days are
    kept free as when the finder reads them; a history of another patient, or one starting too late, is a
    mistake, not an empty history."""
    patient = make_patient(session)
    _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    second = make_ready_referral(session, clinic, patient)
    plan = ProcedurePlan.from_referral(second)
    today = dt.date(2026, 11, 23)
    history = steroid.read_history(session, ZONE, steroid.Planned.of(patient.id, plan), today - dt.timedelta(days=365))
    assert [given.day for given in history.given] == [TUESDAY]
    assert steroid.blocked_days(history, today) == frozenset(
        TUESDAY + dt.timedelta(days=offset) for offset in range(-6, 7)
    )

    def first_day(handed_in: steroid.History | None) -> dt.date:
        request = SearchRequest(
            plan, today, today + dt.timedelta(days=14), patient_id=patient.id, limit=1, steroid_history=handed_in
        )
        return to_local(find_candidates(session, settings, request)[0].table_start, ZONE).date()

    assert first_day(history) == first_day(None) == dt.date(2026, 12, 1)
    other = steroid.read_history(session, ZONE, steroid.Planned.of(patient.id + 1, plan), today)
    with pytest.raises(ValueError, match="not of this patient"):
        first_day(other)
    with pytest.raises(ValueError, match="the history starts on"):
        steroid.series_notes(steroid.History(history.planned, ZONE, today), local_instant(today, dt.time(9), ZONE))


def test_the_booking_screen_refuses_in_german_and_keeps_the_page(session, settings, browser, clinic):
    patient = make_patient(session)
    first = _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    second = make_ready_referral(session, clinic, patient)
    make_user(session, "desk_de", {"front_desk"}, language="de")
    session.commit()
    rows = _counts(session)
    browser.login("desk_de")
    page = f"/desk/referrals/{second.id}/book"
    shown = browser.get(page).get_data(as_text=True)
    assert (
        f"Am 24.11.2026 ist für diese Person eine Steroidinjektion eingetragen (Terminnummer {first.reference})"
        in shown
    )
    assert "Vom 23.11.2026 bis 30.11.2026 werden keine Zeiten angeboten" in shown
    too_soon = _free_on(session, settings, second, TUESDAY + dt.timedelta(days=6))
    answer = browser.post(page, chain_form(too_soon), form_page=page)
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert (
        f"Am 24.11.2026 ist für diese Person bereits eine Steroidinjektion eingetragen (Terminnummer "
        f"{first.reference}). Zwischen Steroidinjektionen liegen mindestens 7 Tage: Vom 18.11.2026 bis "
        "30.11.2026 ist kein Termin möglich." in text
    )
    assert 'name="earliest_date"' in text and 'name="table_start"' in text  # the search and the times again
    assert _counts(session) == rows


def test_the_move_screen_refuses_and_keeps_the_page(session, settings, browser, clinic):
    patient = make_patient(session)
    _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    moved = _book_on(session, settings, make_ready_referral(session, clinic, patient), dt.date(2026, 12, 8))
    session.commit()
    was = moved.table_start
    browser.login("frontdesk")
    page = f"/desk/appointments/{moved.id}/reschedule"
    target = _free_on(session, settings, moved.referral, TUESDAY + dt.timedelta(days=6))
    answer = browser.post(page, chain_form(target, "move"), form_page=page)
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert (
        "Steroid injections are kept at least 7 days apart: no day from 18.11.2026 to 30.11.2026 is possible." in text
    )
    assert 'name="earliest_date"' in text
    session.expire_all()
    assert session.get(Appointment, moved.id).table_start == was


def test_the_api_refuses_with_422_json(session, settings, app, clinic):
    patient = make_patient(session)
    first = _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    second = make_ready_referral(session, clinic, patient)
    moved = _book_on(session, settings, make_ready_referral(session, clinic, patient), dt.date(2026, 12, 8))
    token = accounts.issue_token(session, clinic.staff["frontdesk"], "tests")
    session.commit()
    rows = _counts(session)
    api = Api(app.test_client(), token)
    too_soon = _free_on(session, settings, second, TUESDAY + dt.timedelta(days=6))
    answer = api.post("/appointments", {"referral_id": second.id, **chain_json(too_soon)})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"]["code"] == "steroid_interval" and body["error"]["details"]["earliest_day"] == "2026-12-01"
    assert first.reference in body["error"]["message"]
    answer = api.post(f"/appointments/{moved.id}/reschedule", chain_json(too_soon))
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (422, "steroid_interval")
    assert _counts(session) == rows


def test_more_than_four_steroid_injections_in_a_year_are_a_warning(session, settings, browser, clinic):
    patient = make_patient(session)
    for day in (dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 8, 3), dt.date(2026, 10, 5)):
        _book_past(session, make_ready_referral(session, clinic, patient), day)
    _book_past(session, make_ready_referral(session, clinic, patient), dt.date(2025, 11, 3))  # over a year ago
    fifth = make_ready_referral(session, clinic, patient)
    session.commit()
    browser.login("frontdesk")
    warning = "steroid injection number 5 within 12 months (more than 4 a year is not advised)"
    assert "This would be the patient's " + warning in html.unescape(
        browser.get(f"/desk/referrals/{fifth.id}/book").get_data(as_text=True)
    )
    appointment = _book_on(session, settings, fifth, TUESDAY)
    session.commit()
    # once booked, it is said of the appointment as it is (a walk read "this would be" on a booked one)
    booked_page = html.unescape(browser.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True))
    assert "This is the patient's " + warning in booked_page and "This would be" not in booked_page
    # the fourth is no warning
    other = make_patient(session)
    for day in (dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 8, 3)):
        _book_past(session, make_ready_referral(session, clinic, other), day)
    fourth = _book_on(session, settings, make_ready_referral(session, clinic, other), TUESDAY)
    session.commit()
    assert "within 12 months" not in browser.get(f"/desk/appointments/{fourth.id}").get_data(as_text=True)


def test_an_rfa_within_six_months_of_another_is_a_warning(session, settings, browser, clinic):
    patient = make_patient(session)
    earlier = _book_past(session, make_ready_referral(session, clinic, patient, code="RFA"), dt.date(2026, 8, 3))
    again = make_ready_referral(session, clinic, patient, code="RFA")
    # the positive diagnostic block the RFA needs first is not this test's
    rfa = book(session, settings, again, _free_on(session, settings, again, TUESDAY), check_readiness=False)
    session.commit()
    browser.login("frontdesk")
    text = browser.get(f"/desk/appointments/{rfa.id}").get_data(as_text=True)
    assert (
        f"The patient had a radiofrequency ablation on 03.08.2026 (reference {earlier.reference}), less than 6 "
        "months before this one" in text
    )
    # seven months before: no warning
    other = make_patient(session)
    _book_past(session, make_ready_referral(session, clinic, other, code="RFA"), dt.date(2026, 4, 20))
    again = make_ready_referral(session, clinic, other, code="RFA")
    later = book(session, settings, again, _free_on(session, settings, again, TUESDAY), check_readiness=False)
    session.commit()
    assert "radiofrequency ablation on" not in browser.get(f"/desk/appointments/{later.id}").get_data(as_text=True)


def test_the_triage_page_names_the_patients_earlier_steroid_injections_and_rfa(session, settings, browser, clinic):
    patient = make_patient(session)
    for day in (dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 8, 3)):
        _book_past(session, make_ready_referral(session, clinic, patient), day)
    _book_past(session, make_ready_referral(session, clinic, patient, code="RFA"), dt.date(2026, 10, 5))
    referral = make_referral(session, patient)
    make_user(session, "rad_de", {"radiologist"}, language="de")
    session.commit()
    browser.login("rad_de")
    page = f"/radiology/referrals/{referral.id}"
    text = browser.get(page).get_data(as_text=True)
    assert "Für diese Person ist am 05.10.2026 eine Radiofrequenzablation erfolgt oder gebucht" in text
    assert "Steroidinjektionen" not in text  # three: a fourth would be within the limit
    _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    session.commit()
    text = browser.get(page).get_data(as_text=True)
    assert "innerhalb von 12 Monaten 4 Steroidinjektionen gegeben oder gebucht (die letzte am 24.11.2026)" in text


def test_a_day_the_interval_keeps_free_says_so_for_that_day(session, settings, browser, clinic):
    """The move screen's single day (``?day=``) inside another injection's week: the page said "no free time in
    the next eight weeks … put the patient on the waitlist" for one day of an appointment already booked."""
    patient = make_patient(session)
    _book_on(session, settings, make_ready_referral(session, clinic, patient), TUESDAY)
    moved = _book_on(session, settings, make_ready_referral(session, clinic, patient), dt.date(2026, 12, 8))
    session.commit()
    browser.login("frontdesk")
    page = f"/desk/appointments/{moved.id}/reschedule"
    text = browser.get(page + "?day=2026-11-27").get_data(as_text=True)
    assert "No free time on 27.11.2026 with these preferences." in text
    assert "eight weeks" not in text and "waitlist" not in text.split("No free time on")[1][:200]
    assert "no times are offered from" in text  # the note above says why


def test_the_triage_page_counts_the_referrals_own_appointment_once(session, settings, app, clinic):
    """Walk finding: the triage page of a booked referral counted its own appointment among the patient's
    injections and then warned of "a further one", as if this one came on top."""
    patient = make_patient(session)
    for day in (dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 8, 3)):
        _book_past(session, make_ready_referral(session, clinic, patient), day)
    referral = make_ready_referral(session, clinic, patient)
    own = _book_on(session, settings, referral, TUESDAY)
    make_user(session, "rad_de", {"radiologist"}, language="de")
    make_user(session, "rad_en", {"radiologist"}, language="en")
    session.commit()
    page = f"/radiology/referrals/{referral.id}"
    english, german = logged_in(app, "rad_en", "rad_de")
    # three others and this one: four, within the limit (the old note said "4 … a further one would be more")
    assert "steroid injections" not in english.get(page).get_data(as_text=True)
    assert "Steroidinjektionen" not in german.get(page).get_data(as_text=True)
    _book_past(session, make_ready_referral(session, clinic, patient), dt.date(2026, 10, 5))
    session.commit()
    # four others and this one: five, this one counted once and named
    text = html.unescape(english.get(page).get_data(as_text=True))
    assert (
        f"With this referral's appointment on 24.11.2026 (reference {own.reference}), the patient has had or is "
        "booked for 5 steroid injections within 12 months (more than 4 a year is not advised): a radiologist "
        "decides whether this one is still right." in text
    )
    assert "a further one" not in text and "6 steroid" not in text
    text = html.unescape(german.get(page).get_data(as_text=True))
    assert (
        f"Mit dem Termin dieser Überweisung am 24.11.2026 (Terminnummer {own.reference}) sind für diese Person "
        "innerhalb von 12 Monaten 5 Steroidinjektionen gegeben oder gebucht (mehr als 4 im Jahr werden nicht "
        "empfohlen): Ein Radiologe entscheidet, ob dieser Termin noch richtig ist." in text
    )
    assert "Eine weitere" not in text


def test_the_german_series_notes_do_not_presume_the_patients_gender(session, settings, app, clinic):
    """Walk finding: "Der Patient …" / "des Patienten" in the warnings, for every patient; they now say
    "diese Person", as the interval's refusal does. The English notes say "the patient" still."""
    patient = make_patient(session, sex="female")
    for day in (dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 8, 3), dt.date(2026, 10, 5)):
        _book_past(session, make_ready_referral(session, clinic, patient), day)
    fifth = make_ready_referral(session, clinic, patient)
    earlier = _book_past(session, make_ready_referral(session, clinic, patient, code="RFA"), dt.date(2026, 9, 7))
    again = make_ready_referral(session, clinic, patient, code="RFA")
    rfa = book(session, settings, again, _free_on(session, settings, again, TUESDAY), check_readiness=False)
    make_user(session, "desk_de", {"front_desk"}, language="de")
    make_user(session, "desk_en", {"front_desk"}, language="en")
    session.commit()
    german, english = logged_in(app, "desk_de", "desk_en")

    def notes(browser, page: str) -> str:
        text = html.unescape(browser.get(page).get_data(as_text=True))
        return text.split('id="series-notes">', 1)[1].split("</div>", 1)[0]  # the notes' box

    booking_page = notes(german, f"/desk/referrals/{fifth.id}/book")
    assert (
        "Für diese Person wäre das die 5. Steroidinjektion innerhalb von 12 Monaten (mehr als 4 im Jahr werden "
        "nicht empfohlen)" in booking_page
    )
    appointment_page = notes(german, f"/desk/appointments/{rfa.id}")
    assert (
        f"Für diese Person gab es am 07.09.2026 eine Radiofrequenzablation (Terminnummer {earlier.reference}), "
        "weniger als 6 Monate vor dieser" in appointment_page
    )
    appointment = _book_on(session, settings, fifth, dt.date(2026, 12, 7))
    session.commit()
    booked = notes(german, f"/desk/appointments/{appointment.id}")
    assert "Für diese Person ist dies die 5. Steroidinjektion innerhalb von 12 Monaten" in booked
    for text in (booking_page, appointment_page, booked):
        assert "Der Patient" not in text and "des Patienten" not in text
    english_text = html.unescape(english.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True))
    assert "This is the patient's steroid injection number 5 within 12 months" in english_text


def test_a_closed_referral_does_not_warn_of_a_repeat_of_its_own_rfa(session, settings, browser, clinic):
    """Walk finding (5 December): the triage page of a closed referral (its RFA done on 03.11.2026) warned that
    "another within 6 months of it is a repeat to decide on", of its own finished RFA. A referral that ended
    plans no injection: no notes. An open referral of the same patient still gets the note."""
    from clinic.models.vocab import AppointmentStatus
    from clinic.services import episodes

    patient = make_patient(session)
    done = make_ready_referral(session, clinic, patient, code="RFA")
    rfa = _book_past(session, done, dt.date(2026, 11, 3))
    rfa.status = AppointmentStatus.DISCHARGED  # the day went by as planned
    episodes.close(session, clinic.radiologists[0], done, "Treatment finished")
    session.commit()
    assert rfa.referral_id == done.id and done.has_ended
    browser.login("rad1")
    assert "radiofrequency ablation on" not in browser.get(f"/radiology/referrals/{done.id}").get_data(as_text=True)

    new = make_referral(session, patient)
    session.commit()
    text = browser.get(f"/radiology/referrals/{new.id}").get_data(as_text=True)
    assert "The patient has had or is booked for a radiofrequency ablation on 03.11.2026" in text
