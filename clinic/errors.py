"""Error pages for people and JSON errors for the API. A 500 rolls the transaction back."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .boundary import SECURITY_HEADERS, is_api_request, is_fhir_request
from .extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: "The request could not be understood",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Cannot be processed",
    500: "Something went wrong",
}


def _respond(status: int, message: str, code: str):
    if is_fhir_request():
        from .fhir.outcome import operation_outcome

        return operation_outcome(status, message)
    if is_api_request():
        from .api.errors import json_error

        response = json_error(status, code, message)
    else:
        response = (
            render_template("errors/error.html", status=status, title=TITLES.get(status, "Error"), message=message),
            status,
        )
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return _respond(400, "The form had expired or was not sent from this site. Please try again.", "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        message = {
            403: "Your account does not have the role this page needs.",
            404: "There is nothing at this address.",
            413: "The upload is larger than the clinic allows.",
        }.get(status, error.description or "")
        code = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }.get(status, "error")
        return _respond(status, message, code)

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error: StaleDataError):
        # A versioned row (an appointment) was changed by another request between this one's reading
        # and its writing, e.g. a form sent twice: a conflict, not a fault.
        db.session.rollback()
        return _respond(
            409,
            "Someone else changed this record a moment ago. Nothing was saved: reload the page and look again.",
            "changed_meanwhile",
        )

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on a request")  # the traceback, never form data
        response = _respond(500, "The error has been logged. Nothing was saved.", "server_error")
        return response

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
