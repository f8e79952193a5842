"""``@idempotent``: the API's booking POSTs honour an ``Idempotency-Key`` header (see
``clinic.services.idempotency``). Without the header a request runs as usual."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, make_response, request
from flask_login import current_user

from ..extensions import db
from ..services import idempotency

HEADER = "Idempotency-Key"
# Operations that honour the header, by operation id (the OpenAPI document says so).
operations: set[str] = set()


def _scope() -> str:
    token_id = g.get("api_token_id")
    return f"token:{token_id}" if token_id is not None else f"user:{current_user.id}"


def idempotent(view: Callable) -> Callable:
    operations.add(view.__name__)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        digest = idempotency.fingerprint(request.method, request.path, request.get_data())
        claimed = idempotency.claim(db.session, _scope(), key, digest)
        if isinstance(claimed, idempotency.Stored):
            response = make_response(claimed.body, claimed.status_code)
            response.mimetype = "application/json"
            if claimed.location:
                response.headers["Location"] = claimed.location
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400:
            idempotency.complete(
                db.session,
                claimed,
                response.status_code,
                response.get_data(as_text=True),
                response.headers.get("Location"),
            )
        return response

    return wrapper
