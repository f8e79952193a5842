"""The request boundary: who is asking, may they, and one transaction per request.

Every request: the access rule of its view is checked (deny by default), CSRF is checked for
browser requests that change something, the acting user is handed to the audit trail, and at the end
the session is committed when the answer is a success, or rolled back when it is not. Services only
flush; they never commit.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, g, request
from flask_login import current_user

from .auth.access import PUBLIC, access_rule, allows
from .extensions import csrf, db, login_manager
from .services import accounts, audit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer ") :].strip() or None
    return None


def is_fhir_request() -> bool:
    return request.blueprint == "fhir" or request.path.startswith("/fhir/")


def is_api_request() -> bool:
    """The JSON API and FHIR: token authentication, and errors as data rather than pages."""
    return request.blueprint == "api" or request.path.startswith("/api/") or is_fhir_request()


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        return accounts.load_session_user(db.session, session_id)

    @login_manager.request_loader
    def load_user_from_token(_request):
        token = bearer_token()
        if token and is_api_request():
            user = accounts.user_for_token(db.session, token)
            if user is not None:
                g.token_authenticated = True
            return user
        return None

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_fhir_request():
            from .fhir.outcome import operation_outcome

            response = operation_outcome(401, "Send a valid API token: Authorization: Bearer <token>.")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if is_api_request():
            from .api.errors import json_error

            return json_error(401, "unauthorized", "Send a valid API token: Authorization: Bearer <token>.")
        from flask import flash, redirect, url_for

        flash(login_manager.login_message, "info")
        # The path only: query strings may carry search terms, which stay out of URLs we store.
        return redirect(url_for("auth.login", next=request.path))

    @app.before_request
    def enforce_access():
        if request.endpoint is None or request.endpoint == "static":
            return None
        rule = access_rule(current_app.view_functions.get(request.endpoint))
        if rule is None:
            abort(403)  # a view that does not say who may use it is closed to everyone
        if rule != PUBLIC:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allows(rule, current_user):
                abort(403)
        if request.method not in SAFE_METHODS and not g.get("token_authenticated"):
            csrf.protect()
        audit.set_actor(db.session, current_user if current_user.is_authenticated else None)
        return None

    @app.after_request
    def finish(response):
        if request.endpoint != "static":
            if response.status_code < 400:
                db.session.commit()
            else:
                db.session.rollback()
            response.headers.setdefault("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
