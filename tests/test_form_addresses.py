"""A form's address answers a GET: a refused form is shown again at its POST address (what was typed, the
error, 4xx), so that address is what the address bar holds. Enter there, a new tab, history or a restored
session GET it; an address that answered only POST said 405 Method Not Allowed, a dead end for staff. Every
POST-only screen address now lands on the page its form lives on (``clinic.web.lands_on``), with the same
access rule as the form."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from clinic.auth.access import ANY_STAFF, PUBLIC
from clinic.boundary import add_form_landings
from clinic.models import (
    AnticoagulantRule,
    ImagingStudy,
    RedFlagAnswer,
    RoomSession,
    RosterEntry,
    StoredFile,
    StudyFile,
)
from clinic.models.vocab import Role
from clinic.web import lands_on
from tests.conftest import NOW, Browser, reset_rate_limits
from tests.factories import at_front_desk, book, build_clinic, make_patient, make_ready_referral, make_referral
from tests.portal.helpers import link_for, open_portal

# POST-only screen addresses that need no GET landing, each with its reason. None so far: even logging
# out lands on the home page (a GET must not log anyone out, but a 405 helps no one either).
NO_LANDING: dict[str, str] = {}

USERNAME = {Role.FRONT_DESK: "frontdesk", Role.RADIOLOGIST: "rad1", Role.NURSE: "nurse", Role.ADMIN: "admin"}


def _is_screen(path: str) -> bool:
    return not path.startswith(("/api/", "/fhir/", "/static/"))


def post_only_screen_rules(app) -> list:
    """The screens' addresses that a browser may POST to but whose form view answers no GET itself."""
    rules = [rule for rule in app.url_map.iter_rules() if _is_screen(rule.rule)]
    form_views = [rule for rule in rules if "POST" in rule.methods and "GET" not in rule.methods]
    own_get = {
        rule.rule for rule in rules if "GET" in rule.methods and not getattr(_view(app, rule), "landing_of", None)
    }
    return sorted((rule for rule in form_views if rule.rule not in own_get), key=lambda rule: rule.rule)


def _view(app, rule):
    return app.view_functions[rule.endpoint]


def _get_rule(app, path: str):
    return next((rule for rule in app.url_map.iter_rules() if rule.rule == path and "GET" in rule.methods), None)


def _clinic_with_one_of_everything(session, settings) -> dict[str, object]:
    """The values the addresses take, each naming something that exists (the pages landed on show it)."""
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 24))
    flagged = make_referral(session, make_patient(session, family_name="Fahnenberg"))
    red_flag = RedFlagAnswer(code="tumour", present=True)
    flagged.red_flags.append(red_flag)
    study = ImagingStudy(patient_id=referral.patient_id, referral_id=referral.id, modality="MR")
    stored = StoredFile(sha256="f" * 64, size=10, content_type="application/dicom")
    session.add_all([study, stored])
    session.flush()
    study_file = StudyFile(stored_file_id=stored.id, original_name="a.dcm", kind="dicom", uploaded_at=NOW)
    study.files.append(study_file)
    open_portal(session)
    _link, token = link_for(session, referral)
    session.flush()
    values = {
        "referral_id": referral.id,
        "appointment_id": appointment.id,
        "user_id": clinic.staff["frontdesk"].id,
        "procedure_type_id": clinic.pt("PRT").id,
        "hold_rule_id": session.scalars(select(AnticoagulantRule.id)).first(),
        "session_template_id": session.scalars(select(RoomSession.id)).first(),
        "roster_entry_id": session.scalars(select(RosterEntry.id)).first(),
        "kind": "information",
        "language": "de",
        "answer_id": red_flag.id,
        "file_id": study_file.id,
        "token": token,
    }
    session.commit()
    return values


def _address(app, rule, values: dict[str, object]) -> str:
    with app.test_request_context():
        # The landing does not read what the form would change (a bed, a token, a waitlist entry): any id.
        return url_for(rule.endpoint, **{name: values.get(name, 1) for name in rule.arguments})


