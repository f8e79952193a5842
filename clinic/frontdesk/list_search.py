"""A list's patient search (the referrals, the waitlist, the medication calls): what was typed travels in the
POST body and stays in the session, never in the address (a patient's name in a URL ends up in logs)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import Select

from ..core.errors import DomainError
from ..core.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from ..models import Patient
from ..services import patients
from ..web import refused


@dataclass(frozen=True)
class ListSearch:
    """The list's search as the page shows it: ``text`` as typed (in the box), ``patient_ids`` the patients
    it finds (None: the list is not filtered), ``error`` why a typed search was refused (shown at the box;
    the list is then shown unfiltered)."""

    text: str = ""
    patient_ids: Select | None = None
    error: str | None = None


def remember(key: str):
    """The search typed into the list's box, kept under ``key``; back to the list with its filters. The box's
    "Clear" button (``clear``) forgets it: a browser sends the box's text along with the button."""
    typed = "" if request.form.get("clear") else (request.form.get("q") or "").strip()[:100]
    if has_control_characters(typed):
        flash(_(CONTROL_CHARACTERS_MESSAGE), "danger")  # core/text.py's sentence, in the catalogue
        typed = ""
    session[key] = typed
    return redirect(url_for(request.endpoint, **request.view_args, **request.args.to_dict()))


def typed(key: str) -> str:
    """The list's search, as typed ("" for none)."""
    text = session.get(key, "")
    return "" if not isinstance(text, str) or has_control_characters(text) else text


def current(key: str) -> ListSearch:
    """The search kept under ``key``, read for the page. A term the search refuses ("32.13.2000", no real
    date) is said at the box and filters nothing: kept in the session it would otherwise break every later
    visit to the list."""
    text = typed(key)
    if not text:
        return ListSearch()
    try:
        query = patients.parse_query(text)
    except DomainError as error:
        return ListSearch(text, None, refused(error))
    return ListSearch(text, patients.search_statement(query).with_only_columns(Patient.id).order_by(None))
