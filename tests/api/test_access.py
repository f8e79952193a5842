"""Every API route against every role, as the screens' rules say: no token → 401, a role the route
does not allow → 403, an allowed role → neither (and never a server error). Answers are JSON (or the PDF asked for)."""

from __future__ import annotations

import pytest
from flask import url_for

from clinic.auth.access import PUBLIC, access_rule
from clinic.models.vocab import Role

ROLES = {"frontdesk": Role.FRONT_DESK, "radiologist": Role.RADIOLOGIST, "nurse": Role.NURSE, "admin": Role.ADMIN}


def _api_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")), key=lambda r: r.rule)


def _path(rule, world) -> str:
    values = {
        "patient_id": world.patient_ids[0],
        "referral_id": world.ready[0].id,
        "appointment_id": world.appointments["booked"].id,
        "procedure_type_id": world.clinic.pt("PRT").id,
    }
    with_prefix = url_for(rule.endpoint, _external=False, **{name: values[name] for name in rule.arguments})
    return with_prefix.removeprefix("/api/v1")


def test_every_api_route_declares_its_roles(app):
    rules = _api_rules(app)
    assert len(rules) > 25
    public = {r.endpoint for r in rules if access_rule(app.view_functions[r.endpoint]) == PUBLIC}
    assert public == {"api.openapi_document", "api.docs_page", "api.docs_script"}


@pytest.mark.parametrize("who", [None, *ROLES])
def test_every_api_route_for_every_role(app, world, anonymous, api_as, who):
    client = anonymous if who is None else api_as(who)
    checked = 0
    for rule in _api_rules(app):
        rule_access = access_rule(app.view_functions[rule.endpoint])
        path = _path(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(path) if method == "GET" else client.post(path, json={})
            status = response.status_code
            label = f"{method} {path} as {who}"
            if rule_access == PUBLIC:
                assert status == 200, label
                continue
            assert response.is_json or response.mimetype == "application/pdf", label
            if who is None:
                assert status == 401, label
                assert response.get_json()["error"]["code"] == "unauthorized"
            elif rule_access != "any_staff" and ROLES[who] not in rule_access:
                assert status == 403, label
                assert response.get_json()["error"]["code"] == "forbidden"
            else:
                assert status not in (401, 403) and status < 500, f"{label}: {status} {response.get_json()}"
            checked += 1
    assert checked > 25
