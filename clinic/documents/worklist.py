"""Daily worklist of one room: a landscape table the radiologist and nurses work from.

The header row repeats on every page and each page says "Page X of Y", because the list is read
page by page at the scanner. Readiness notes (allergies, diabetes, possible pregnancy, implants,
blood thinners, ...) come from the referral's pre-registration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from ..models import Appointment, PreRegistration
from ..models.vocab import AppointmentStatus
from ..timefmt import fmt_date, fmt_long_date, fmt_time
from .common import clinic_header, footer
from .fonts import BOLD
from .labels import SEX_SHORT
from .layout import Meta, Part, build_pdf, frame, page_template
from .styles import LIGHT, RULE, styles

PAGE = landscape(A4)
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN
TOP = 30 * mm
BOTTOM = 17 * mm
HEADERS = ["Time", "Patient", "Age", "Sex", "Procedure", "Region", "Side", "Levels", "Readiness notes", "Status"]
COLUMNS_MM = [21, 48, 11, 11, 30, 20, 16, 22, 67, 21]


def readiness_notes(prereg: PreRegistration | None, drug_names: Mapping[str, str]) -> list[str]:
    """What the team must know before the needle: from the pre-registration checklist."""
    if prereg is None:
        return ["no pre-registration"]
    notes = []
    if prereg.allergies:
        notes.append("Allergies: " + ", ".join(prereg.allergies))
    if prereg.diabetes:
        notes.append("Diabetes")
    if prereg.pregnancy_possible:
        notes.append("Pregnancy possible")
    if prereg.implant:
        notes.append("Implant" + (f": {prereg.implant_note}" if prereg.implant_note else ""))
    if prereg.kidney_disease:
        notes.append("Kidney disease")
    if prereg.current_infection:
        notes.append("Current infection")
    if prereg.medications:
        names = [drug_names.get(m.drug_code, m.drug_code) for m in prereg.medications]
        notes.append("Blood thinners: " + ", ".join(names))
    return notes


def _row(appointment: Appointment, day: dt.date, zone: str, drug_names: Mapping[str, str]) -> list:
    style = styles()
    patient = appointment.patient
    prereg = appointment.referral.preregistration if appointment.referral else None
    time = f"{fmt_time(appointment.table_start, zone)}–{fmt_time(appointment.table_end, zone)}"
    name = f"<b>{escape(patient.display_name)}</b><br/>{escape(patient.clinic_number)}"
    procedure = escape(appointment.procedure_type.code)
    if appointment.stage:
        procedure += f" ({escape(appointment.stage)})"
    notes = "<br/>".join(escape(n) for n in readiness_notes(prereg, drug_names)) or "–"
    return [
        time,
        Paragraph(name, style["cell"]),
        str(patient.age_on(day)),
        SEX_SHORT.get(patient.sex, patient.sex),
        Paragraph(f"{procedure} · {escape(appointment.guidance)}", style["cell"]),
        appointment.region or "–",
        appointment.side or "–",
        Paragraph(escape(appointment.levels or "–"), style["cell"]),
        Paragraph(notes, style["cell"]),
        AppointmentStatus(appointment.status).label,
    ]


def worklist_table(
    appointments: Sequence[Appointment], day: dt.date, zone: str, drug_names: Mapping[str, str]
) -> Flowable:
    style = styles()
    if not appointments:
        return Paragraph("No appointments in this room on this day.", style["body"])
    header = [Paragraph(f"<b>{h}</b>", style["cell"]) for h in HEADERS]
    data = [header] + [_row(a, day, zone, drug_names) for a in appointments]
    table = Table(data, colWidths=[w * mm for w in COLUMNS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), style["cell"].fontName, 8.5, 10.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def worklist_part(
    appointments: Sequence[Appointment],
    room_name: str,
    day: dt.date,
    zone: str,
    clinic: Mapping[str, str],
    drug_names: Mapping[str, str],
    key: str = "worklist",
) -> Part:
    title = f"Worklist {room_name} · {fmt_long_date(day, 'en_GB')} · {fmt_date(day)}"
    count = f"{len(appointments)} appointment{'s' if len(appointments) != 1 else ''}"

    def on_page(canvas, doc) -> None:
        clinic_header(canvas, clinic, PAGE, MARGIN)
        canvas.saveState()
        canvas.setFont(BOLD, 12)
        canvas.drawString(MARGIN, PAGE[1] - 26 * mm, title)
        canvas.setFont(BOLD, 9)
        canvas.drawRightString(PAGE[0] - MARGIN, PAGE[1] - 26 * mm, count)
        canvas.restoreState()
        footer(canvas, f"Worklist {room_name} · {fmt_date(day)}", key, "en", pagesize=PAGE, margin=MARGIN)

    body = frame(MARGIN, BOTTOM, WIDTH, PAGE[1] - TOP - BOTTOM - 2 * mm, f"{key}-body")
    template = page_template(key, [body], on_page, pagesize=PAGE)
    return Part([template], [worklist_table(appointments, day, zone, drug_names)])


def render_worklist(
    appointments: Sequence[Appointment],
    room_name: str,
    day: dt.date,
    zone: str,
    clinic: Mapping[str, str],
    drug_names: Mapping[str, str],
) -> bytes:
    meta = Meta(f"Worklist {room_name} {day.isoformat()}", clinic.get("clinic_name", ""), "worklist", "en")
    return build_pdf([worklist_part(appointments, room_name, day, zone, clinic, drug_names)], meta)
