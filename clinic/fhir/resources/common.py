"""Small pieces every resource uses: references, instants in the clinic's zone, codings."""

from __future__ import annotations

import datetime as dt

from ...core.timefmt import to_local
from ...models import ProcedureType
from .. import codes


def ref(resource_type: str, ident: object, display: str | None = None) -> dict:
    reference = {"reference": f"{resource_type}/{ident}"}
    if display:
        reference["display"] = display
    return reference


def instant(value: dt.datetime | None, zone: str) -> str | None:
    """An instant with the clinic's offset, to the second (FHIR's instant and dateTime)."""
    if value is None:
        return None
    return to_local(value, zone).isoformat(timespec="seconds")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def procedure_concept(pt: ProcedureType) -> dict:
    return {"coding": [{"system": codes.PROCEDURE_CODES, "code": pt.code, "display": pt.name_en}], "text": pt.name_en}


def text(value: str | None) -> dict | None:
    return {"text": value} if value else None


def site(region: str | None, side: str | None, levels: str | None = None) -> list[dict]:
    words = [w for w in (region, side, levels) if w]
    return [{"text": " ".join(words)}] if words else []


def compact(resource: dict) -> dict:
    """FHIR forbids empty values: drop None, empty strings, lists and objects (recursively)."""
    out = {}
    for key, value in resource.items():
        if isinstance(value, dict):
            value = compact(value)
        elif isinstance(value, list):
            value = [compact(v) if isinstance(v, dict) else v for v in value]
            value = [v for v in value if v not in (None, "", {}, [])]
        if value in (None, "", {}, []):
            continue
        out[key] = value
    return out
