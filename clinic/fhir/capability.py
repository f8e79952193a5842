"""The CapabilityStatement at /fhir/R4/metadata, built from the registry so it cannot drift."""

from __future__ import annotations

from .kinds import KINDS

RELEASED = "2026-11-23"


def capability_statement(base: str, version: str) -> dict:
    resources = []
    for kind in KINDS.values():
        interactions = [{"code": "read"}, {"code": "search-type"}]
        if kind.create:
            interactions.append({"code": "create"})
        entry = {
            "type": kind.name,
            "interaction": interactions,
            "searchParam": [{"name": name, "type": type_} for name, type_ in kind.params.items()],
        }
        if kind.name == "Patient":
            entry["documentation"] = (
                "Search by name, family, given or birthdate only with POST Patient/_search (form-encoded): "
                "patient details never travel in URLs."
            )
        if kind.name == "Slot":
            entry["documentation"] = (
                "Free times from the clinic's finder (room and radiologist for the table time, then an "
                "observation bed). Give service-type (a procedure code) or service-request (a referral: its "
                "plan, patient and medication hold are respected). Only free slots are listed."
            )
        if kind.create:
            entry["documentation"] = (
                "Create books a Slot for a ServiceRequest (slot and basedOn), through the same booking "
                "service and rules as the clinic's screens: 409 when the time was taken meanwhile, 422 "
                "when the referral is not ready."
            )
        resources.append({k: v for k, v in entry.items() if v})
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASED,
        "publisher": "Pain clinic",
        "kind": "instance",
        "software": {"name": "Pain clinic", "version": version},
        "implementation": {"description": "Pain clinic scheduling and procedures", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Every read is recorded in the clinic's audit trail with the token's user.",
                "security": {
                    "description": (
                        "Send an API token of the clinic as Authorization: Bearer <token> "
                        "(flask --app clinic users token NAME). The token acts as its user, with the same "
                        "roles as on the clinic's screens and in /api/v1."
                    )
                },
                "resource": resources,
            }
        ],
    }
