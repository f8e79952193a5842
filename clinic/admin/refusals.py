"""The refusals of the setup services, as the admin screens say them.

The services know no Flask: they mark their sentences with ``N_`` and hand the values over
(core/messages.py); ``refusal`` looks the sentence up in the screen's catalogue and fills it in."""

from __future__ import annotations

from ..i18n import refusal  # noqa: F401 (the admin views import it from here)
