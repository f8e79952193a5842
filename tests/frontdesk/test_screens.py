"""The front desk's screens: intake with duplicate check, booking with conflicts, check-in, cancel."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

import pytest
from sqlalchemy import func, select

from clinic.core.timefmt import to_local
from clinic.models import Appointment, Patient, Referral
from tests.conftest import NOW, ZONE, Browser
from tests.factories import (
    add_to_waitlist,
    at_front_desk,
    book,
    build_clinic,
    make_patient,
    make_ready_referral,
    make_user,
)
from tests.scheduling.helpers import chain_form, first_candidates

from .helpers import hold_on_the_booking_page, referral_form, refused_intake


def test_intake_creates_patient_and_referral_and_warns_of_duplicates(session, browser):
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    response = browser.post("/desk/referrals/new", referral_form())
    assert response.status_code == 302
    referral = session.scalar(select(Referral))
    assert referral.patient.family_name == "Søndergaard" and set(referral.treatments) == {"nsaids", "physiotherapy"}
    assert referral.referring_physician.name == "Dr. Kühn"
    again = browser.post("/desk/referrals/new", referral_form(family_name="SONDERGAARD"))
    assert again.status_code == 409
    assert "Is this one of these patients?" in again.get_data(as_text=True)
    assert session.scalar(select(func.count(Patient.id))) == 1
    confirmed = browser.post("/desk/referrals/new", referral_form(confirm_new_patient="y"))
    assert confirmed.status_code == 302
    assert session.scalar(select(func.count(Patient.id))) == 2


def test_intake_form_errors_change_nothing(session, browser):
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    data = referral_form(clinical_question="", birth_date="2099-01-01")
    del data["flag_tumour"]
    html = refused_intake(browser, data)
    assert "Answer this question." in html and "This date lies in the future." in html
    assert session.scalar(select(func.count(Referral.id))) == 0
    assert session.scalar(select(func.count(Patient.id))) == 0


def test_an_incomplete_preregistration_offers_no_times_and_says_what_is_missing(session, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, escort_name=None)
    session.commit()
    browser.login("frontdesk")
    page = browser.get(f"/desk/referrals/{referral.id}/book").get_data(as_text=True)
    assert "cannot be booked yet" in page and "Escort home arranged" in page
    assert 'value="book"' not in page


def test_book_then_someone_else_is_told_and_shown_new_times(session, settings, browser):
    clinic = build_clinic(session)
    first, second = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    page = browser.get(f"/desk/referrals/{first.id}/book").get_data(as_text=True)
    offered = re.findall(r'name="table_start" value="([^"]+)"', page)
    assert offered, "the booking page offers times"
    c = first_candidates(session, settings, first)[0]
    # Another desk books the same chain first (through the service, as a second session would).
    book(session, settings, second, c)
    session.commit()
    response = browser.post(
        f"/desk/referrals/{first.id}/book", chain_form(c), form_page=f"/desk/referrals/{first.id}/book"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    # said once (the walk found the flash and a second box saying the same), with the next free times
    assert html.count("no longer free") == 1 and "Here are the next free times." in html
    offered_chains = re.findall(
        r'name="room_id" value="(\d+)">\s*<input type="hidden" name="radiologist_id" value="(\d+)">'
        r'.*?name="table_start" value="([^"]+)"',
        html,
        re.S,
    )
    assert offered_chains and (str(c.room_id), str(c.radiologist_id), c.table_start.isoformat()) not in offered_chains
    fresh = re.search(r'name="table_start" value="([^"]+)"', html).group(1)
    later = next(x for x in first_candidates(session, settings, first) if x.table_start.isoformat() == fresh)
    done = browser.post(
        f"/desk/referrals/{first.id}/book", chain_form(later), form_page=f"/desk/referrals/{first.id}/book"
    )
    assert done.status_code == 302 and "/desk/appointments/" in done.headers["Location"]


def test_hold_confirm_check_in_calendar_and_cancel_with_waitlist_offer(app, session, settings, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    waiting = make_ready_referral(session, clinic)
    add_to_waitlist(session, waiting, dt.date(2026, 11, 1))
    session.commit()
    browser.login("frontdesk")
    c = first_candidates(session, settings, referral)[0]
    hold_page = hold_on_the_booking_page(session, settings, browser, referral, c)
    confirmed = browser.post(hold_page, {"action": "confirm"})
    appointment = session.scalar(select(Appointment))
    assert confirmed.headers["Location"].endswith(f"/desk/appointments/{appointment.id}")
    calendar = browser.get("/desk/calendar?day=2026-11-23").get_data(as_text=True)
    assert referral.patient.display_name in calendar
    cancelled = browser.post(f"/desk/appointments/{appointment.id}/cancel", {"reason": "Patient is ill"})
    assert cancelled.status_code == 302
    html = browser.get(cancelled.headers["Location"]).get_data(as_text=True)
    assert "Waitlist patients for the freed time" in html
    assert waiting.patient.display_name in html
    offer = re.search(r'action="(/desk/waitlist/\d+/book)"(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', offer.group(2)))
    fields.pop("csrf_token")
    held_offer = browser.post(offer.group(1), fields, form_page="/desk/")
    assert held_offer.status_code == 302 and "/desk/holds/" in held_offer.headers["Location"]
    assert browser.post(held_offer.headers["Location"], {"action": "confirm"}).status_code == 302
    session.expire_all()
    rebooked = session.scalar(select(Appointment).where(Appointment.referral_id == waiting.id))
    assert rebooked.table_start == c.table_start


def test_check_in_by_scanned_reference(app, session, settings, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral)
    session.commit()
    browser.login("frontdesk")
    wrong = browser.post("/desk/check-in", {"reference": "XXXX-0000"})
    assert wrong.status_code == 422 and "No appointment today" in wrong.get_data(as_text=True)
    right = browser.post("/desk/check-in", {"reference": appointment.reference.lower()})
    assert right.status_code == 302
    session.refresh(appointment)
    assert appointment.status == "checked_in"


def test_patient_edit_validates(session, browser):
    build_clinic(session)
    patient = make_patient(session)
    session.commit()
    browser.login("frontdesk")
    bad = browser.post(
        f"/desk/patients/{patient.id}/edit",
        {
            "family_name": "",
            "given_name": "X",
            "birth_date": "1960-01-01",
            "email": "not-an-email",
            "sex": "female",
            "preferred_language": "de",
        },
    )
    assert bad.status_code == 422 and "This is not a valid email address" in bad.get_data(as_text=True)


def test_the_intake_form_dates_by_the_clinics_clock(session, browser):
    """The form's 'received on' starts at the clinic's today and refuses later days by the same clock as
    the service (the tests pin it to Monday 23 November; the machine's own date is another day)."""
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    today = to_local(NOW, ZONE).date()
    page = browser.client.get("/desk/referrals/new").get_data(as_text=True)
    assert re.search(rf'id="received_on"[^>]*value="{today.isoformat()}"', page)
    later = browser.post("/desk/referrals/new", referral_form(received_on=(today + dt.timedelta(days=2)).isoformat()))
    assert "This date lies in the future." in later.get_data(as_text=True)
    assert session.scalar(select(func.count(Referral.id))) == 0
    on_the_day = browser.post("/desk/referrals/new", referral_form(received_on=today.isoformat()))
    assert on_the_day.status_code == 302


def test_a_hold_confirmed_twice_shows_the_appointment_it_became(session, settings, browser):
    """The confirmation sent a second time (a double click, a reloaded page) is refused and leads to the
    appointment the first one made, not to a booking page that would offer the patient more times."""
    _, referral = at_front_desk(session, browser)
    hold_page = hold_on_the_booking_page(session, settings, browser, referral)
    token = browser.token(hold_page)
    first = browser.post(hold_page, {"action": "confirm", "csrf_token": token})
    again = browser.post(hold_page, {"action": "confirm", "csrf_token": token})
    appointment = session.scalar(select(Appointment))
    assert first.headers["Location"].endswith(f"/desk/appointments/{appointment.id}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/desk/appointments/{appointment.id}")
    assert session.scalar(select(func.count(Appointment.id))) == 1
    page = browser.get(again.headers["Location"]).get_data(as_text=True)
    assert "This hold has already been booked." in page
    # The back button to the hold's page (walk finding: "Time held for …" beside "Already booked."): the
    # appointment it became.
    back = browser.get(hold_page)
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/desk/appointments/{appointment.id}")
    assert "This held time is booked: here is the appointment." in browser.get(back.headers["Location"]).get_data(
        as_text=True
    )


@pytest.mark.parametrize("phone", ["abc", "Tom's mobile", "12", "040 123<b>"])
def test_an_escort_phone_that_is_no_number_is_refused_and_nothing_saved(session, browser, phone):
    """Walk finding 5: "abc" was saved as the escort's phone, the number the nurse calls at discharge."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, escort_phone=None)
    session.commit()
    browser.login("frontdesk")
    page = f"/desk/referrals/{referral.id}"
    answer = browser.post(
        f"/desk/referrals/{referral.id}/escort",
        {"escort-name": "Tom Walker", "escort-phone": phone},
        form_page=page,
        follow_redirects=True,
    )
    html = answer.get_data(as_text=True)
    assert "telephone number" in html
    assert 'id="i-esc" class="accordion-collapse collapse show"' in html  # the section stays open
    session.expire_all()
    assert referral.preregistration.escort_phone is None


def test_a_real_escort_phone_is_kept_as_typed(session, browser):
    _, referral = at_front_desk(session, browser)
    browser.post(
        f"/desk/referrals/{referral.id}/escort",
        {"escort-name": "Tom Walker", "escort-phone": " 0171  234 5678 "},
        form_page=f"/desk/referrals/{referral.id}",
    )
    session.expire_all()
    assert referral.preregistration.escort_phone == "0171 234 5678"


PATIENT_FIELDS = (
    "family_name", "given_name", "birth_date", "sex", "phone", "email", "street", "postal_code", "city",
    "insurance_name", "insurance_number", "preferred_language",
)  # fmt: skip


def test_a_second_referral_for_a_registered_patient_is_taken(session, browser):
    """Walk finding 24: the form for a known patient was always refused ("Please correct the marked
    fields", nothing marked): the date of birth was required from the post, which does not carry it."""
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    assert browser.post("/desk/referrals/new", referral_form()).status_code == 302
    patient = session.scalars(select(Patient)).one()
    path = f"/desk/patients/{patient.id}/referrals/new"
    page = browser.get(path).get_data(as_text=True)
    assert "New referral for Søndergaard, Bjørn" in page
    data = {
        k: v for k, v in referral_form(clinical_question="Facet pain L4/5 right").items() if k not in PATIENT_FIELDS
    }
    answer = browser.post(path, {**data, "patient_id": str(patient.id)}, form_page=path)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert session.scalar(select(func.count(Referral.id)).where(Referral.patient_id == patient.id)) == 2
    assert session.scalar(select(func.count(Patient.id))) == 1


def test_use_this_patient_saves_the_typed_referral_for_the_registered_patient(session, browser):
    """Walk finding 22: after the duplicate check, "Use this patient" posts the referral as typed (it was a
    link to an empty form for that patient)."""
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    assert browser.post("/desk/referrals/new", referral_form()).status_code == 302
    known = session.scalar(select(Patient))
    again = browser.post(
        "/desk/referrals/new", referral_form(family_name="SONDERGAARD", clinical_question="C6 radicular pain right")
    )
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert f'name="use_patient" value="{known.id}"' in html and 'form="referral-form"' in html
    used = browser.post(
        "/desk/referrals/new",
        referral_form(family_name="SONDERGAARD", clinical_question="C6 radicular pain right", use_patient=known.id),
    )
    assert used.status_code == 302
    assert session.scalar(select(func.count(Patient.id))) == 1
    second = session.scalar(select(Referral).order_by(Referral.id.desc()))
    assert second.patient_id == known.id and second.clinical_question == "C6 radicular pain right"
    assert known.family_name == "Søndergaard"  # the registered patient's details are not overwritten


def test_a_refused_referral_names_the_letter_to_choose_again_and_keeps_no_file(session, browser, app):
    """Walk finding 2: a browser cannot refill a file field; the refused form says which letter to choose
    again, and nothing of it is stored."""
    import io
    from pathlib import Path

    from clinic.models import StoredFile

    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    data = referral_form(clinical_question="")
    data["letter"] = (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "ueberweisung-mueller.pdf")
    html = refused_intake(browser, data)
    assert "ueberweisung-mueller.pdf" in html and "choose it again" in html
    assert session.scalar(select(func.count(StoredFile.id))) == 0
    assert session.scalar(select(func.count(Referral.id))) == 0
    storage = Path(app.config["UPLOAD_DIR"])
    assert not storage.exists() or not any(p.is_file() for p in storage.rglob("*"))


def test_a_held_time_is_found_from_the_referral_page(session, settings, browser):
    """Walk finding 6: a time the desk held (while phoning the patient) could only be found through the
    page the hold led to; the referral page now lists it until it is booked, released or lapsed."""
    _, referral = at_front_desk(session, browser)
    hold_page = hold_on_the_booking_page(session, settings, browser, referral)
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert f'href="{hold_page}"' in page and "Time held:" in page
    token = browser.token(hold_page)
    assert browser.post(hold_page, {"action": "release", "csrf_token": token}).status_code == 302
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "Time held:" not in page


def test_the_move_page_does_not_offer_the_time_the_appointment_has(session, settings, browser):
    """Walk finding: moving an appointment offered its own time as a time to move to."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    c = first_candidates(session, settings, referral)[0]
    appointment = book(session, settings, referral, c)
    session.commit()
    browser.login("frontdesk")
    page = browser.get(f"/desk/appointments/{appointment.id}/reschedule").get_data(as_text=True)
    offered = re.findall(r'name="table_start" value="([^"]+)"', page)
    assert offered, "the move page offers other times"
    rooms = re.findall(r'name="room_id" value="([^"]+)"', page)
    assert (str(c.room_id), c.table_start.isoformat()) not in set(zip(rooms, offered, strict=True))


@pytest.mark.parametrize(
    ("username", "language", "words"),
    [
        (
            "frontdesk",
            "en",
            ("Which pacemaker or implant", "Needed when “Pacemaker or other implant” is ticked", "say which one"),
        ),
        (
            "empfang",
            "de",
            (
                "Welcher Schrittmacher oder welches Implantat",
                "Nötig, wenn „Herzschrittmacher oder anderes Implantat“ angekreuzt ist",
                "Geben Sie an, welches",
            ),
        ),
    ],
)
def test_the_implant_question_is_marked_required_and_a_tick_without_it_is_refused_at_the_field(
    session, browser, username, language, words
):
    """Walk finding: the implant's name (needed when "Pacemaker or other implant" is ticked: it may rule out
    MRI or ablation) was not marked as the required fields of the page are, and a tick without it was said
    only in a banner. Now it carries the required mark and a hint, and the refusal stands at the field."""
    label, hint, refusal = words
    clinic = build_clinic(session)
    make_user(session, "empfang", {"front_desk"}, "Erika Empfang", language="de")
    referral = make_ready_referral(session, clinic)
    session.commit()
    browser.login(username)
    path = f"/desk/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    star = '<span class="text-danger" aria-hidden="true">*</span>'  # as the page marks its required fields
    assert f'<label class="form-label" for="cond-implant_note">{label}</label> {star}' in page
    assert hint in page.split('id="cond-implant_note"')[1].split('for="cond-note"')[0]

    response = browser.post(
        f"{path}/conditions", {"cond-found": ["diabetes", "implant"], "cond-implant_note": "  "}, form_page=path
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="i-cond" class="accordion-collapse collapse show"' in html  # the section stays open
    assert re.search(r'class="form-control is-invalid" id="cond-implant_note"', html)
    assert refusal in html.split('id="cond-implant_note"')[1].split('for="cond-note"')[0]
    assert re.search(r'checked[^>]*value="diabetes"|value="diabetes"[^>]*checked', html)  # the ticks stay
    session.expire_all()
    assert not referral.preregistration.implant

    response = browser.post(
        f"{path}/conditions",
        {"cond-found": ["implant"], "cond-implant_note": "Pacemaker, MRI conditional"},
        form_page=path,
    )
    assert response.status_code == 302
    session.expire_all()
    assert referral.preregistration.implant and referral.preregistration.implant_note == "Pacemaker, MRI conditional"


def test_calendar_cells_tell_two_patients_of_one_family_name_apart(session, settings, browser):
    """Staff walk: the day calendar's bed cells and the week calendar named the family name only, so two
    patients named Yılmaz on one day looked the same. Both name them "Yılmaz, A." and "Yılmaz, M."."""
    clinic = build_clinic(session)
    booked = []
    for given in ("Ayşe", "Mehmet"):
        patient = make_patient(session, family_name="Yılmaz", given_name=given)
        referral = make_ready_referral(session, clinic, patient)
        booked.append(book(session, settings, referral, first_day=dt.date(2026, 11, 24), days=1, limit=1))
    session.commit()
    browser.login("frontdesk")
    day = browser.get("/desk/calendar?day=2026-11-24").get_data(as_text=True)
    beds = re.findall(r'<td rowspan="\d+" class="cal-obs[^"]*"><a [^>]*>([^<]*)</a>', day)
    assert sorted(beds) == ["Yılmaz, A.", "Yılmaz, M."]
    week = browser.get("/desk/calendar?view=week&day=2026-11-24").get_data(as_text=True)
    for appointment, short in zip(booked, ("Yılmaz, A.", "Yılmaz, M."), strict=True):
        start = week.index(f'href="/desk/appointments/{appointment.id}"')
        assert short in week[start : week.index("</a>", start)]


def _move_forms(page: str) -> list[dict]:
    """The "Move here" forms of a move page, each as the browser would post it."""
    forms = re.findall(r'<form method="post" action="[^"]*/reschedule"[^>]*>(.*?)</form>', page, re.S)
    return [dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)) for form in forms]


def test_a_move_from_a_page_that_shows_an_old_time_is_refused_and_changes_nothing(app, session, settings, browser):
    """Walk finding F-09: two desks opened the move page of the same appointment; the second, still showing
    the old time, moved it again without a word, over the first desk's move the patient had been told.
    The second move is refused (409), naming who moved it and the time it has now; nothing changes. From
    the page shown again (with the current time) it can be moved on purpose."""
    clinic = build_clinic(session)
    make_user(session, "desk2", {"front_desk"}, "Emma Clarke")
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, first_candidates(session, settings, referral)[0])
    session.commit()
    path = f"/desk/appointments/{appointment.id}/reschedule"
    other = Browser(app.test_client())
    browser.login("frontdesk")
    other.login("desk2")
    mine = _move_forms(browser.get(path).get_data(as_text=True))
    theirs = _move_forms(other.get(path).get_data(as_text=True))
    assert len(mine) >= 2 and mine[0]["moving_from"] == appointment.table_start.isoformat()
    assert other.client.post(path, data={**theirs[0], "action": "book"}).status_code == 302
    session.expire_all()
    moved = session.get(Appointment, appointment.id)
    moved_to, events = moved.table_start, len(moved.events)
    assert moved_to.isoformat() == theirs[0]["table_start"]

    stale = next(f for f in mine if f["table_start"] != theirs[0]["table_start"])
    response = browser.client.post(path, data={**stale, "action": "book"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    when = to_local(moved_to, ZONE).strftime("%d.%m.%Y %H:%M")
    assert f"Emma Clarke moved this appointment meanwhile: it is now on {when}. Nothing was changed." in html
    session.expire_all()
    unchanged = session.get(Appointment, appointment.id)
    assert unchanged.table_start == moved_to and len(unchanged.events) == events
    # The page shown again has the current time: moving from it is a decision made knowing it.
    again = _move_forms(html)
    assert again and again[0]["moving_from"] == moved_to.isoformat()
    assert browser.client.post(path, data={**again[0], "action": "book"}).status_code == 302


def test_an_escort_phone_that_is_no_number_is_refused_at_the_phone_field(session, browser):
    """Walk finding: the escort's phone (the number the nurse calls at discharge) was refused in a banner
    above the page only; the refusal stands under the phone field, with what was typed."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, escort_phone=None)
    session.commit()
    browser.login("frontdesk")
    answer = browser.post(
        f"/desk/referrals/{referral.id}/escort",
        {"escort-name": "Tom Walker", "escort-phone": "Toms Handy"},
        form_page=f"/desk/referrals/{referral.id}",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    at = html.index('id="escort-phone"')
    shown = html[html.rindex("<input", 0, at) : html.index("</div>", at)]
    assert "is-invalid" in shown and 'value="Toms Handy"' in shown and "This is not a telephone number" in shown
    assert html.count("This is not a telephone number") == 1, "said in a banner as well"


def test_an_intake_phone_that_is_no_number_is_said_at_its_field_with_the_other_errors(session, browser):
    """Walk finding: the patient's phone was checked only by the service, once every other field was right,
    and then in a banner. It is refused at the phone field together with the form's other errors."""
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    html = refused_intake(browser, referral_form(clinical_question="", phone="Handy der Tochter"))
    question = html[html.index('id="clinical_question"') :]
    assert "This field is required." in question[: question.index("</div>")]  # the other error, shown with it
    at = html.index('id="phone"')
    shown = html[html.rindex("<input", 0, at) : html.index("</div>", at)]
    assert "is-invalid" in shown and "This is not a telephone number" in shown, shown
    assert 'value="Handy der Tochter"' in shown
    assert session.scalar(select(func.count(Referral.id))) == 0


def test_move_here_asks_first(session, settings, browser):
    """Walk finding: "Move here" moved the appointment at one click, without the question other changes of
    a booked appointment ask (static/js/clinic.js asks a button's data-confirm); booking asks none."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, first_candidates(session, settings, referral)[0])
    waiting = make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    page = browser.get(f"/desk/appointments/{appointment.id}/reschedule").get_data(as_text=True)
    buttons = re.findall(r'<button [^>]*value="book"[^>]*>', page)
    assert buttons and all("data-confirm=" in b for b in buttons)
    name = markup.escape(appointment.patient.display_name)
    assert f"Move the appointment of {name} from 23.11.2026" in buttons[0], buttons[0]
    booking = browser.get(f"/desk/referrals/{waiting.id}/book").get_data(as_text=True)
    assert "data-confirm" not in "".join(re.findall(r'<button [^>]*value="book"[^>]*>', booking))


def test_the_time_a_move_frees_is_offered_to_the_waitlist(session, settings, browser):
    """Walk finding: a cancellation offers its freed time to the waitlist, a move did not. After a move the
    desk sees the waitlist patients who could take the old time, as after a cancellation, and holds it."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    first = first_candidates(session, settings, referral)[0]
    appointment = book(session, settings, referral, first)
    waiting = make_ready_referral(session, clinic)
    add_to_waitlist(session, waiting, dt.date(2026, 11, 1))
    session.commit()
    browser.login("frontdesk")
    path = f"/desk/appointments/{appointment.id}/reschedule"
    later = next(
        f for f in _move_forms(browser.get(path).get_data(as_text=True)) if f["table_start"] > first.obs_end.isoformat()
    )
    moved = browser.post(path, later, form_page=path)
    assert moved.status_code == 302 and "/offers?" in moved.headers["Location"], moved.headers["Location"]
    page = browser.get(moved.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Patients on the waitlist can take the old time:" in page
    assert "Freed by moving" in page and "from 23.11.2026" in page
    assert waiting.patient.display_name in page
    offer = re.search(r'action="(/desk/waitlist/\d+/book)"(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', offer.group(2)))
    assert first.table_start.isoformat() <= fields["table_start"] < first.obs_end.isoformat()
    session.expire_all()
    assert session.get(Appointment, appointment.id).table_start.isoformat() == later["table_start"]
    unreadable = browser.get(f"/desk/appointments/{appointment.id}/offers?table_start=gestern&room_id=x")
    assert unreadable.status_code == 400


def test_the_desk_sees_a_booked_patient_past_the_table_start_as_late(session, settings, browser):
    """Walk finding (4 December): at 10:35 the 08:00 patient not yet checked in showed only "Booked" on the
    desk's day, while the radiologist's worklist said "Late: not checked in"."""
    from clinic.core import clock

    clinic = build_clinic(session)
    appointment = book(session, settings, make_ready_referral(session, clinic))
    start = appointment.table_start
    session.commit()
    browser.login("frontdesk")
    clock.pin(start - dt.timedelta(minutes=1))
    assert "Late: not checked in" not in browser.get("/desk/").get_data(as_text=True)
    clock.pin(start + dt.timedelta(minutes=20))
    page = browser.get("/desk/").get_data(as_text=True)
    assert page.count("Late: not checked in") == 1


def test_a_hold_replaced_by_a_colleagues_says_so_and_the_booking_page_shows_the_live_hold(session, settings, browser):
    """Walk 21: a second desk's hold released the first desk's without a word; its "book" then said the hold
    had lapsed, inside its time, and the booking page never showed that a time was held."""
    _, referral = at_front_desk(session, browser)
    first_choice = first_candidates(session, settings, referral)[0]
    first_page = hold_on_the_booking_page(session, settings, browser, referral, first_choice)
    book_page = markup.unescape(browser.get(f"/desk/referrals/{referral.id}/book").get_data(as_text=True))
    assert 'id="live-hold"' in book_page and first_page in book_page and "A new hold releases it." in book_page
    second_choice = first_candidates(session, settings, referral, first_day=dt.date(2026, 11, 25))[0]
    second_page = hold_on_the_booking_page(session, settings, browser, referral, second_choice)
    shown = markup.unescape(browser.get(first_page).get_data(as_text=True))
    assert 'id="hold-replaced"' in shown and second_page in shown and 'value="confirm"' not in shown
    refused = browser.post(first_page, {"action": "confirm"})
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/desk/referrals/{referral.id}/book")
    told = markup.unescape(browser.get(refused.headers["Location"]).get_data(as_text=True))
    assert "A newer hold for this referral replaced this one at" in told and "lapsed" not in told
    assert told.count('id="live-hold"') == 1 and second_page in told
    assert session.scalar(select(func.count(Appointment.id))) == 0
