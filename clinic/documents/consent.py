"""Consent form for one appointment: who, what, where, the risks and alternatives, the information talk,
signatures, QR code.

The wording comes from the consent text (clinic data, versioned); this module adds what is specific to
the appointment: the planned target, side, levels, stage and guidance (lines of the text marked for
another target or guidance are left out). The form prints no date of its own, so the same appointment
and text always give the same bytes, and the hash kept with the consent record can be checked by
printing again. The print pack adds a second copy for the patient, marked as such (§630e BGB: the
patient receives a copy of what was signed).
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from ..core.timefmt import fmt_date, fmt_datetime
from ..models import Appointment, DocumentText
from ..models.vocab import Target
from .blocks import RuledBox, facts_table, signature_lines
from .common import MARGIN, clinic_header, footer
from .labels import language_of, locale_of, word
from .layout import PAGE_HEIGHT, PAGE_WIDTH, Meta, Part, build_pdf, frame, page_template
from .markup import Applies, Section, flowables, inline, parse, placeholder_values
from .qr import TitleWithCode
from .styles import styles

TOP = 23 * mm
BOTTOM = 15 * mm
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
        "target": {"SYMP": "Target", "FACET": "Technique", "EPI": "Approach"},
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
        "explained_by": "Talk held by (name of the physician)",
        "explained_at": "Date and time of the talk",
        "signatures": "Information talk and signatures",
        "place_time": "Place, date, time",
        "sign_patient": "Signature of the patient (or legal representative)",
        "sign_doctor": "Signature of the physician",
        "original": "Original for the patient's record",
        "copy": "Copy for the patient",
    },
    "de": {
        "patient": "Patient/in",
        "born": "Geburtsdatum",
        "number": "Patientennummer",
        "appointment": "Termin",
        "procedure": "Eingriff",
        "target": {"SYMP": "Zielort", "FACET": "Technik", "EPI": "Zugang"},
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
        "explained_by": "Gespräch geführt von (Name der Ärztin / des Arztes)",
        "explained_at": "Datum und Uhrzeit des Gesprächs",
        "signatures": "Aufklärungsgespräch und Unterschriften",
        "place_time": "Ort, Datum, Uhrzeit",
        "sign_patient": "Unterschrift der Patientin / des Patienten (bzw. der gesetzlichen Vertretung)",
        "sign_doctor": "Unterschrift der Ärztin / des Arztes",
        "original": "Original für die Patientenakte",
        "copy": "Ausfertigung für die Patientin / den Patienten",
    },
}


def applies_to(appointment: Appointment) -> Applies:
    return Applies(guidance=appointment.guidance, target=appointment.target)


def shows_side(appointment: Appointment) -> bool:
    """A midline injection (caudal epidural, celiac or hypogastric plexus, ganglion impar, or a procedure
    that has no side) prints no side."""
    if not appointment.side or appointment.side == "midline":
        return False
    return not (appointment.target in Target.values() and Target(appointment.target).midline)


def _facts(appointment: Appointment, language: str, zone: str) -> Table:
    w = WORDS[language]
    locale = locale_of(language)
    patient = appointment.patient
    guidance = appointment.guidance
    pairs = [
        (w["patient"], patient.display_name),
        (w["born"], fmt_date(patient.birth_date, locale)),
        (w["number"], patient.clinic_number),
        (w["appointment"], fmt_datetime(appointment.table_start, zone, locale)),
        (w["procedure"], appointment.procedure_type.name(language)),
    ]
    if appointment.target:
        label = w["target"].get(appointment.procedure_type.code, w["target"]["SYMP"])
        pairs.append((label, word(appointment.target, language)))
    pairs.append((w["region"], word(appointment.region, language)))
    if shows_side(appointment):
        pairs.append((w["side"], word(appointment.side, language)))
    if appointment.levels:
        pairs.append((w["levels"], appointment.levels))
    if appointment.stage:
        pairs.append((w["stage"], word(appointment.stage, language)))
    pairs.append((w["guidance"], word(guidance, language)))
    if len(pairs) % 2:
        pairs.append(("", ""))
    rows = [(*pairs[n], *pairs[n + 1]) for n in range(0, len(pairs), 2)]
    radiation = (w["radiation"], w["ct_note"] if guidance == "CT" else w["mri_note"])
    return facts_table(rows, WIDTH, radiation)


def _sections(body: str, appointment: Appointment) -> tuple[list[Section], Section | None]:
    """The text's sections for this appointment, without the declarations (returned apart, printed
    above the signatures). With MRI guidance the radiation section does not apply and is left out
    (marked ``[CT]``, or, in texts written before conditions existed, found by its heading)."""
    sections = parse(body, applies_to(appointment))
    if appointment.guidance != "CT":
        sections = [s for s in sections if not s.matches(*RADIATION_WORDS)]
    declarations = sections.pop() if len(sections) > 1 else None
    return sections, declarations


def _signatures(w: dict, place: str) -> list[Flowable]:
    """The information talk (who, when) recorded apart from the signatures; place, date and time for each
    signature (§630d, §630e BGB)."""
    style = styles()
    prefill = [f"{place}, " if place else "", ""]
    return [
        Paragraph(escape(w["signatures"]), style["heading"]),
        signature_lines([w["explained_by"], w["explained_at"]], WIDTH, height=11 * mm),
        signature_lines([w["place_time"], w["sign_patient"]], WIDTH, prefill, height=11 * mm),
        signature_lines([w["place_time"], w["sign_doctor"]], WIDTH, prefill, height=11 * mm),
    ]


def consent_story(
    appointment: Appointment, text: DocumentText, clinic: Mapping[str, str], zone: str, copy: bool = False
) -> list[Flowable]:
    language = language_of(text.language)
    w = WORDS[language]
    style = styles()
    values = placeholder_values(clinic, appointment.guidance, language)
    sections, declarations = _sections(text.body, appointment)
    story: list[Flowable] = [
        TitleWithCode(Paragraph(inline(text.title, values), style["title"]), appointment.reference, w["code"], QR_SIZE),
        Paragraph(escape(w["copy" if copy else "original"]), style["label"]),
        Spacer(1, 2 * mm),
        _facts(appointment, language, zone),
        Spacer(1, 2 * mm),
    ]
    story += flowables(sections, values)
    story.append(
        KeepTogether(
            [Paragraph(escape(w["questions"]), style["heading"]), RuledBox(lines=3, spacing=7 * mm), Spacer(1, 2 * mm)]
        )
    )
    closing = flowables([declarations], values) if declarations else []
    place = clinic.get("clinic_place", "")  # plain text in a table cell: no markup, no escaping
    closing += _signatures(w, place)
    story.append(KeepTogether(closing))
    return story


def consent_part(
    appointment: Appointment,
    text: DocumentText,
    clinic: Mapping[str, str],
    zone: str,
    label: str | None = None,
    key: str = "consent",
    copy: bool = False,
) -> Part:
    """Every page's footer names the text version, the patient and the appointment: pages of a signed
    form that come apart can still be matched. ``label`` replaces the text's version label (previews);
    ``copy`` marks the patient's copy."""
    language = language_of(text.language)
    patient = appointment.patient
    born = fmt_date(patient.birth_date, locale_of(language))
    ident = f"{label or text.version_label} · {patient.display_name} · {born} · {appointment.reference}"
    if copy:
        ident += f" · {WORDS[language]['copy']}"

    def on_page(canvas, doc) -> None:
        clinic_header(canvas, clinic)
        footer(canvas, ident, key, language)

    body = frame(MARGIN, BOTTOM, WIDTH, PAGE_HEIGHT - TOP - BOTTOM, f"{key}-body")
    return Part([page_template(key, [body], on_page)], consent_story(appointment, text, clinic, zone, copy))


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
