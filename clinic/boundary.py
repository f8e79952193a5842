"""The request boundary: who is asking, may they, and one transaction per request.

Every request: the access rule of its view is checked (deny by default), CSRF is checked for
browser requests that change something, the acting user is handed to the audit trail, and at the end
the session is committed when the answer is a success, or rolled back when it is not. Services only
flush; they never commit. A refusal (a ``DomainError``) is rolled back where the view catches it, through
``clinic.web.refused``, so that a refusal answered with a redirect keeps nothing either; one the view
does not catch becomes an error answer (``clinic.errors``), rolled back here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user
from sqlalchemy.exc import DBAPIError
from werkzeug.routing import IntegerConverter

from . import i18n, outage
from .auth.access import PUBLIC, access_rule, allows
from .core import audit
from .core.messages import N_
from .core.numbers import LARGEST
from .core.text import has_control_characters
from .extensions import csrf, db, login_manager
from .i18n import LOCALES, language_without_database
from .logsafe import describe
from .services import accounts, reads

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def post_redirect_get_problem(view, response) -> str | None:
    """What is wrong when a browser's successful POST answers with a page instead of a redirect
    (post/redirect/get): Back and Reload would then offer to send the form again. A refused POST
    answers 4xx with the page (it keeps what was typed); htmx fragments, files and JSON are not pages.
    A view may be marked with ``shows_page_after_post`` (a search, a secret shown only once)."""
    if request.method in SAFE_METHODS or response.status_code != 200 or response.mimetype != "text/html":
        return None
    if request.headers.get("HX-Request") or getattr(view, "post_page_reason", None):
        return None
    return (
        f"POST {request.path} ({request.endpoint}) answered 200 with a page: redirect after a successful "
        "POST (post/redirect/get), or answer 4xx when it was refused."
    )


def add_form_landings(app: Flask) -> None:
    """For every POST-only address whose view says ``lands_on``: a GET at the same address that redirects
    to the form's page. It carries the form's access rule, so a user without the role is refused as the
    POST would be, and a logged-out user is sent to log in (the boundary checks it before the redirect)."""
    rules = list(app.url_map.iter_rules())
    answer_get = {rule.rule for rule in rules if "GET" in rule.methods}
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        if getattr(view, "landing", None) is None:
            continue
        if rule.rule in answer_get:
            raise ValueError(f"{rule.endpoint}: {rule.rule} answers GET already; it needs no lands_on")
        page = view.landing[0]
        if isinstance(page, str) and page not in app.view_functions:
            raise ValueError(f"{rule.endpoint}: lands on {page}, which is no endpoint")
        # Named in the form's blueprint, so that its hooks run for the GET too (the patient link's lookup).
        app.add_url_rule(rule.rule, f"{rule.endpoint}_landing", _landing_view(view), methods=["GET"])


def _landing_view(form_view: Callable) -> Callable:
    page, anchor = form_view.landing

    def land(**values):
        if callable(page):
            address = page(**values)
        else:
            takes = {name for rule in current_app.url_map.iter_rules(page) for name in rule.arguments}
            address = url_for(page, **{name: value for name, value in values.items() if name in takes})
        return redirect(address + (f"#{anchor}" if anchor else ""), 303)

    land.access = access_rule(form_view)
    land.landing_of = form_view
    land.__name__ = f"{form_view.__name__}_landing"
    return land


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


def unavailable_response():
    """503 with Retry-After while the database is out of reach; the page needs no database itself."""
    if is_api_request():
        from .api.errors import json_error

        response = json_error(503, "unavailable", outage.MESSAGE)
    else:
        # Templates get current_user from Flask-Login, which would ask the database for it: not now.
        if "_login_user" not in g:
            g._login_user = login_manager.anonymous_user()
        # Nor can it read the user's language: the one of their last screen, kept in the session.
        language = language_without_database()
        with force_locale(LOCALES[language]):
            page = render_template("errors/unavailable.html", message=gettext(outage.MESSAGE), language=language)
        response = make_response(page, 503)
        response.headers["Content-Language"] = language
    response.headers["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    return response


def _commit_or_unavailable(response):
    # The request's last commit: nothing reads its objects afterwards (the session is removed at the
    # end of the request), so they are not expired one by one; the start page loads a thousand.
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    except DBAPIError as error:
        if not outage.database_unavailable(error):
            raise
        # The commit did not happen (the server went away before it): nothing is saved, say so.
        db.session.close()
        log.warning("database unavailable at commit: %s", describe(error))
        return unavailable_response()
    finally:
        session.expire_on_commit = True
    return response


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to continue.")  # flashed in the login page's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        return accounts.load_session_user(db.session, session_id)

    @login_manager.request_loader
    def load_user_from_token(_request):
        token = bearer_token()
        if token and is_api_request():
            found = accounts.token_and_user(db.session, token)
            if found is not None:
                g.token_authenticated = True
                g.api_token_id = found[0].id
                return found[1]
            return None
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

        flash(gettext(login_manager.login_message), "info")
        # The path only: query strings may carry search terms, which stay out of URLs we store.
        return redirect(url_for("auth.login", next=request.path))

    @app.before_request
    def enforce_access():
        if request.endpoint is None or request.endpoint == "static":
            return None
        if any(has_control_characters(k) or has_control_characters(v) for k, v in request.args.items(multi=True)):
            abort(400, N_("The address contains control characters (NUL and the like); nothing was done."))
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
            i18n.remember_screen_language()  # before the commit expires the user
            if response.status_code < 400:
                if response.status_code == 200 and request.view_args and reads.names_patient_data(request.view_args):
                    actor = current_user if current_user.is_authenticated else None
                    reads.record_request(db.session, actor, request.endpoint, request.view_args)
                response = _commit_or_unavailable(response)
            else:
                try:
                    db.session.rollback()
                except DBAPIError:  # the connection is gone, and with it anything to roll back
                    db.session.close()
            response.headers.setdefault("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    if app.config.setdefault("CHECK_POST_REDIRECT_GET", app.testing):

        @app.after_request
        def check_post_redirect_get(response):
            # Registered after ``finish``, so it runs before it: the transaction is rolled back.
            problem = post_redirect_get_problem(current_app.view_functions.get(request.endpoint), response)
            if problem:
                log.error(problem)
                return make_response(problem, 500)
            return response


class RecordId(IntegerConverter):
    """``<int:…>`` in an address: a number past any record's id matches no address (404), instead of
    reaching the database as a number it cannot hold."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = LARGEST, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_numbers(app: Flask) -> None:
    """Before the blueprints: their rules take the converter when they are added."""
    app.url_map.converters["int"] = RecordId
