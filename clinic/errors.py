"""Error pages for people and JSON errors for the API. A 500 rolls the transaction back."""

from __future__ import annotations

import logging

from flask import Flask, make_response, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from . import outage
from .boundary import SECURITY_HEADERS, is_api_request, is_fhir_request, unavailable_response
from .core.messages import N_
from .extensions import db
from .logsafe import describe, log_error

log = logging.getLogger(__name__)

TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    422: N_("Cannot be processed"),
    429: N_("Too many attempts"),
    503: N_("Please try again shortly"),
    500: N_("Something went wrong"),
}


# Werkzeug's sentences for errors raised without one of ours (a 405, a form field missing from a POST).
WERKZEUG_DEFAULTS = {
    400: N_("The browser (or proxy) sent a request that this server could not understand."),
    405: N_("The method is not allowed for the requested URL."),
}


def _respond(status: int, message: str, code: str):
    if is_fhir_request():
        from .fhir.outcome import operation_outcome

        return operation_outcome(status, message)
    if is_api_request():
        from .api.errors import json_error

        response = json_error(status, code, message)
    else:  # a person reads it: in the screen's language (the API keeps English)
        title = gettext(TITLES.get(status, N_("Error")))
        shown = gettext(message) if message else ""  # gettext("") would be the catalogue's header
        response = render_template("errors/error.html", status=status, title=title, message=shown), status
    return response


def _rollback() -> None:
    """Roll back, also when the connection is gone (then there is nothing to roll back)."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()


def _number_out_of_range(error: Exception) -> bool:
    """SQLite's driver refuses a Python int past 64 bits (OverflowError); PostgreSQL answers "out of range"
    (SQLSTATE 22003) for one past its column's type."""
    if isinstance(error, OverflowError) or isinstance(error.__cause__, OverflowError):
        return True
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) == "22003"


def _resendable() -> list[tuple[str, str]] | None:
    """What a person typed into a form whose token had expired, to send again with a fresh token; None when
    it cannot be offered safely: the post did not come from this site (the Origin header, which browsers send
    with every form post, names another or none: offering the values again would hand a forged request a
    button on our own page), it carried a password, or it carried files (a browser cannot be given them back)."""
    if is_api_request() or is_fhir_request() or request.method != "POST" or request.files:
        return None
    if request.headers.get("Origin", "").rstrip("/") != request.host_url.rstrip("/"):
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
    if not fields or any("password" in name for name, _value in fields):
        return None
    return fields


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        _rollback()
        fields = _resendable()
        if fields is not None:
            # The same address and the values as typed, under a fresh token: nothing is lost, nothing is
            # sent until the person says so.
            action = request.full_path.rstrip("?")
            referrer = request.referrer or ""
            back = referrer if referrer.startswith(request.host_url) else action
            title = gettext(N_("The form had expired"))
            page = render_template("errors/csrf_resend.html", title=title, action=action, back=back, fields=fields)
            return page, 400
        return _respond(400, N_("The form had expired or was not sent from this site. Please try again."), "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        _rollback()
        if error.code == 500 and outage.database_unavailable(getattr(error, "original_exception", None)):
            # Raised where no handler of ours runs (the commit after the view): still only a pause.
            log.warning("database unavailable: %s", describe(error.original_exception))
            return unavailable_response()
        status = error.code or 500
        message = {
            403: N_("Your account does not have the role this page needs."),
            404: N_("There is nothing at this address."),
            413: N_("The upload is larger than the clinic allows."),
            429: N_("Too many attempts from here. Wait a few minutes, then try again."),
        }.get(status, error.description or "")
        if message == type(error).description:  # Werkzeug's own English sentence: ours, marked for the catalogue
            message = WERKZEUG_DEFAULTS.get(status, message)
        code = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            429: "too_many_requests",
        }.get(status, "error")
        response = make_response(_respond(status, message, code))
        if status == 405:
            # Which methods the address does take (RFC 9110 requires Allow on a 405).
            response.headers["Allow"] = error.get_response().headers.get("Allow", "")
        return response

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error: StaleDataError):
        # A versioned row (an appointment) was changed by another request between this one's reading
        # and its writing, e.g. a form sent twice: a conflict, not a fault.
        _rollback()
        return _respond(
            409,
            N_("Someone else changed this record a moment ago. Nothing was saved: reload the page and look again."),
            "changed_meanwhile",
        )

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        _rollback()
        if _number_out_of_range(error):
            # A number from the request that no column can hold, past the checks at the address and the
            # forms (core.numbers): bad input, not a fault.
            return _respond(400, N_("A number in the request is too large. Nothing was saved."), "number_too_large")
        if outage.database_unavailable(error):
            log.warning("database unavailable on %s %s: %s", request.method, request.url_rule, describe(error))
            return unavailable_response()
        # What failed and where, never the values: no patient data in the log (clinic.logsafe).
        log_error(log, f"unhandled error on {request.method} {request.url_rule or '(no route)'}", error)
        response = _respond(500, N_("The error has been logged. Nothing was saved."), "server_error")
        return response

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
