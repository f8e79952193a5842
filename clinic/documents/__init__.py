"""Printed documents (reportlab): domain objects in, PDF bytes out. No Flask, no queries of their own.

The service layer (``clinic.services.documents`` and ``clinic.services.consents``) loads what a
document needs and calls these renderers.
"""

from .consent import render_consent
from .information import render_information_sheet
from .letter import LetterContext, render_letter
from .pack import render_print_pack
from .worklist import medication_notes, readiness_notes, render_worklist

__all__ = [
    "LetterContext",
    "medication_notes",
    "readiness_notes",
    "render_consent",
    "render_information_sheet",
    "render_letter",
    "render_print_pack",
    "render_worklist",
]
