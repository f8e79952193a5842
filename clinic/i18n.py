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

from decimal import Decimal

from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import Babel, format_decimal, get_locale, get_translations
from flask_login import current_user
from markupsafe import escape

from .config import PROJECT_ROOT
from .core.messages import Counted, Named, Phrase, Phrases, fill, lowered

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


def language_without_database() -> str:
    """The screen's language when the database cannot be asked for the user's account: the language the
    user's last screen was in (kept in the session), else the browser's, else the clinic's."""
    if g.get("portal_language") in SCREEN_LANGUAGES:
        return g.portal_language
    remembered = session.get(REMEMBERED)
    if remembered in SCREEN_LANGUAGES:
        return remembered
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
    return _translated(template, getattr(error, "params", None) or {})


def say(value):
    """A value a service handed over, in the screen's language: a marked ``Phrase`` (or a list of them,
    ``Phrases``) translated, a measured number (a float or a Decimal: 45.3 MB, 85.5 mGy·cm) in the screen's
    number format (45,3), anything else (a name, a count, a date) as it is."""
    if isinstance(value, float | Decimal) and has_app_context():
        return format_decimal(value)
    if isinstance(value, Named):
        return _name(value)
    if isinstance(value, Phrases):
        separator = gettext(value.separator) if value.separator.strip(" ;,") else value.separator  # " and "
        return separator.join(say(part) for part in value.parts)
    if isinstance(value, Counted):
        return fill(
            catalogue().ungettext(value.singular, value.plural, value.count),
            {name: say(part) for name, part in value.params.items()},
        )
    if isinstance(value, Phrase):
        text = _translated(value.template, value.params)
        if value.lower:  # the middle of a sentence: English lowers its first letter, German keeps its nouns
            text = lowered(text) if gettext(value.template) == value.template else text.rstrip(".")
        return text
    return value


def gettext(text: str) -> str:
    """``text`` in the screen's language (Flask-Babel's ``gettext`` without its %-values). Flask-Babel
    finds the catalogue anew on every call (the request's locale, its name, the cache); a list page looks
    up several hundred words, so the request keeps the catalogue for as long as its locale stays the same
    (``force_locale`` changes the locale, and with it the catalogue)."""
    return catalogue().ugettext(text)


def catalogue():
    if not has_app_context():
        return get_translations()  # no request, no locale: the words as written
    here = g._get_current_object()  # the proxy resolved once, not on each attribute below
    locale = _locale(here)
    kept = here.__dict__.get("_catalogue")
    if kept is None or kept[0] is not locale:
        kept = here._catalogue = (locale, get_translations())
    return kept[1]


def _locale(here):
    """The locale words are looked up in: the one ``force_locale`` set, else the screen's."""
    babel_state = here.__dict__.get("_flask_babel")  # where Flask-Babel keeps the locale (force_locale sets it)
    return getattr(babel_state, "babel_locale", None) or get_locale()


def _name(value: Named) -> str:
    if has_app_context():
        return value.names.get(_locale(g._get_current_object()).language) or value.params["name"]
    return value.params["name"]


def _translated(template: str, params: dict) -> str:
    params = {name: say(value) for name, value in params.items()}
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

    # ``_()`` in a template also takes what a service handed over: a marked sentence (looked up as it is)
    # or a ``Phrase`` with values (``say``: translated, then filled in; escaped, since its values are text).
    app.jinja_env.install_gettext_callables(
        gettext=_template_gettext,
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
    )

    # What a service handed over and a template prints as it is (``{{ item.detail }}``): a Phrase is shown
    # in the screen's language without each template having to say so.
    app.jinja_env.finalize = _finalize
    app.jinja_env.filters["say"] = say  # before a filter that makes it a plain str: |map('say')|join('; ')

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


def _finalize(value):
    return say(value) if isinstance(value, (Phrase, Phrases)) else value


def _template_gettext(text):
    if isinstance(text, (Phrase, Phrases)):
        return escape(say(text)).replace("%", "%%")  # the template's gettext fills in with %
    return catalogue().ugettext(text)
