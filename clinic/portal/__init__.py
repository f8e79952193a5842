"""The patient's link (/p/<token>): a blueprint with no staff login, in the patient's language.

Every request looks the link up by its token before anything else runs (``url_value_preprocessor``), so
that even an error page speaks the patient's language (``g.portal_language``, honoured by
``clinic.i18n``). Pages are never indexed and never leak the address as a referrer. Throttling per token
and per client address: Flask-Limiter (see ``access``).
"""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..core import audit
from ..core.timefmt import fmt_long_date, fmt_time
from ..extensions import db, limiter
from ..i18n import screen_language, screen_locale
from ..services import portal_links
from ..services import settings as clinic_settings
from ..web import zone
from . import access

bp = Blueprint("portal", __name__)

limiter.limit(access.per_token_rate, key_func=access.token_key)(bp)
limiter.limit(access.per_address_rate, key_func=access.address_key)(bp)


@bp.url_value_preprocessor
def find_link(_endpoint, values):
    token = (values or {}).get("token", "")
    link = portal_links.find(db.session, token)
    g.portal_link = link
    if link is not None:
        g.portal_language = link.patient.preferred_language


@bp.before_request
def act_as_the_patient():
    link = g.get("portal_link")
    if link is not None:
        audit.set_actor(db.session, portal_links.patient_actor(link.patient))


@bp.after_request
def private_headers(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def form_expired(_error):
    db.session.rollback()
    return access.problem_page(400, "expired")


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    kind = {404: "not_found", 413: "too_large", 429: "too_many"}.get(status, "general")
    return access.problem_page(status, kind)


@bp.context_processor
def words_for_times():
    """Dates and clock times as the patient reads them: "Montag, 30. November 2026", "08:30 Uhr"."""

    def long_date(instant):
        return fmt_long_date(instant, screen_locale(), zone())

    def clock(instant):
        return fmt_time(instant, zone(), screen_locale()) + (" Uhr" if screen_language() == "de" else "")

    return {
        "long_date": long_date,
        "clock": clock,
        "clinic_phone": access.clinic_phone,
        "clinic_name": lambda: clinic_settings.get(db.session, "clinic_name"),
    }


def render(template: str, status: int = 200, **context):
    return render_template(template, link=g.get("portal_link"), **context), status


from . import answers, entry, times  # noqa: E402,F401
