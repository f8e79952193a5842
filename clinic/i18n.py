"""Screens in the user's language (Flask-Babel): German or English, per user.

Who sees which language:
- a logged-in user: the language on their account (chosen on the profile page), else the clinic's;
- anyone not logged in (the login page): the browser's Accept-Language, else the clinic's;
- the JSON API and FHIR: English, stated in Content-Language (machine-facing codes and messages);
- the patient's link (/p/...): the patient's preferred language, which the portal puts in
  ``g.portal_language`` as soon as the link is known (before any other code of the request runs).

While the database is out of reach (errors/unavailable.html) the user's account cannot be read: the
language of their last screen, remembered in the session cookie, stands in for it.

Patient documents and emails follow the patient's preferred language, never the screen's. The clinic's
default comes from CLINIC_LOCALE (de_DE), which also sets the format of dates and times on every screen.
Catalogues live in clinic/translations; ``make`` compiles them.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_babel import Babel, gettext
from flask_login import current_user

from .config import PROJECT_ROOT
from .core.messages import fill

SCREEN_LANGUAGES = ("de", "en")
# The locale of each language, where words are spelled out (a patient's long dates: "Montag, 30. November").
LOCALES = {"de": "de_DE", "en": "en_GB"}
TRANSLATIONS = PROJECT_ROOT / "clinic" / "translations"
REMEMBERED = "screen_language"  # the session's key for the language of the user's last screen

babel = Babel()


def clinic_language() -> str:
    language = current_app.config["CLINIC_LOCALE"].split("_")[0].lower()
    return language if language in SCREEN_LANGUAGES else "en"


def is_machine_request() -> bool:
    return request.path.startswith(("/api/", "/fhir/"))


def screen_language() -> str:
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


def language_without_database() -> str:
    """The screen's language when the database cannot be asked for the user's account: the language the
    user's last screen was in (kept in the session), else the browser's, else the clinic's."""
    if g.get("portal_language") in SCREEN_LANGUAGES:
        return g.portal_language
    remembered = session.get(REMEMBERED)
    if remembered in SCREEN_LANGUAGES:
        return remembered
    return request.accept_languages.best_match(SCREEN_LANGUAGES) or clinic_language()


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
            language = screen_language()
            response.headers.setdefault("Content-Language", language)
            response.vary.add("Accept-Language")
            if current_user and current_user.is_authenticated and session.get(REMEMBERED) != language:
                session[REMEMBERED] = language  # for a page shown without the database
        return response
