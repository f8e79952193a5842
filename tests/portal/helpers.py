"""Helpers for the patient link's tests: a link for a referral, and a patient's browser (test client)."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from clinic.portal import access
from clinic.services import portal_links, portal_settings
from tests.conftest import csrf_from

ALL_STEPS = set(portal_settings.PortalStep.values())


def open_portal(session, steps=ALL_STEPS) -> None:
    portal_settings.put(session, set(steps))


def link_for(session, referral, actor=None) -> tuple[object, str]:
    """The referral's link and its token, as the front desk would send it."""
    secret = current_app.config["SECRET_KEY"]
    link = portal_links.ensure(session, actor, referral, secret)
    return link, portal_links.token_of(link, secret)


class Patient:
    """A patient at their phone: opens the link, gives the date of birth, fills in forms."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token
        self.base = f"/p/{token}"

    def open(self, birth_date: dt.date, *, follow: bool = False):
        page = self.client.get(self.base)
        if page.status_code != 200:
            return page
        return self.client.post(
            self.base,
            data={
                "day": birth_date.day,
                "month": birth_date.month,
                "year": birth_date.year,
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
            follow_redirects=follow,
        )

    def get(self, path: str = "/home", **kwargs):
        return self.client.get(self.base + path, **kwargs)

    def post(self, path: str, data: dict | None = None, *, form_page: str | None = None, **kwargs):
        page = self.client.get(self.base + (form_page or path), follow_redirects=True)
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_from(page.get_data(as_text=True)))
        return self.client.post(self.base + path, data=data, **kwargs)


def opened(app, token: str, birth_date: dt.date) -> Patient:
    """The patient at a browser of their own, through the date-of-birth check onto their page."""
    patient = Patient(app.test_client(), token)
    assert patient.open(birth_date).status_code == 302
    return patient


def candidate_from(signed: str, app):
    """The chain a signed choice on the patient's page stands for (what the desk would see)."""
    with app.app_context():
        return access.unsign_candidate(signed)[1]
