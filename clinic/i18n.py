"""Screens in the user's language (Flask-Babel): German or English, per user.

Who sees which language:
- a logged-in user: the language on their account (chosen on the profile page), else the clinic's;
- anyone not logged in (the login page): the browser's Accept-Language, else the clinic's;
- the JSON API and FHIR: English, stated in Content-Language (machine-facing codes and messages);
- the patient's link (/p/...): the patient's preferred language, which the portal puts in
  ``g.portal_language`` as soon as the link is known (before any other code of the request runs).

Patient documents and emails follow the patient's preferred language, never the screen's. The clinic's
default comes from CLINIC_LOCALE (de_DE), which also sets the format of dates and times on every screen.
Catalogues live in clinic/translations; ``make`` compiles them.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import Babel, gettext
from flask_login import current_user

from .config import PROJECT_ROOT
from .core.messages import fill

SCREEN_LANGUAGES = ("de", "en")
# The locale of each language, where words are spelled out (a patient's long dates: "Montag, 30. November").
LOCALES = {"de": "de_DE", "en": "en_GB"}
TRANSLATIONS = PROJECT_ROOT / "clinic" / "translations"

babel = Babel()


def clinic_language() -> str:
    language = current_app.config["CLINIC_LOCALE"].split("_")[0].lower()
    return language if language in SCREEN_LANGUAGES else "en"


def is_machine_request() -> bool:
    return request.path.startswith(("/api/", "/fhir/"))


def screen_language() -> str:
    remembered = g.get("_screen_language")
    if remembered is not None:
        return remembered
    if g.get("portal_language") in SCREEN_LANGUAGES:
        return g.portal_language
    if is_machine_request():
        return "en"
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "language", None)
        if chosen in SCREEN_LANGUAGES:
            return chosen
        return clinic_language()
    return request.accept_languages.best_match(SCREEN_LANGUAGES) or clinic_language()


def remember_screen_language() -> None:
    """Keep the request's language for what runs after the request's commit (the Content-Language
    header): the commit expires the user, and reading the language again would load the account anew
    (two statements on every page)."""
    g._screen_language = screen_language()


def screen_locale() -> str:
    return LOCALES[screen_language()]


def refusal(error: Exception) -> str:
    """A service's refusal (a DomainError) in the screen's language: its marked sentence looked up in the
    catalogue, then its named values filled in (core/messages.py). A sentence the catalogue lacks shows
    in English."""
    template = getattr(error, "template", None) or getattr(error, "message", None) or str(error)
    params = getattr(error, "params", None) or {}
    try:
        return gettext(template).format(**params) if params else gettext(template)
    except (KeyError, IndexError, ValueError):  # a translation that lost a value's name: the English
        return fill(template, params)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=screen_language,
        timezone_selector=lambda: current_app.config["CLINIC_TIMEZONE"],
        default_translation_directories=str(TRANSLATIONS),
    )

    @app.after_request
    def state_the_language(response):
        if is_machine_request():
            response.headers["Content-Language"] = "en"
        else:
            response.headers.setdefault("Content-Language", screen_language())
            response.vary.add("Accept-Language")
        return response
