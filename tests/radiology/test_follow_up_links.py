"""The follow-up call page leads back to the call list and to the patient (walk: it had neither)."""

from __future__ import annotations

import pytest

from tests.factories import build_clinic
from tests.radiology.test_follow_ups import _due_follow_up


@pytest.mark.parametrize("user", ["frontdesk", "rad1"])
def test_the_follow_up_page_links_back_and_to_the_patient(session, settings, browser, user):
    clinic = build_clinic(session)
    follow_up = _due_follow_up(session, settings, clinic)
    session.commit()
    appointment = follow_up.appointment
    browser.login(user)
    page = browser.get(f"/radiology/follow-ups/{follow_up.id}").get_data(as_text=True)
    assert 'href="/radiology/follow-ups">← Back to the follow-up calls</a>' in page
    links = page[page.index('id="follow-up-links"') :][:600]
    assert f'href="/patients/{appointment.patient_id}"' in links
    assert f'href="/desk/appointments/{appointment.id}"' in links
    assert browser.get(f"/patients/{appointment.patient_id}").status_code == 200
