"""What every admin screen opened from the Administration page has in common."""

from __future__ import annotations

from flask import url_for

from clinic.admin.routes import ADMIN_SECTIONS


def test_every_screen_of_the_administration_page_leads_back_to_it(app, admin):
    """Walk finding: the audit trail and the outbox had no way back to the Administration page, which
    the other screens have (templates/admin/_page.html)."""
    with app.test_request_context():
        paths = {endpoint: url_for(endpoint) for endpoint, _title, _text in ADMIN_SECTIONS}
    back = '<a href="/admin/">&larr; Administration</a>'
    missing = []
    for endpoint, path in paths.items():
        response = admin.get(path)
        assert response.status_code == 200, endpoint
        if back not in response.get_data(as_text=True):
            missing.append(endpoint)
    assert not missing, f"no way back to the Administration page: {missing}"
