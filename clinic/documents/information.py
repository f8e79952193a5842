"""Information sheet: one procedure's patient text in one language, at most two A4 pages.

Printed for an appointment, it follows the appointment's guidance and target (``Applies``): lines
marked ``[MRI]`` appear only for an MRI-guided procedure, lines marked with a target only for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from ..models import DocumentText
from .common import clinic_header, footer
from .labels import language_of
from .layout import PAGE_HEIGHT, PAGE_WIDTH, Meta, Part, build_pdf, frame, page_template
from .markup import Applies, flowables, inline, parse, placeholder_values
from .styles import styles

TOP = 23 * mm
BOTTOM = 15 * mm
MARGIN = 18 * mm  # a little wider than letters: two pages at 11 pt


def information_part(
    text: DocumentText,
    clinic: Mapping[str, str],
    label: str | None = None,
    key: str = "information",
    applies: Applies | None = None,
) -> Part:
    """``label`` is the version label printed in the footer (the text's own unless given); ``applies``
    the appointment's guidance and target (default: the procedure's usual guidance, every target)."""
    language = language_of(text.language)
    version = label or text.version_label
    procedure_type = text.procedure_type
    applies = applies or Applies(guidance=procedure_type.modality if procedure_type else None)
    values = placeholder_values(clinic, applies.guidance or "CT", language)

    def on_page(canvas, doc) -> None:
        clinic_header(canvas, clinic, margin=MARGIN)
        footer(canvas, version, key, language, centre=clinic.get("clinic_name", ""), margin=MARGIN)

    body = frame(MARGIN, BOTTOM, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - TOP - BOTTOM, f"{key}-body")
    story = [Paragraph(inline(text.title, values), styles()["title"])]
    story += flowables(parse(text.body, applies), values)
    return Part([page_template(key, [body], on_page)], story)


def render_information_sheet(
    text: DocumentText, clinic: Mapping[str, str], label: str | None = None, applies: Applies | None = None
) -> bytes:
    meta = Meta(
        title=text.title,
        author=clinic.get("clinic_name", ""),
        subject=label or text.version_label,
        language=language_of(text.language),
    )
    return build_pdf([information_part(text, clinic, label, applies=applies)], meta)
