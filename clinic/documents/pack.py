"""Print pack: appointment letter, information sheet and consent form of one appointment, one PDF.

Built as one document of three parts (no PDF merging library needed); each part keeps its own
page templates and its own "Page X of Y".
"""

from __future__ import annotations

from collections.abc import Mapping

from ..models import DocumentText
from .consent import consent_part
from .information import information_part
from .layout import Meta, build_pdf
from .letter import LetterContext, letter_part


def render_print_pack(
    letter: LetterContext, information: DocumentText, consent: DocumentText, clinic: Mapping[str, str]
) -> bytes:
    appointment = letter.appointment
    parts = [
        letter_part(letter),
        information_part(information, clinic),
        consent_part(appointment, consent, clinic, letter.zone),
    ]
    meta = Meta(
        title=f"{appointment.reference}: {appointment.procedure_type.name(letter.language)}",
        author=clinic.get("clinic_name", ""),
        subject=f"{information.version_label}, {consent.version_label}",
        language=letter.language,
    )
    return build_pdf(parts, meta)
