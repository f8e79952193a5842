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


def test_every_filtered_admin_list_offers_to_reset_its_filters(app, admin):
    """Walk finding: the filters of the closures, session templates and rosters had no "Reset", which the
    other lists' filters have: it leads to the list as it first opens."""
    filtered = {
        "admin.closures": {"when": "past", "scope": "room"},
        "admin.sessions": {"room": "1", "period": "ended"},
        "admin.rosters": {"radiologist": "1", "period": "all"},
        "admin.procedures": {"q": "PRT"},
        "admin.users": {"q": "rad"},
        "admin.hold_rules": {"q": "apix"},
        "admin.outbox": {"status": "sent"},
        "admin.audit": {"actor": "admin"},
    }
    missing = []
    for endpoint, args in filtered.items():
        with app.test_request_context():
            path, unfiltered = url_for(endpoint, **args), url_for(endpoint)
        html = admin.get(path).get_data(as_text=True)
        form = html.split('<form method="get"')[1].split("</form>")[0]
        if f'<a class="btn btn-outline-secondary btn-sm" href="{unfiltered}">Reset</a>' not in form:
            missing.append(endpoint)
    assert not missing, f"filters without a reset: {missing}"
