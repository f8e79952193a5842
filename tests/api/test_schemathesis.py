"""schemathesis against the app: every operation of the OpenAPI document, generated requests (at least
1000 in all), with a token holding every role, and a clinic full of real records. Every answer must be
no server error, carry a status code the document lists for the operation, and match the document's
schema for that status.

Purely generated ids almost never exist, so part of each operation's cases use ids of real records
(path parameters), and a few operations get realistic seeds: slot searches for real referrals, and
bookings and moves of slots the finder offered. Everything the seeds leave open is still generated.
"""

from __future__ import annotations

import contextvars
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from clinic.extensions import db
from clinic.models.vocab import RedFlag, Role
from clinic.services.procedure_day import DISCHARGE_ITEMS
from tests.api.world import World, build_world
from tests.factories import build_clinic, make_user
from tests.scheduling.helpers import chain_json, first_candidates

pytestmark = pytest.mark.slow

CASES_PER_OPERATION = 45
MINIMUM_CASES = 1000
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
NO_RED_FLAGS = {flag.value: False for flag in RedFlag}


def _talked(radiologist) -> dict[str, Any]:
    """A consent body: who took it, and the information talk two days before (§630e BGB)."""
    return {
        "taken_by_id": radiologist.id,
        "explained_by_id": radiologist.id,
        "explained_at": "2026-11-21T09:00:00+01:00",
    }


def _seeds(session, settings, world: World) -> dict[str, list[dict[str, Any]]]:
    """Fixed parts of requests, by operation (or by path parameter); what they leave out is generated."""
    ids = {
        "patient_id": world.patient_ids,
        "referral_id": world.referral_ids,
        "appointment_id": world.appointment_ids,
        "procedure_type_id": [pt.id for pt in world.clinic.procedures.values()],
    }
    seeds: dict[str, list[dict[str, Any]]] = {
        name: [{"path_parameters": {name: ident}} for ident in values] for name, values in ids.items()
    }
    a = world.appointments
    radiologist = world.clinic.radiologists[0]
    prt = world.clinic.pt("PRT")

    def at(appointment, **kwargs) -> dict[str, Any]:
        return {"path_parameters": {"appointment_id": appointment.id}, **kwargs}

    seeds["GET /api/v1/slots"] = [
        {"query": {"referral_id": r.id}} for r in [*world.ready, world.incomplete, world.received]
    ] + [{"query": {"procedure_type_id": pt_id}} for pt_id in ids["procedure_type_id"]]
    seeds["POST /api/v1/appointments"] = [
        {"body": {"referral_id": referral.id, **chain_json(c)}}
        for referral in [*world.ready, world.incomplete]
        for c in first_candidates(session, settings, referral, limit=2)
    ]
    seeds["POST /api/v1/appointments/{appointment_id}/reschedule"] = [
        at(a["booked"], body=chain_json(c)) for c in first_candidates(session, settings, a["booked"].referral, limit=4)
    ]
    seeds["POST /api/v1/appointments/{appointment_id}/consent"] = [
        at(a[state], body=_talked(radiologist)) for state in ("printed", "checked_in", "consented")
    ]
    seeds["POST /api/v1/appointments/{appointment_id}/discharge"] = [
        at(a["in_observation"], body={key: True for key in DISCHARGE_ITEMS}),
        at(a["in_observation"], body={**{key: True for key in DISCHARGE_ITEMS}, "reason": "Checks on paper"}),
        at(a["in_observation"], body={}),
    ]
    seeds["POST /api/v1/referrals"] = [
        {
            "body": {
                "patient_id": patient_id,
                "received_on": "2026-11-20",
                "clinical_question": "Sciatica L5 right for six weeks",
                "region": "lumbar",
                "side": "right",
                "red_flags": NO_RED_FLAGS,
            }
        }
        for patient_id in ids["patient_id"][:3]
    ]
    seeds["POST /api/v1/referrals/{referral_id}/triage"] = [
        {"path_parameters": {"referral_id": world.received.id}, "body": body}
        for body in (
            {"decision": "accept", "procedure_type_id": prt.id, "region": "lumbar", "side": "left", "levels": "L5"},
            {"decision": "decline", "reason": "Conservative treatment first"},
            {"decision": "request_information", "text": "Please send the MRI report"},
        )
    ]
    seeds["POST /api/v1/referrals/{referral_id}/imaging"] = [
        {"path_parameters": {"referral_id": referral.id}, "body": {"files": [PDF]}} for referral in world.ready
    ]
    return seeds


def _strategy(operation, seeds: dict[str, list[dict[str, Any]]]):
    # Valid requests as the document describes them, and invalid ones (wrong types, missing fields,
    # out-of-range values), which must be refused with a documented 4xx, never a 500.
    generated = st.one_of(operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE))
    fixed = list(seeds.get(operation.label, []))
    for parameter in operation.path_parameters:
        fixed.extend(seeds.get(parameter.name, []))
    if not fixed:
        return generated
    realistic = st.sampled_from(fixed).flatmap(lambda kwargs: operation.as_strategy(**kwargs))
    return st.one_of(generated, realistic, realistic.map(lambda case: case))  # two in three realistic


def test_every_operation_conforms(app, session, settings, token_for):
    # Room for a fresh set of records per operation on the same day (check-in is on the day only).
    clinic = build_clinic(session, texts=True, ct_rooms=8, radiologists=8, beds=24)
    integrator = make_user(session, "integrator", set(Role.values()), "Integration Tests")
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token_for(integrator)}"},
            "generation": {"with-security-parameters": False},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, [op.label for op in operations]
    statuses: dict[str, dict[int, int]] = {}

    for operation in operations:
        # Each operation meets a fresh set of records: one operation's cancellations do not leave the
        # next without a booked appointment.
        world = build_world(session, settings, clinic)
        seeds = _seeds(session, settings, world)
        session.commit()

        @given(case=_strategy(operation, seeds))
        @hypothesis_settings(
            max_examples=CASES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        )
        def run(case):
            db.session.commit()  # the test's own writes are visible to the request, as to another process
            # Each request in its own context, as in production (see tests.conftest.IsolatedClient).
            response = contextvars.Context().run(case.call)
            case.validate_response(response, checks=CHECKS)
            counts = statuses.setdefault(case.operation.label, {})
            counts[response.status_code] = counts.get(response.status_code, 0) + 1

        run()

    assert set(statuses) == {op.label for op in operations}, "every operation was exercised"
    total = sum(sum(counts.values()) for counts in statuses.values())
    print(f"\nschemathesis: {total} generated cases over {len(statuses)} operations")
    for label, counts in sorted(statuses.items()):
        print(f"  {label}: {dict(sorted(counts.items()))}")
    assert total >= MINIMUM_CASES
    never_succeeded = [label for label, counts in statuses.items() if not any(200 <= code < 300 for code in counts)]
    assert never_succeeded == [], "the realistic seeds reach every operation's success too"
