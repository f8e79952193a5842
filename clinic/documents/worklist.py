"""Daily worklist of one room: a landscape table the radiologist and nurses work from.

The header row repeats on every page and each page says "Page X of Y", because the list is read
page by page at the scanner. Readiness notes (allergies, diabetes, possible pregnancy, implants,
blood thinners, ...) come from the referral's pre-registration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from ..models import Appointment, PreRegistration
from ..models.vocab import AppointmentStatus
from ..timefmt import fmt_date, fmt_long_date, fmt_time
from .common import clinic_header, footer
from .fonts import BOLD, REGULAR, register_fonts
from .labels import SEX_SHORT
from .layout import Meta, Part, build_pdf, frame, page_template
from .styles import LIGHT, RULE, styles

PAGE = landscape(A4)
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN
TOP = 30 * mm
BOTTOM = 17 * mm
SIZE, LEADING, PAD = 8.5, 10.5, 4
# (header, width in mm); the widths add up to the 267 mm between the margins.
COLUMNS = [
    ("Time", 21),
    ("Patient", 44),
    ("Clinic no.", 19),
    ("Age", 10),
    ("Sex", 10),
    ("Procedure", 24),
    ("Region", 18),
    ("Side", 15),
    ("Levels", 20),
    ("Readiness notes", 65),
    ("Status", 21),
]


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


def _wrap(lines: list[str], column: int, font: str = REGULAR) -> str:
    """Plain cell text broken to the column width: much cheaper than a Paragraph per cell, which
    matters for a long list."""
    width = COLUMNS[column][1] * mm - 2 * PAD
    return "\n".join(part for line in lines for part in simpleSplit(line, font, SIZE, width)) or "–"


def _row(appointment: Appointment, day: dt.date, zone: str, drug_names: Mapping[str, str]) -> list[str]:
    patient = appointment.patient
    prereg = appointment.referral.preregistration if appointment.referral else None
    procedure = [f"{appointment.procedure_type.code} · {appointment.guidance}"]
    if appointment.stage:
        procedure.append(appointment.stage)
    return [
        f"{fmt_time(appointment.table_start, zone)}–{fmt_time(appointment.table_end, zone)}",
        _wrap([patient.display_name], 1, BOLD),
        patient.clinic_number,
        str(patient.age_on(day)),
        SEX_SHORT.get(patient.sex, patient.sex),
        _wrap(procedure, 5),
        appointment.region or "–",
        appointment.side or "–",
        _wrap([appointment.levels or "–"], 8),
        _wrap(readiness_notes(prereg, drug_names), 9),
        AppointmentStatus(appointment.status).label,
    ]


def worklist_table(
    appointments: Sequence[Appointment], day: dt.date, zone: str, drug_names: Mapping[str, str]
) -> Flowable:
    register_fonts()  # the cells are measured before the build
    if not appointments:
        return Paragraph("No appointments in this room on this day.", styles()["body"])
    data = [[header for header, _width in COLUMNS]] + [_row(a, day, zone, drug_names) for a in appointments]
    table = Table(data, colWidths=[width * mm for _header, width in COLUMNS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, SIZE, LEADING),
                ("FONT", (0, 0), (-1, 0), BOLD, SIZE, LEADING),
                ("FONT", (1, 1), (1, -1), BOLD, SIZE, LEADING),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
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
