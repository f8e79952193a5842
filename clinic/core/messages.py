"""Messages that staff read, written by code that knows no Flask (services, scheduling).

A service marks a sentence with ``N_`` so that the catalogue extraction finds it, and hands the
changing parts over as named values instead of formatting them in::

    raise Conflict(N_("Room {room} is taken from {start} to {end}."), room=room.name, start=..., end=...)

The error keeps the marked sentence (``template``) and the values (``params``); ``message`` is the
English sentence with the values filled in, for the API, the command line and logs. A screen shows
``clinic.i18n.refusal(error)``: the sentence looked up in the screen's catalogue, then filled in.
"""

from __future__ import annotations

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
