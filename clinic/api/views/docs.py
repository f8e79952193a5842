"""The OpenAPI document and its documentation page (Swagger UI, vendored under static/vendor/swagger-ui).

Both are public: they describe the interface and hold no clinic data, and an integrator reads them
before having a token. The page runs under the app's own Content-Security-Policy: Swagger UI needs no
inline script or style (its start-up script is a file, served below), and it talks to this clinic's
API only.
"""

from __future__ import annotations

from flask import Response, jsonify, render_template, url_for

from ...auth.access import public
from .. import bp
from ..openapi import document


@bp.get("/openapi.json")
@public
def openapi_document():
    return jsonify(document())


@bp.get("/docs")
@public
def docs_page():
    return render_template("api/docs.html")


@bp.get("/docs/start.js")
@public
def docs_script():
    script = render_template("api/docs_start.js", spec_url=url_for("api.openapi_document"))
    return Response(script, mimetype="text/javascript")
