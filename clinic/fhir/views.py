"""The routes: read, search (GET, or POST _search), create Appointment, and the metadata.

Each resource type's routes are registered with its own roles, so the request boundary's
deny-by-default check guards them as it guards every other view. Reads and searches are audited.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..auth.access import public, roles
from ..core import audit
from ..extensions import db
from . import bp
from .capability import capability_statement
from .kinds import KINDS, Kind, Result
from .outcome import FhirError, resource_response
from .search import Page, bundle

VERSION = "1.0.0"


def base_url() -> str:
    return request.host_url.rstrip("/") + "/fhir/R4"


@bp.get("/metadata")
@public
def metadata():
    return resource_response(capability_statement(base_url(), VERSION))


def _audit_read(kind: Kind, ident: str, patient_id: int | None) -> None:
    audit.record(db.session, "fhir.read", kind.name, ident, patient_id=patient_id, actor=current_user)


def _audit_search(kind: Kind, args: MultiDict, result: Result) -> None:
    """One event per patient whose records the answer shows (so each patient's trail lists it), or one
    for a search that showed no patient's record. The parameters' names are kept, never their values."""
    params = sorted(set(args.keys()))
    by_patient: dict[int | None, list[str]] = {}
    for resource, patient_id in result.entries:
        by_patient.setdefault(patient_id, []).append(resource["id"])
    for patient_id, ids in (by_patient or {None: []}).items():
        summary = {"params": params, "ids": ids[:50]}
        audit.record(
            db.session, "fhir.search", kind.name, None, summary=summary, patient_id=patient_id, actor=current_user
        )


def _search(kind: Kind, args: MultiDict, *, posted: bool):
    page = Page.of(args)
    result = kind.search(args, page, posted)
    _audit_search(kind, args, result)
    total = result.total
    if total is None:  # the finder knows only whether more follow
        total = page.offset + len(result.entries) + (1 if result.has_more else 0)
    answer = bundle(
        base_url(), kind.name, args, [r for r, _ in result.entries], total, page, private=result.private or posted
    )
    if result.total is None:
        del answer["total"]
    return resource_response(answer)


def _register(kind: Kind) -> None:
    def read(ident: str):
        found = kind.read(ident)
        if found is None:
            raise FhirError(404, f"There is no {kind.name}/{ident}.")
        resource, patient_id = found
        _audit_read(kind, ident, patient_id)
        return resource_response(resource)

    def search_get():
        return _search(kind, request.args, posted=False)

    def search_post():
        if request.mimetype != "application/x-www-form-urlencoded":
            raise FhirError(400, "Send _search parameters form-encoded (application/x-www-form-urlencoded).")
        args = MultiDict(list(request.args.items(multi=True)) + list(request.form.items(multi=True)))
        return _search(kind, args, posted=True)

    allowed = roles(*kind.roles)
    name = kind.name
    bp.add_url_rule(f"/{name}/<string:ident>", f"read_{name}", allowed(read), methods=["GET"])
    bp.add_url_rule(f"/{name}", f"search_{name}", allowed(search_get), methods=["GET"])
    bp.add_url_rule(f"/{name}/_search", f"post_search_{name}", allowed(search_post), methods=["POST"])


for _kind in KINDS.values():
    _register(_kind)

from . import book  # noqa: E402,F401  (POST Appointment)
