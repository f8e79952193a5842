"""Helpers shared by the admin screens: list filters, errors onto forms, the form and one-click flows with
their stranding check; and, for the screens' imports, the clock, zone and lookups of ``clinic.web``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, or_

from ..core.errors import DomainError
from ..extensions import db
from ..forms import FlaskForm
from ..services import stranding
from ..services.stranding import ChangeOutcome
from ..web import get_or_404 as get_or_404
from ..web import local_today as local_today
from ..web import refused, scheduling_settings
from ..web import zone as zone

T = TypeVar("T")

# Form status codes: 422 for input the form refuses, 409 for a valid change that needs confirming.
# Both roll the transaction back at the boundary, so nothing is saved.
INVALID = 422
NEEDS_CONFIRMATION = 409
CONFIRM_FIELD = "confirm_stranded"


def containing(q: str, *columns):
    """A filter: rows where any of the columns contains q, whatever the case."""
    like = f"%{q.lower()}%"
    return or_(*(func.lower(column).like(like) for column in columns))


def in_state(stmt, show: str, active):
    """A list's "show" filter: the rows in use ("active"), those switched off ("inactive"), else all."""
    if show == "active":
        return stmt.where(active)
    if show == "inactive":
        return stmt.where(~active)
    return stmt


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it names, or at the top of the form."""
    details = error.details if isinstance(error.details, dict) else {}
    name = details.get("field")
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors") and isinstance(field.errors, list):
        field.errors.append(refused(error))
    else:
        form.form_errors.append(refused(error))


def confirmed_ids() -> set[int]:
    return stranding.parse_ids(request.form.get(CONFIRM_FIELD))


def try_change(change: Callable[[], T]) -> ChangeOutcome[T]:
    """Run a setup change through the stranding check, with the ids the admin confirmed (if any)."""
    return stranding.apply_change(db.session, scheduling_settings(), change, confirmed=confirmed_ids())


def saved(outcome: ChangeOutcome, message: str, next_url: str):
    """After a saved change: straight on, or to the list of appointments that now need a new time."""
    if outcome.stranded:
        count = len(outcome.stranded)
        warning = ngettext(
            "%(num)d booked appointment falls outside the new availability: reschedule them.",
            "%(num)d booked appointments fall outside the new availability: reschedule them.",
            count,
        )
        flash(
            f"{message} {warning}",
            "warning",
        )
        return redirect(url_for("admin.stranded", ids=",".join(str(i) for i in outcome.stranded_ids)))
    flash(message, "success")
    return redirect(next_url)


def save_form(
    form: FlaskForm,
    change: Callable[[], T],
    *,
    render: Callable[..., tuple],
    message: Callable[[], str],
    next_url: Callable[[], str],
):
    """The edit form of a setup change: shown again while it is invalid or refused, with the appointments
    it would strand until the admin confirms, else saved. ``render(stranded=None, status=200)`` draws the
    form page; ``message`` and ``next_url`` are read once the change is made."""
    if not form.validate_on_submit():
        return render(status=INVALID if request.method == "POST" else 200)
    try:
        outcome = try_change(change)
    except DomainError as error:
        show_error(form, error)
        return render(status=INVALID)
    if outcome.needs_confirmation:
        return render(stranded=outcome.stranded, status=NEEDS_CONFIRMATION)
    return saved(outcome, message(), next_url())


def form_page(template: str, form: FlaskForm, **context) -> Callable[..., tuple]:
    """The ``render`` of ``save_form`` and ``submit_form`` for a page that is the form: the template with the
    form, the appointments the change would strand (if any) and ``context``."""

    def render(status: int = 200, stranded=None) -> tuple:
        return render_template(template, form=form, stranded=stranded, **context), status

    return render


def submit_form(
    form: FlaskForm,
    change: Callable[[], T],
    *,
    render: Callable[[int], tuple],
    message: Callable[[T], str],
    next_url: Callable[[T], str],
):
    """The form of a change that strands nothing (a new row, a password, a text): shown again while it is
    invalid or refused, else made. ``render(status)`` draws the form page; ``message`` and ``next_url`` are
    given what the change returned."""
    if form.validate_on_submit():
        try:
            result = change()
        except DomainError as error:
            show_error(form, error)
        else:
            flash(message(result), "success")
            return redirect(next_url(result))
    return render(INVALID if request.method == "POST" else 200)


def one_click_change(
    change: Callable[[], object],
    *,
    back_url: str,
    message: str,
    next_url: str,
    title: str,
    question: str,
    button: str,
    fields: dict | None = None,
):
    """A one-click change (deactivate, delete, end): refused back to ``back_url``, asked again with the
    appointments it would strand, else saved with ``message``."""
    try:
        outcome = try_change(change)
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(back_url)
    if outcome.needs_confirmation:
        return confirm_action(outcome, title=title, question=question, back_url=back_url, button=button, fields=fields)
    return saved(outcome, message, next_url)


def confirm_action(
    outcome: ChangeOutcome, *, title: str, question: str, back_url: str, button: str, fields: dict | None = None
):
    """The confirmation page of a one-click change (deactivate, delete, end) that strands appointments.
    ``fields`` are posted again with the confirmation."""
    return (
        render_template(
            "admin/confirm_change.html",
            title=title,
            question=question,
            stranded=outcome.stranded,
            action=request.path,
            back_url=back_url,
            button=button,
            fields=fields or {},
        ),
        NEEDS_CONFIRMATION,
    )


def actor():
    return current_user._get_current_object()
