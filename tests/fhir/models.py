"""Every resource the server emits is checked against two independent FHIR model sets:

* ``fhir.resources`` 8.x, its ``R4B`` package (FHIR 4.3.0). True R4 (4.0.1) models of fhir.resources
  are only in its 6.2 line, which needs pydantic 1; this app runs on pydantic 2. R4B is R4's technical
  correction: every resource this server emits has the same elements and cardinalities in both.
* ``fhirclient`` 4.x models, generated from FHIR 4.0.1 (true R4), parsed in strict mode.

Both refuse unknown elements, wrong types and missing required elements.
"""

from __future__ import annotations

from fhir.resources.R4B import get_fhir_model_class
from fhirclient.models.fhirelementfactory import FHIRElementFactory


def validate(resource: dict) -> dict:
    """Validate one resource (and, for a Bundle, each entry); returns it for chaining."""
    kind = resource["resourceType"]
    get_fhir_model_class(kind).model_validate(resource)
    element = FHIRElementFactory.instantiate(kind, resource)  # strict: raises FHIRValidationError
    assert element.as_json()["resourceType"] == kind
    if kind == "Bundle":
        for entry in resource.get("entry", []):
            validate(entry["resource"])
    return resource
