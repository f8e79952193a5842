"""FHIR R4 at /fhir/R4: read and search for hospitals and referral portals, and booking with a Slot.

An adapter like the JSON API: the same tokens and role rules (each resource type's views carry the
roles of the matching /api/v1 views), the same services, every read in the audit trail. Resources are
built as plain JSON from the domain objects (``clinic.fhir.resources``); the test suite validates each
kind against FHIR models. Errors are OperationOutcome resources.
"""

from flask import Blueprint

bp = Blueprint("fhir", __name__)

from . import outcome, views  # noqa: E402,F401

outcome.register(bp)
