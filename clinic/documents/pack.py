"""Print pack: appointment letter, information sheet, the consent form and its copy for the patient.

Built as one document of several parts (no PDF merging library needed); each part keeps its own
page templates and its own "Page X of Y". The sheet and the forms follow the appointment's guidance
and target. The consent form's original is byte-identical to the form printed on its own (its hash is
recorded); the patient's copy is marked as the copy.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..models import DocumentText
from .consent import applies_to, consent_part
from .information import information_part
from .layout import Meta, build_pdf
from .letter import LetterContext, letter_part


def render_print_pack(
    letter: LetterContext, information: DocumentText, consent: DocumentText, clinic: Mapping[str, str]
) -> bytes:
    appointment = letter.appointment
    parts = [
        letter_part(letter),
        information_part(information, clinic, applies=applies_to(appointment)),
        consent_part(appointment, consent, clinic, letter.zone),
        consent_part(appointment, consent, clinic, letter.zone, key="consent-copy", copy=True),
    ]
    meta = Meta(
        title=f"{appointment.reference}: {appointment.procedure_type.name(letter.language)}",
        author=clinic.get("clinic_name", ""),
        subject=f"{information.version_label}, {consent.version_label}",
        language=letter.language,
    )
    return build_pdf(parts, meta)