def _browsers(app) -> dict[str, Browser]:
    browsers = {role: Browser(app.test_client()) for role in USERNAME}
    for role, browser in browsers.items():
        browser.login(USERNAME[role])
    return browsers


def test_every_post_only_screen_address_lands_on_its_form_page_for_who_may_use_it(app, session, settings):
    values = _clinic_with_one_of_everything(session, settings)
    browsers = _browsers(app)
    rules = post_only_screen_rules(app)
    assert len(rules) > 60  # the walk sees the screens' forms (the admin's, the desk's, the patient's...)
    missing = [rule.rule for rule in rules if _get_rule(app, rule.rule) is None and rule.rule not in NO_LANDING]
    assert not missing, f"POST-only form addresses that answer GET with 405: give them @lands_on(...): {missing}"
    for rule in rules:
        if rule.rule in NO_LANDING:
            continue
        path = _address(app, rule, values)
        access = getattr(_view(app, rule), "access", None)
        if access == PUBLIC:
            allowed, refused = Browser(app.test_client()), []
        elif access == ANY_STAFF:
            allowed, refused = browsers[Role.FRONT_DESK], []
        else:
            allowed = browsers[next(role for role in USERNAME if role in access)]
            refused = [browsers[role] for role in USERNAME if role not in access]
        landed = allowed.get(path)
        assert landed.status_code in (302, 303), f"GET {path}: {landed.status_code}"
        page = allowed.get(landed.headers["Location"], follow_redirects=True)
        assert page.status_code == 200, f"GET {path} -> {landed.headers['Location']}: {page.status_code}"
        for browser in refused:  # a role the form refuses is refused its landing too, not shown the page
            assert browser.get(path).status_code == 403, f"GET {path} by a role the form refuses"
        if access not in (PUBLIC, ANY_STAFF):
            logged_out = Browser(app.test_client()).get(path)
            assert logged_out.status_code == 302 and "/login" in logged_out.headers["Location"], path
        reset_rate_limits()  # the patient link's throttling counts the walk's requests


def test_a_refused_form_then_enter_in_the_address_bar_lands_on_the_form(app, session, settings, browser):
    _, referral = at_front_desk(session, browser)
    page = f"/desk/referrals/{referral.id}"
    refused = browser.post(f"{page}/medication", {"med-drug_code": "heparin|"}, form_page=page)
    assert refused.status_code == 422  # shown again at /desk/referrals/<id>/medication, with the error
    again = browser.get(f"{page}/medication")  # Enter in the address bar, a new tab, history
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"{page}#i-med")
    shown = browser.get(again.headers["Location"])
    assert shown.status_code == 200 and 'action="' + f"{page}/medication" + '"' in shown.get_data(as_text=True)


def test_the_landing_keeps_the_forms_access_rule(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        form_view = getattr(view, "landing_of", None)
        if form_view is not None:
            assert view.access == form_view.access, rule.endpoint


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_form_view_marked_to_land_somewhere_is_still_its_own_view_for_a_post(app, method):
    endpoint = app.url_map.bind("localhost").match("/desk/referrals/1/medication", method=method)[0]
    assert endpoint == {"POST": "frontdesk.add_medication", "GET": "frontdesk.add_medication_landing"}[method]


@pytest.mark.parametrize(
    ("methods", "page", "problem"),
    [
        (["POST"], "pages.typo", "no endpoint"),  # a misspelt page fails when the app is built, not at a GET
        (["GET", "POST"], "pages.form", "answers GET already"),  # the view shows its own page: no landing
    ],
)
def test_a_landing_that_cannot_work_stops_the_app_being_built(methods, page, problem):
    app = Flask(__name__)
    app.add_url_rule("/form", "pages.form", lands_on(page)(lambda: ""), methods=methods)
    with pytest.raises(ValueError, match=problem):
        add_form_landings(app)
