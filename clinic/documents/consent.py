"""Consent form for one appointment: who, what, where, the risks and alternatives, signatures, QR code.

The wording comes from the consent text (clinic data, versioned); this module adds what is specific to
the appointment. The form prints no date of its own, so the same appointment and text always give the
same bytes, and the hash kept with the consent record can be checked by printing again.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from ..models import Appointment, DocumentText
from ..timefmt import fmt_date, fmt_datetime
from .blocks import RuledBox, facts_table, signature_lines
from .common import MARGIN, clinic_header, footer
from .labels import language_of, locale_of, word
from .layout import PAGE_HEIGHT, PAGE_WIDTH, Meta, Part, build_pdf, frame, page_template
from .markup import Section, flowables, inline, parse, placeholder_values
from .qr import TitleWithCode
from .styles import styles

TOP = 24 * mm
BOTTOM = 17 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 26 * mm
RADIATION_WORDS = ("radiation", "strahl", "x-ray", "röntgen")

WORDS = {
    "en": {
        "patient": "Patient",
        "born": "Date of birth",
        "number": "Clinic number",
        "appointment": "Appointment",
        "procedure": "Procedure",
        "region": "Region",
        "side": "Side",
        "levels": "Level(s)",
        "stage": "Stage",
        "guidance": "Guidance",
        "radiation": "Radiation",
        "ct_note": "X-rays at a low dose, see “Radiation” below",
        "mri_note": "none, MRI works without X-rays",
        "code": "Check-in code",
        "questions": "Your questions and notes from the information talk",
        "place_date": "Place, date",
        "sign_patient": "Signature of the patient (or legal representative)",
        "sign_doctor": "Physician: name and signature",
    },
    "de": {
        "patient": "Patient/in",
        "born": "Geburtsdatum",
        "number": "Patientennummer",
        "appointment": "Termin",
        "procedure": "Eingriff",
        "region": "Region",
        "side": "Seite",
        "levels": "Höhe(n)",
        "stage": "Stufe",
        "guidance": "Bildsteuerung",
        "radiation": "Strahlung",
        "ct_note": "Röntgenstrahlen in geringer Dosis, siehe „Strahlenbelastung“ unten",
        "mri_note": "keine, die MRT kommt ohne Röntgenstrahlen aus",
        "code": "Code für die Anmeldung",
        "questions": "Ihre Fragen und Notizen aus dem Aufklärungsgespräch",
        "place_date": "Ort, Datum",
        "sign_patient": "Unterschrift der Patientin / des Patienten (bzw. der gesetzlichen Vertretung)",
        "sign_doctor": "Ärztin / Arzt: Name und Unterschrift",
    },
}


def _facts(appointment: Appointment, language: str, zone: str) -> Table:
    w = WORDS[language]
    locale = locale_of(language)
    patient = appointment.patient
    guidance = appointment.guidance
    rows = [
        (w["patient"], patient.display_name, w["born"], fmt_date(patient.birth_date, locale)),
        (w["number"], patient.clinic_number, w["appointment"], fmt_datetime(appointment.table_start, zone, locale)),
        (w["procedure"], appointment.procedure_type.name(language), w["region"], word(appointment.region, language)),
        (w["side"], word(appointment.side, language), w["levels"], appointment.levels or "–"),
        (w["stage"], word(appointment.stage, language), w["guidance"], word(guidance, language)),
    ]
    radiation = (w["radiation"], w["ct_note"] if guidance == "CT" else w["mri_note"])
    return facts_table(rows, WIDTH, radiation)


def _sections(body: str, guidance: str) -> tuple[list[Section], Section | None]:
    """The text's sections without the declarations (returned apart, printed above the signatures).
    With MRI guidance the radiation section does not apply and is left out."""
    sections = parse(body)
    if guidance != "CT":
        sections = [s for s in sections if not s.matches(*RADIATION_WORDS)]
    declarations = sections.pop() if len(sections) > 1 else None
    return sections, declarations


def consent_story(appointment: Appointment, text: DocumentText, clinic: Mapping[str, str], zone: str) -> list[Flowable]:
    language = language_of(text.language)
    w = WORDS[language]
    style = styles()
    values = placeholder_values(clinic)
    sections, declarations = _sections(text.body, appointment.guidance)
    story: list[Flowable] = [
        TitleWithCode(Paragraph(inline(text.title, values), style["title"]), appointment.reference, w["code"], QR_SIZE),
        Spacer(1, 2 * mm),
        _facts(appointment, language, zone),
        Spacer(1, 2 * mm),
    ]
    story += flowables(sections, values)
    story.append(
        KeepTogether([Paragraph(escape(w["questions"]), style["heading"]), RuledBox(lines=5), Spacer(1, 2 * mm)])
    )
    closing = flowables([declarations], values) if declarations else []
    place = clinic.get("clinic_place", "")  # plain text in a table cell: no markup, no escaping
    prefill = [f"{place}, " if place else "", "", ""]
    closing.append(signature_lines([w["place_date"], w["sign_patient"], w["sign_doctor"]], WIDTH, prefill))
    story.append(KeepTogether(closing))
    return story


def consent_part(
    appointment: Appointment,
    text: DocumentText,
    clinic: Mapping[str, str],
    zone: str,
    label: str | None = None,
    key: str = "consent",
) -> Part:
    """Every page's footer names the text version, the patient and the appointment: pages of a signed
    form that come apart can still be matched. ``label`` replaces the text's version label (previews)."""
    language = language_of(text.language)
    patient = appointment.patient
    born = fmt_date(patient.birth_date, locale_of(language))
    ident = f"{label or text.version_label} · {patient.display_name} · {born} · {appointment.reference}"

    def on_page(canvas, doc) -> None:
        clinic_header(canvas, clinic)
        footer(canvas, ident, key, language)

    body = frame(MARGIN, BOTTOM, WIDTH, PAGE_HEIGHT - TOP - BOTTOM, f"{key}-body")
    return Part([page_template(key, [body], on_page)], consent_story(appointment, text, clinic, zone))


def render_consent(
    appointment: Appointment, text: DocumentText, clinic: Mapping[str, str], zone: str, label: str | None = None
) -> bytes:
    meta = Meta(
        title=f"{text.title} – {appointment.reference}",
        author=clinic.get("clinic_name", ""),
        subject=label or text.version_label,
        language=language_of(text.language),
    )
    return build_pdf([consent_part(appointment, text, clinic, zone, label)], meta)
