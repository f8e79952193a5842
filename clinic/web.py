"""Small helpers shared by the blueprints' views (Flask-side only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import Response, abort, current_app, flash, redirect
from flask import render_template as _render

from .core.errors import DomainError
from .core.messages import N_
from .core.timefmt import is_shown_day, to_local
from .extensions import db
from .i18n import refusal
from .scheduling.context import Settings
from .services import settings as clinic_settings

M = TypeVar("M")


def scheduling_settings() -> Settings:
    """The scheduling settings, with the clinic's booking notice as it stands (read when a search or a
    booking asks for it)."""
    return Settings.from_config(current_app.config, notice=lambda: clinic_settings.booking_notice(db.session))


def zone() -> str:
    return current_app.config["CLINIC_TIMEZONE"]


def now() -> dt.datetime:
    """The current instant, from the same clock the scheduling code uses."""
    return Settings.from_config(current_app.config).now()


def local_today() -> dt.date:
    return to_local(now(), zone()).date()


def get_or_404(model: type[M], ident: int) -> M:
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def refused(error: DomainError) -> str:
    """A service refused the request: nothing it wrote before saying no is kept, whatever the view answers
    (a redirect too). Every view that catches a ``DomainError`` calls this (``render_form`` does): the
    session is rolled back here, so the page shows what is stored and the boundary commits none of it.
    Returns the refusal in the screen's language, to flash or to put under a field."""
    db.session.rollback()
    return refusal(error)


def refused_at(form, error: DomainError) -> bool:
    """A service's refusal under each field of ``form`` it names (``DomainError.fields``), rolled back as
    ``refused`` does; True when a field shows it, False when it names none of them (say it elsewhere)."""
    names = [name for name in error.fields if name in form]
    message = refused(error)
    for name in names:
        form[name].errors = [*form[name].errors, message]
    return bool(names)


def one_click(change: Callable[[], object], *, done: str, back: str, next_url: str | None = None):
    """The change a button makes (confirm, reopen, revoke, remove): refused, the refusal is flashed and the
    user goes back to ``back``; made, ``done`` is flashed and the user goes on to ``next_url`` (or back)."""
    try:
        change()
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(back)
    flash(done, "success")
    return redirect(next_url or back)


def render_form(template: str, form=None, *, error: DomainError | None = None, **context):
    """Render a form page; 422 when the form (or the service behind it) refused the input, so that the
    request boundary rolls back anything half-done (a service's refusal is rolled back at once)."""
    failed = error is not None or (form is not None and bool(form.errors))
    if error is not None:
        flash(refused(error), "danger")
    return _render(template, form=form, **context), (error.http_status if error is not None else 422) if failed else 200


def pdf_response(data: bytes, filename: str, *, download: bool = False) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"},
    )


def parse_day(text: str | None, default: dt.date) -> dt.date:
    """A day from the address (``?day=2026-12-08``): 400 with a clear message when it is not a date or lies
    outside the years a screen shows (a typo such as 0002 or 9999), never a server error further on."""
    try:
        day = dt.date.fromisoformat(text) if text else default
    except ValueError:
        abort(400, N_("Dates are written as YYYY-MM-DD."))  # the error page says it in the screen's language
    if not is_shown_day(day):
        abort(400, N_("Choose a day between the years 2000 and 2099."))
    return day


def local_to_utc(naive: dt.datetime | None) -> dt.datetime | None:
    """A wall-clock time typed into a form, read in the clinic's zone."""
    if naive is None:
        return None
    from zoneinfo import ZoneInfo

    return naive.replace(tzinfo=ZoneInfo(zone())).astimezone(dt.UTC)


def utc_to_local_naive(instant: dt.datetime | None) -> dt.datetime | None:
    if instant is None:
        return None
    return to_local(instant, zone()).replace(tzinfo=None, second=0, microsecond=0)


def shows_page_after_post(reason: str):
    """Marks a view whose successful POST answers with a page rather than a redirect, and says why:
    nothing was changed (a search, a last look before confirming) or a secret is shown only once."""

    def mark(view):
        view.post_page_reason = reason
        return view

    return mark


def lands_on(page: str | Callable[..., str], anchor: str | None = None):
    """Names the page a POST-only form lives on, so that a GET of the form's address lands there.

    A refused form is shown again at its POST address (with what was typed and the error), so that address
    is what the address bar holds: Enter there, a new tab, history or a restored session then GET it, and
    without a GET it would answer 405, a dead end. ``page`` is an endpoint, given those of the address's
    values it takes (``referral_id``...), or a function of the address's values returning the page's
    address (when finding the page needs a lookup). ``boundary.add_form_landings`` adds the GETs."""

    def mark(view):
        view.landing = (page, anchor)
        return view

    return mark
