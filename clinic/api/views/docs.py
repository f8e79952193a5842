"""The OpenAPI document and its documentation page (Swagger UI, vendored under static/vendor/swagger-ui).

Both are public: they describe the interface and hold no clinic data, and an integrator reads them
before having a token.

The page's Content-Security-Policy is this page's own, one step wider than the app's: Swagger UI sets
``style`` attributes on the elements it renders (collapsing sections, the models' layout), which
``style-src 'self'`` refuses; so ``'unsafe-inline'`` is allowed for styles here, on this one response.
Scripts stay ``'self'`` only (the page's start-up script is a file, not inline), and ``connect-src``
stays ``'self'``, so "Try it out" can reach this clinic's API and nothing else.
"""

from __future__ import annotations

from flask import Response, jsonify, render_template, url_for

from ...auth.access import public
from .. import bp
from ..openapi import document

DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@bp.get("/openapi.json")
@public
def openapi_document():
    return jsonify(document())


@bp.get("/docs")
@public
def docs_page():
    response = Response(render_template("api/docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.get("/docs/start.js")
@public
def docs_script():
    script = render_template("api/docs_start.js", spec_url=url_for("api.openapi_document"))
    return Response(script, mimetype="text/javascript")
