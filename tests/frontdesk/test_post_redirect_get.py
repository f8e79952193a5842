"""Post/redirect/get (issue 21, item 11): a successful action answers with a redirect, so that Back and
Reload never ask to send a form again; the waitlist offers for a freed time stay reachable afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, Response

from clinic.boundary import post_redirect_get_problem
from tests.factories import add_to_waitlist, book, build_clinic, make_patient, make_ready_referral


def _waiting(session, clinic, family_name):
    referral = make_ready_referral(session, clinic, make_patient(session, family_name=family_name))
    add_to_waitlist(session, referral)
    return referral


def test_cancel_redirects_and_the_offers_for_the_freed_time_stay_reachable(session, settings, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 24))
    _waiting(session, clinic, "Wartemann")
    session.commit()
    browser.login("frontdesk")
    cancelled = browser.post(f"/desk/appointments/{appointment.id}/cancel", {"reason": "Patient is ill"})
    assert cancelled.status_code in (302, 303)
    offers_url = f"/desk/appointments/{appointment.id}/offers"
    assert cancelled.headers["Location"].endswith(offers_url)
    offers = browser.get(offers_url).get_data(as_text=True)
    assert "Wartemann" in offers and "/desk/waitlist/" in offers
    # Later, from the appointment and from the waitlist: the same offers, one click away.
    assert offers_url in browser.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True)
    assert offers_url in browser.get("/desk/waitlist").get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "status", "mimetype", "marked", "problem"),
    [
        ("POST", 200, "text/html", False, True),
        ("POST", 302, "text/html", False, False),
        ("POST", 422, "text/html", False, False),  # refused: the page keeps what was typed
        ("POST", 200, "application/pdf", False, False),
        ("POST", 200, "text/html", True, False),  # a search or a secret shown once, marked as such
        ("GET", 200, "text/html", False, False),
    ],
)
def test_a_successful_post_must_answer_with_a_redirect(method, status, mimetype, marked, problem):
    app = Flask(__name__)

    def view():
        return ""

    if marked:
        view.post_page_reason = "a search"
    with app.test_request_context("/x", method=method):
        found = post_redirect_get_problem(view, Response(status=status, mimetype=mimetype))
    assert bool(found) is problem


def test_the_check_runs_in_every_test(app):
    assert app.config["CHECK_POST_REDIRECT_GET"] is True
