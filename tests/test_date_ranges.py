"""Absurd dates in what the screens, the JSON API and FHIR read from a request (year 1, year 9999, a month 13,
a year of eight digits): every address that takes a date or a time answers them with a clear 4xx (the form's
error, a 400 page, a JSON error, an OperationOutcome), never a server error, and changes nothing. The days
the screens take are those of ``core.timefmt.is_shown_day`` (the years 2000 to 2099, as ``day=``), the
API's and FHIR's 1900 to 2199; a date of birth starts in 1900."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from clinic.core import clock
from clinic.extensions import db
from clinic.models import RoomSession, RosterEntry, User
from clinic.models.vocab import Role
from clinic.services import accounts, consents, procedure_day
from tests.conftest import NOW, ZONE, Browser
from tests.factories import book as book_referral
from tests.factories import build_clinic, make_ready_referral, make_user
from tests.portal.helpers import link_for, open_portal, opened
from tests.radiology.day_helpers import to_procedure
from tests.scheduling.helpers import chain_form, chain_json, first_candidates

DAYS = ["0001-01-01", "9999-12-31", "1-01-01", "2026-13-45", "99999999-01-01", "0000-00-00"]
TIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-45T08:00", "99999-01-01T08:00"]
INSTANTS = [
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:00+00:00",
    "9999-12-31T23:59:00-12:00",
    "2026-13-45T08:00:00+00:00",
    "99999-01-01T08:00:00+00:00",
]
# Tables a refused request may write to without changing anything (the audit trail of reads and refusals,
# the sessions of the logged-in users and tokens).
UNWATCHED = {"audit_log", "audit_events", "api_tokens", "user_sessions", "job_runs"}


@dataclass
class World:
    app: object
    session: object
    clinic: object
    referral: object  # ready, not booked
    consent_due: object  # checked in, its consent form printed
    in_procedure: object  # started, its record open
    browsers: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    patient_token: str = ""

    def browser(self, username: str) -> Browser:
        if username not in self.browsers:
            self.browsers[username] = Browser(self.app.test_client())
            assert self.browsers[username].login(username).status_code == 302
        return self.browsers[username]

    def bearer(self, username: str) -> dict:
        if username not in self.tokens:
            user = self.session.scalar(select(User).where(User.username == username))
            self.tokens[username] = accounts.issue_token(self.session, user, "tests")
            self.session.commit()
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture
def world(app, session, settings) -> World:
    clinic = build_clinic(session, texts=True)
    make_user(session, "integrator", set(Role.values()), "Integration Tests")
    referral = make_ready_referral(session, clinic)
    consent_due = book_referral(session, settings, make_ready_referral(session, clinic))
    clock.pin(consent_due.table_start - dt.timedelta(minutes=30))
    procedure_day.check_in(session, None, consent_due, at=consent_due.table_start, zone=ZONE)
    consents.print_consent(session, clinic.radiologists[0], consent_due, ZONE)
    clock.pin(NOW)
    in_procedure = book_referral(session, settings, make_ready_referral(session, clinic))
    to_procedure(session, clinic, in_procedure)
    open_portal(session)
    _link, token = link_for(session, referral)
    session.commit()
    world = World(app, session, clinic, referral, consent_due, in_procedure, patient_token=token)
    for username in ("admin", "frontdesk", "rad1"):  # logged in before "nothing changed" is compared
        world.browser(username)
    world.bearer("integrator")
    _portal(world)
    return world


def contents(session) -> dict[str, list]:
    """Every row of every table but the unwatched ones: what "nothing changed" compares."""
    session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name in UNWATCHED:
            continue
        rows[table.name] = sorted(map(repr, session.execute(select(table)).all()))
    return rows


# --- the addresses --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """A screen's form or filter: ``send(world, value)`` answers the request with ``value`` in the date.
    ``refused_to``: a one-click form (ending a template) is refused back to that page with the message,
    as its other refusals are, instead of a 4xx."""

    name: str
    values: list[str]
    send: Callable
    refused_to: Callable[[World], str] | None = None


def _get(user: str, path: Callable[[World, str], str]):
    return lambda w, v: w.browser(user).get(path(w, v))


def _post(user: str, path: Callable[[World], str], data: Callable[[World, str], dict], page=None):
    return lambda w, v: w.browser(user).post(path(w), data(w, v), form_page=(page or path)(w))


def _weekly(owner_field: str, owner_id: int, **kw) -> dict:
    data = {owner_field: str(owner_id), "weekday": "5", "start_time": "08:00", "end_time": "12:00"}
    return {**data, "valid_from": "2026-01-05", "valid_to": "", **kw}


def _closure(**kw) -> dict:
    data = {"scope": "clinic", "room_id": "", "unit": "", "radiologist_id": "", "first_day": "2026-12-24"}
    return {**data, "start_time": "", "last_day": "", "end_time": "", "reason": "Public holiday", **kw}


def _template(w: World) -> int:
    return w.session.scalar(select(RoomSession.id).order_by(RoomSession.id).limit(1))


def _roster(w: World) -> int:
    return w.session.scalar(select(RosterEntry.id).order_by(RosterEntry.id).limit(1))


def _patient_form(w: World, **kw) -> dict:
    patient = w.referral.patient
    data = {"family_name": patient.family_name, "given_name": patient.given_name, "birth_date": "1960-11-21"}
    return {**data, "sex": "female", "preferred_language": "de", **kw}


def _desk_referral(w: World) -> str:
    return f"/desk/referrals/{w.referral.id}"


def _chain(w: World, **times) -> dict:
    candidate = first_candidates(w.session, _settings(w), w.referral)[0]
    return {**chain_form(candidate, "book"), **times}


def _settings(w: World):
    from tests.admin.helpers import live_settings

    with w.app.app_context():
        return live_settings()


def _consent(w: World, **kw) -> dict:
    rad = str(w.clinic.radiologists[0].id)
    data = {"consent-explained_by_id": rad, "consent-explained_at": "2026-11-23T07:00", "consent-taken_by_id": rad}
    return {**data, "consent-signed_at": "2026-11-23T07:10", **kw}


def _record(**kw) -> dict:
    data = {"record-started_at": "2026-11-23T07:00", "record-ended_at": "", "record-side": "left"}
    return {**data, "record-guidance": "CT", **kw}


def _radiology(w: World, appointment) -> str:
    return f"/radiology/appointments/{appointment.id}"


def _portal(w: World):
    patient = w.browsers.get("patient")
    if patient is None:
        patient = w.browsers["patient"] = opened(w.app, w.patient_token, w.referral.patient.birth_date)
    return patient


def _api(method: str, path: Callable[[World, str], str], body: Callable[[World, str], dict] | None = None):
    def send(w: World, v: str):
        client = w.app.test_client()
        headers = w.bearer("integrator")
        if method == "GET":
            return client.get("/api/v1" + path(w, v), headers=headers)
        return client.post("/api/v1" + path(w, v), json=body(w, v), headers=headers)

    return send


def _fhir(method: str, path: Callable[[World, str], str], body: Callable[[World, str], dict] | None = None):
    def send(w: World, v: str):
        client = w.app.test_client()
        headers = {**w.bearer("integrator"), "Accept": "application/fhir+json"}
        if method == "GET":
            return client.get("/fhir/R4" + path(w, v), headers=headers)
        headers["Content-Type"] = "application/fhir+json"
        return client.post("/fhir/R4" + path(w, v), json=body(w, v), headers=headers)

    return send


def _api_patient(w: World, v: str) -> dict:
    return {"family_name": "Weit", "given_name": "Jahr", "birth_date": v, "sex": "female"}


def _api_chain(w: World, v: str) -> dict:
    candidate = first_candidates(w.session, _settings(w), w.referral)[0]
    return {"referral_id": w.referral.id, "chain": {**chain_json(candidate), "table_start": v}}


def _fhir_slot(w: World, v: str) -> dict:
    stamp = v[:16].replace("-", "").replace(":", "").replace("T", "")
    pt = 1  # the slot's other parts need not be real: the time is read first
    room, rad = w.clinic.rooms["CT 1"].id, w.clinic.radiologists[0].id
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{pt}-{room}-{rad}-0-{stamp}-30-60"}],
        "basedOn": [{"reference": f"ServiceRequest/{w.referral.id}"}],
    }


FHIR_STAMPS = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-45T08:00"]

SCREENS = [
    # Admin: filters sent by GET, and the forms of the schedules and closures.
    Screen("audit since", DAYS, _get("admin", lambda w, v: f"/admin/audit?since={v}")),
    Screen("audit until", DAYS, _get("admin", lambda w, v: f"/admin/audit?until={v}")),
    Screen("outbox since", DAYS, _get("admin", lambda w, v: f"/admin/outbox?since={v}")),
    Screen("outbox until", DAYS, _get("admin", lambda w, v: f"/admin/outbox?until={v}")),
    Screen(
        "session template valid from",
        DAYS,
        _post(
            "admin",
            lambda w: "/admin/sessions/new",
            lambda w, v: _weekly("room_id", w.clinic.rooms["MRT"].id, valid_from=v),
        ),
    ),
    Screen(
        "session template valid to",
        DAYS,
        _post(
            "admin",
            lambda w: "/admin/sessions/new",
            lambda w, v: _weekly("room_id", w.clinic.rooms["MRT"].id, valid_to=v),
        ),
    ),
    Screen(
        "session template edited",
        DAYS,
        _post(
            "admin",
            lambda w: f"/admin/sessions/{_template(w)}",
            lambda w, v: _weekly("room_id", w.session.get(RoomSession, _template(w)).room_id, valid_to=v),
        ),
    ),
    Screen(
        "session template ended",
        DAYS,
        _post(
            "admin",
            lambda w: f"/admin/sessions/{_template(w)}/end",
            lambda w, v: {"last_day": v},
            lambda w: "/admin/sessions",
        ),
        refused_to=lambda w: f"/admin/sessions/{_template(w)}",
    ),
    Screen(
        "roster entry valid from",
        DAYS,
        _post(
            "admin",
            lambda w: "/admin/rosters/new",
            lambda w, v: _weekly("radiologist_id", w.clinic.radiologists[0].id, valid_from=v),
        ),
    ),
    Screen(
        "roster entry ended",
        DAYS,
        _post(
            "admin",
            lambda w: f"/admin/rosters/{_roster(w)}/end",
            lambda w, v: {"last_day": v},
            lambda w: "/admin/rosters",
        ),
        refused_to=lambda w: f"/admin/rosters/{_roster(w)}",
    ),
    Screen(
        "roster exception",
        DAYS,
        _post(
            "admin",
            lambda w: "/admin/rosters/exceptions/new",
            lambda w, v: {"radiologist_id": str(w.clinic.radiologists[0].id), "on_date": v, "kind": "off", "note": ""},
        ),
    ),
    Screen(
        "closure first day", DAYS, _post("admin", lambda w: "/admin/closures/new", lambda w, v: _closure(first_day=v))
    ),
    Screen(
        "closure last day", DAYS, _post("admin", lambda w: "/admin/closures/new", lambda w, v: _closure(last_day=v))
    ),
    # The front desk.
    Screen(
        "patient's date of birth",
        DAYS,
        _post(
            "frontdesk",
            lambda w: f"/desk/patients/{w.referral.patient_id}/edit",
            lambda w, v: _patient_form(w, birth_date=v),
        ),
    ),
    Screen(
        "last dose",
        DAYS,
        _post(
            "frontdesk",
            lambda w: f"{_desk_referral(w)}/medication",
            lambda w, v: {"med-drug_code": "rivaroxaban|", "med-last_dose_on": v},
            _desk_referral,
        ),
    ),
    Screen(
        "waitlist earliest",
        DAYS,
        _post(
            "frontdesk",
            lambda w: f"{_desk_referral(w)}/waitlist",
            lambda w, v: {"wait-earliest_date": v, "wait-latest_date": "", "wait-part_of_day": "any"},
            _desk_referral,
        ),
    ),
    Screen(
        "waitlist latest",
        DAYS,
        _post(
            "frontdesk",
            lambda w: f"{_desk_referral(w)}/waitlist",
            lambda w, v: {"wait-earliest_date": "2026-11-24", "wait-latest_date": v, "wait-part_of_day": "any"},
            _desk_referral,
        ),
    ),
    Screen(
        "PACS search by date of birth",
        DAYS,
        _post(
            "frontdesk",
            lambda w: f"{_desk_referral(w)}/pacs/search",
            lambda w, v: {
                "pacs-family_name": "Müller",
                "pacs-given_name": "",
                "pacs-birth_date": v,
                "pacs-patient_id": "",
            },
            _desk_referral,
        ),
    ),
    # The finder's not before (?earliest_date=) is tests/test_day_range.py's.
    Screen(
        "booking a chain with a changed time",
        INSTANTS,
        _post("frontdesk", lambda w: f"{_desk_referral(w)}/book", lambda w, v: _chain(w, table_start=v)),
    ),
    Screen(
        "booking a chain with a changed end",
        INSTANTS,
        _post("frontdesk", lambda w: f"{_desk_referral(w)}/book", lambda w, v: _chain(w, obs_end=v)),
    ),
    # The radiologist.
    Screen(
        "hold override",
        DAYS,
        _post(
            "rad1",
            lambda w: f"/radiology/referrals/{w.referral.id}/override-hold",
            lambda w, v: {"override-earliest": v, "override-reason": "Cardiology: no pause needed"},
            lambda w: f"/radiology/referrals/{w.referral.id}",
        ),
    ),
    Screen(
        "consent talk",
        TIMES,
        _post(
            "rad1",
            lambda w: f"{_radiology(w, w.consent_due)}/consent",
            lambda w, v: _consent(w, **{"consent-explained_at": v}),
            lambda w: _radiology(w, w.consent_due),
        ),
    ),
    Screen(
        "consent signed",
        TIMES,
        _post(
            "rad1",
            lambda w: f"{_radiology(w, w.consent_due)}/consent",
            lambda w, v: _consent(w, **{"consent-signed_at": v}),
            lambda w: _radiology(w, w.consent_due),
        ),
    ),
    Screen(
        "procedure record start",
        TIMES,
        _post(
            "rad1",
            lambda w: f"{_radiology(w, w.in_procedure)}/record",
            lambda w, v: _record(**{"record-started_at": v}),
            lambda w: _radiology(w, w.in_procedure),
        ),
    ),
    Screen(
        "procedure record end",
        TIMES,
        _post(
            "rad1",
            lambda w: f"{_radiology(w, w.in_procedure)}/record",
            lambda w, v: _record(**{"record-ended_at": v}),
            lambda w: _radiology(w, w.in_procedure),
        ),
    ),
    # The patient's link.
    Screen(
        "patient's last dose",
        DAYS,
        lambda w, v: _portal(w).post(
            "/answers/medication", {"drugs-0-drug_code": "clopidogrel", "drugs-0-last_dose_on": v}
        ),
    ),
    # The JSON API.
    Screen("API slots from", DAYS, _api("GET", lambda w, v: f"/slots?referral_id={w.referral.id}&from_date={v}")),
    Screen(
        "API slots not before", DAYS, _api("GET", lambda w, v: f"/slots?referral_id={w.referral.id}&earliest_date={v}")
    ),
    Screen("API worklist", DAYS, _api("GET", lambda w, v: f"/worklist?date={v}")),
    Screen("API appointments", DAYS, _api("GET", lambda w, v: f"/appointments?date={v}")),
    Screen("API new patient", DAYS, _api("POST", lambda w, v: "/patients", _api_patient)),
    Screen("API booking", INSTANTS, _api("POST", lambda w, v: "/appointments", _api_chain)),
    Screen(
        "API consent",
        INSTANTS,
        _api(
            "POST",
            lambda w, v: f"/appointments/{w.consent_due.id}/consent",
            lambda w, v: {
                "taken_by_id": w.clinic.radiologists[0].id,
                "explained_by_id": w.clinic.radiologists[0].id,
                "explained_at": v,
            },
        ),
    ),
    # FHIR.
    Screen("FHIR appointments by date", DAYS, _fhir("GET", lambda w, v: f"/Appointment?date={v}")),
    Screen("FHIR appointments from a date", DAYS, _fhir("GET", lambda w, v: f"/Appointment?date=ge{v}")),
    Screen("FHIR slots by start", DAYS, _fhir("GET", lambda w, v: f"/Slot?service-type=PRT&start=ge{v}")),
    Screen("FHIR procedures by date", DAYS, _fhir("GET", lambda w, v: f"/Procedure?date=le{v}")),
    Screen("FHIR booking a far slot", FHIR_STAMPS, _fhir("POST", lambda w, v: "/Appointment", _fhir_slot)),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_an_absurd_date_is_a_clear_4xx_and_changes_nothing(world, screen):
    before = contents(world.session)
    for value in screen.values:
        answer = screen.send(world, value)
        if screen.refused_to is not None:
            page = screen.refused_to(world)
            assert answer.status_code == 302 and answer.headers["Location"] == page, value
            shown = world.browser("admin").get(page).get_data(as_text=True)
            assert "alert-danger" in shown, value  # the field's message, flashed
        else:
            assert 400 <= answer.status_code < 500, (value, answer.status_code, answer.get_data(as_text=True)[-800:])
        if answer.is_json or answer.mimetype == "application/fhir+json":
            assert answer.get_json(), value
        assert contents(world.session) == before, value
