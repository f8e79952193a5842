"""Messages that staff read, written by code that knows no Flask (services, scheduling).

A service marks a sentence with ``N_`` so that the catalogue extraction finds it, and hands the
changing parts over as named values instead of formatting them in::

    raise Conflict(N_("Room {room} is taken from {start} to {end}."), room=room.name, start=..., end=...)

The error keeps the marked sentence (``template``) and the values (``params``); ``message`` is the
English sentence with the values filled in, for the API, the command line and logs. A screen shows
``clinic.i18n.refusal(error)``: the sentence looked up in the screen's catalogue, then filled in.

A value that is itself words (a status, a list of problems) is handed over as a ``Phrase`` (or
``Phrases``, joined): a str with the English, which the screen translates too. Lists of reasons a
service returns to screens (a checklist's details, the worklist's flags) are made of them; a template
shows one with ``{{ _(value) }}``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


def N_(message: str) -> str:
    """Marks a sentence for the catalogue; the screen translates it when it shows it."""
    return message


def fill(template: str, params: dict[str, Any]) -> str:
    """The sentence with its named values; a sentence without values is left as written."""
    if not params:
        return template
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


class Phrase(str):
    """A marked phrase handed over as a named value or as one item of a list (a status, one problem of
    a form): as a str it is the English with its values; a screen translates it too (``clinic.i18n.say``).
    ``lower`` makes it the middle of a sentence: a small first letter, no full stop."""

    template: str
    params: dict[str, Any]
    lower: bool

    def __new__(cls, template: str, *, lower: bool = False, **params: Any) -> Phrase:
        text = lowered(fill(template, params)) if lower else fill(template, params)
        phrase = super().__new__(cls, text)
        phrase.template, phrase.params, phrase.lower = template, params, lower
        return phrase


class Named(Phrase):
    """A name the data gives in each language (a procedure's ``name_en`` and ``name_de``): as a str the
    English; a screen shows the name in its language (``clinic.i18n.say``), the English where it has none."""

    names: dict[str, str]

    def __new__(cls, english: str, **names: str) -> Named:
        named = super().__new__(cls, "{name}", name=english)
        named.names = {language: name for language, name in names.items() if name}
        return named


class Counted(Phrase):
    """A phrase whose words follow a count ("1 file uploaded", "3 files uploaded"): the singular and the
    plural are marked by the class itself (``pybabel extract -k Counted:1,2``, as ``ngettext``), the count
    is the value ``count``; a screen picks the form with the catalogue's ``ngettext`` (``clinic.i18n.say``).
    Walk 25: "1 Datei(en) hochgeladen"."""

    singular: str
    plural: str
    count: int

    def __new__(cls, singular: str, plural: str, count: int, **params: Any) -> Counted:
        phrase = super().__new__(cls, singular if count == 1 else plural, count=count, **params)
        phrase.singular, phrase.plural, phrase.count = singular, plural, count
        return phrase


class Phrases(str):
    """Marked phrases joined by ``separator``: the English join as a str; a screen translates each."""

    parts: tuple[Phrase, ...]
    separator: str

    def __new__(cls, parts, separator: str = "; ") -> Phrases:
        items = tuple(p if isinstance(p, Phrase) else Phrase(p) for p in parts)
        joined = super().__new__(cls, separator.join(items))
        joined.parts, joined.separator = items, separator
        return joined


def as_phrase(text: str) -> str:
    """A sentence marked with ``N_`` and handed over as a plain str, made a ``Phrase`` so that a screen
    shows it translated; an empty text, a Phrase or Phrases stay as they are."""
    if not text or isinstance(text, (Phrase, Phrases)):
        return text
    return _plain_phrase(text)


@lru_cache(maxsize=4096)
def _plain_phrase(text: str) -> Phrase:
    """The Phrase of a sentence without values, made once: lists build the same few labels thousands of
    times a page (the start page's checklists: 9 items of every referral waiting), and a Phrase is never
    changed after it is made."""
    return Phrase(text)


def read_back(text: str, template: str) -> dict[str, str] | None:
    """The values ``fill`` put into ``template`` to write ``text`` (a note stored in English, read back
    for a screen), or None when ``text`` was not written from it."""
    found = _pattern(template).fullmatch(text)
    return found.groupdict() if found else None


@lru_cache(maxsize=256)
def _pattern(template: str) -> re.Pattern:
    pieces = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ..., text
    return re.compile(
        "".join(re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)" for i, piece in enumerate(pieces)), re.S
    )


def lowered(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]
