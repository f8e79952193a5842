"""German walk finding: two desks had the booking page of one referral open; B booked a time; A then chose a
time and was refused ("Für diese Überweisung besteht bereits ein Termin …"), but the refusal listed times
again, each with a "Termin vergeben" button that could only be refused too, and the menu marked another
section than the booking page's. Refused, A is sent where a GET of the booking page sends: to the move page
of the appointment B made, with the refusal, a link to that appointment and no booking buttons; the menu
marks one section, the same for both."""

from __future__ import annotations

import html as markup
import re
import threading
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from clinic.models import Appointment
from clinic.models.vocab import Role
from tests.conftest import ZONE, csrf_from, logged_in
from tests.factories import book, build_clinic, make_ready_referral, make_user
from tests.scheduling.helpers import chain_form, first_candidates

ACTIVE_NAV = re.compile(r'<a class="nav-link active" href="([^"]*)"')
BOOK_BUTTON = re.compile(r'<button[^>]*name="action" value="book"[^>]*>\s*Termin vergeben')


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _landing(browser, response) -> tuple[str, str]:
    """Where a redirect sends the browser, and that page."""
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    return location, _text(browser.get(location))


def test_a_time_chosen_after_a_colleague_booked_the_referral_opens_that_appointment(app, session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    session.commit()
    (desk_a,) = logged_in(app, "desk_de")
    path = f"/desk/referrals/{referral.id}/book"
    finder = _text(desk_a.get(path))
    assert BOOK_BUTTON.search(finder)
    assert ACTIVE_NAV.findall(finder) == ["/desk/referrals"]  # one section: the referrals'

    first, second = first_candidates(session, settings, referral, limit=2)
    theirs = book(session, settings, referral, first)  # desk B, meanwhile
    session.commit()
    when = theirs.table_start.astimezone(ZoneInfo(ZONE)).strftime("%d.%m.%Y %H:%M")

    refused = desk_a.post(f"{path}?part_of_day=morning", {**chain_form(second), "csrf_token": csrf_from(finder)})
    location, page = _landing(desk_a, refused)
    assert location.endswith(f"/desk/appointments/{theirs.id}/reschedule?part_of_day=morning")
    assert (
        f"Für diese Überweisung besteht bereits ein Termin am {when} (Terminnummer {theirs.reference}). "
        "Verlegen Sie diesen, um die Zeit zu ändern." in page
    )
    assert not BOOK_BUTTON.search(page) and 'value="hold"' not in page
    assert f'href="/desk/appointments/{theirs.id}"' in page and f"Termin {theirs.reference}" in page
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Appointment)) == 1

    # The booking page opened now (GET) goes to the same page, with the same section marked in the menu.
    opened_location, opened = _landing(desk_a, desk_a.get(path))
    assert opened_location.endswith(f"/desk/appointments/{theirs.id}/reschedule")
    assert not BOOK_BUTTON.search(opened)
    assert ACTIVE_NAV.findall(page) == ACTIVE_NAV.findall(opened) == ["/desk/"]


def test_the_refused_hold_of_a_booked_referral_opens_that_appointment_too(app, session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    session.commit()
    (desk_a,) = logged_in(app, "frontdesk")
    path = f"/desk/referrals/{referral.id}/book"
    finder = _text(desk_a.get(path))
    first, second = first_candidates(session, settings, referral, limit=2)
    theirs = book(session, settings, referral, first)
    session.commit()

    refused = desk_a.post(path, {**chain_form(second, "hold"), "csrf_token": csrf_from(finder)})
    location, page = _landing(desk_a, refused)
    assert location.endswith(f"/desk/appointments/{theirs.id}/reschedule")
    assert "This referral already has an appointment on" in page and theirs.reference in page
    assert 'value="hold"' not in page and "Hold the time" not in page


def test_two_desks_booking_one_referral_at_once_make_one_appointment_and_the_other_is_sent_to_it(
    app, session, settings
):
    """At the same moment: the later request waits for the first (the patient's lock on PostgreSQL, the write
    lock on SQLite) and is refused by the service, or by the page's own check; either way it is sent to the
    appointment the first made, never shown bookable times again."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    found = first_candidates(session, settings, referral, limit=60)
    one = found[0]
    other = next(c for c in found if c.table_start >= one.obs_end)  # apart: only the referral's rule refuses
    session.commit()
    desks = logged_in(app, "frontdesk", "frontdesk")
    path = f"/desk/referrals/{referral.id}/book"
    forms = [
        {**chain_form(c), "csrf_token": csrf_from(_text(desk.get(path)))}
        for desk, c in zip(desks, (one, other), strict=True)
    ]
    session.close()  # SQLite: no open transaction of the test may hold the lock the requests need
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def post(i: int) -> None:
        barrier.wait(timeout=30)
        answers[i] = desks[i].client.post(path, data=forms[i])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"

    (appointment,) = session.scalars(select(Appointment)).all()
    locations = sorted(a.headers.get("Location", str(a.status_code)) for a in answers)
    assert [a.status_code for a in answers] == [302, 302]
    assert locations[0].endswith(f"/desk/appointments/{appointment.id}")
    assert locations[1].endswith(f"/desk/appointments/{appointment.id}/reschedule")
