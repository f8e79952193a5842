"""Daily worklist of one room: a landscape table the radiologist and nurses work from, in the clinic's
language (German unless told otherwise).

The header row repeats on every page and each page says "Page X of Y", because the list is read
page by page at the scanner. Readiness notes (allergies, diabetes, possible pregnancy, implants, ...)
come from the referral's pre-registration. The medication column is about drugs that change bleeding
(not all of them thin the blood): per drug the hold and whether its last dose is known to keep it, whether
the plan is confirmed, INR where needed, a raised bleeding risk and a radiologist's override.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from ..core.holds import HoldPlan
from ..core.timefmt import fmt_date, fmt_long_date, fmt_time
from ..models import Appointment, PreRegistration
from ..models.vocab import ALLERGENS
from .common import clinic_header, footer
from .fit import cut, fit_words
from .fonts import BOLD, REGULAR, register_fonts
from .labels import SEX_SHORT, language_of, locale_of, word
from .layout import Meta, Part, build_pdf, frame, page_template
from .styles import LIGHT, RULE, styles
from .worklist_text import WORDS

PAGE = landscape(A4)
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN
TOP = 30 * mm
BOTTOM = 17 * mm
SIZE, LEADING, PAD = 8.5, 10.5, 4
# Column keys and widths in mm; the widths add up to the 267 mm between the margins. The narrow columns are
# as wide as their longest word in either language (the headers' "Geschl.", "Gerinnungsrelevante"; "beidseits";
# a clinic number P-123456; the region "Kreuzbein"; the statuses' "Überwachung", "observation"; an implant typed
# as "Herzschrittmacher"), so that no printed word is broken or runs into the next column; a longer typed value
# is cut to fit (``_wrap``, ``fit.cut``).
COLUMNS = [
    ("time", 22),
    ("patient", 25),
    ("number", 18),
    ("age", 12),
    ("sex", 16),
    ("procedure", 28),
    ("region", 18),
    ("side", 17),
    ("levels", 17),
    ("notes", 31),
    ("meds", 39),
    ("status", 24),
]


def readiness_notes(prereg: PreRegistration | None, language: str = "de") -> list[str]:
    """What the team must know before the needle, from the pre-registration checklist."""
    w = WORDS[language_of(language)]
    if prereg is None:
        return [w["no_prereg"]]
    notes = []
    allergies = [w["allergens"][key] for key in ALLERGENS if getattr(prereg, f"allergy_{key}")]
    if prereg.allergy_other:
        allergies.append(prereg.allergy_other)
    if allergies:
        notes.append(w["allergies"] + ", ".join(allergies))
    if prereg.diabetes:
        notes.append(w["diabetes"])
    if prereg.pregnancy_possible:
        notes.append(w["pregnancy"])
    if prereg.implant:
        notes.append(w["implant"] + (f": {prereg.implant_note}" if prereg.implant_note else ""))
    if prereg.kidney_disease:
        notes.append(w["kidney"])
    if prereg.current_infection:
        notes.append(w["infection"])
    return notes


def medication_notes(
    plan: HoldPlan | None, prereg: PreRegistration | None, appointment: Appointment, zone: str, language: str = "de"
) -> list[str]:
    """Per drug: the hold, the recorded last dose and whether it keeps the hold before this table start;
    then whether the plan is confirmed, a raised bleeding risk and a radiologist's override."""
    w = WORDS[language_of(language)]
    locale = locale_of(language_of(language))
    if plan is None or not plan.items:
        notes = [w["no_meds"]]
    else:
        notes = []
        for item in plan.items:
            drug = item.drug_name
            if item.action == "no_rule":
                notes.append(w["no_rule"].format(drug=drug))
                continue
            if not item.holds:
                notes.append(w["shared" if item.action == "shared_assessment" else "no_hold"].format(drug=drug))
                continue
            line = w["hold"].format(drug=drug, hours=item.hold_hours)
            if item.last_dose_on is None:
                line += "; " + w["no_last_dose"]
            else:
                kept = item.satisfied_for(appointment.table_start, zone)
                line += "; " + w["last_dose"].format(day=fmt_date(item.last_dose_on, locale))
                line += ", " + w["kept" if kept else "not_kept"]
                if item in plan.stale_for(appointment.table_start, zone):  # probably given for an earlier date
                    line += "; " + w["stale"]
            if item.requires_inr:
                line += "; " + w["inr"]
            notes.append(line)
        notes.append(w["unconfirmed"] if plan.awaiting_confirmation else w["confirmed"])
        if plan.override_date is not None:
            notes.append(w["override"].format(who=plan.override_by or "?", reason=plan.override_reason or ""))
    if prereg is not None and prereg.raised_bleeding_risk:
        notes.append(w["raised"])
    elif plan is not None and plan.raised_for_several:
        notes.append(w["raised_several"])
    return notes


def _wrap(lines: list[str], column: int, font: str = REGULAR) -> str:
    """Plain cell text broken to the column width: much cheaper than a Paragraph per cell, which
    matters for a long list."""
    return _wrapped(tuple(lines), column, font)


@lru_cache(maxsize=4096)
def _wrapped(lines: tuple[str, ...], column: int, font: str) -> str:
    """``_wrap``'s text, measured once per process: most cells (headers, sexes, sides, statuses, the
    drugs' lines) say the same on every list, and measuring them was about a tenth of a worklist's rendering time."""
    width = COLUMNS[column][1] * mm - 2 * PAD
    parts = [part for line in lines for part in simpleSplit(line, font, SIZE, width)]
    return "\n".join(piece for part in parts for piece in cut(part, font, SIZE, width)) or "–"


# The patient's name is set a little smaller where a word of it is wider than the column at the list's size,
# rather than broken inside the word; only a word wider than the column at the smallest size is cut.
NAME_SIZES = (SIZE, 8, 7.5, 7)


@lru_cache(maxsize=4096)
def _name(name: str) -> tuple[float, str]:
    """The size the patient's name is set at and its lines (``fit.fit_words``)."""
    size, lines = fit_words(name, BOLD, NAME_SIZES, COLUMNS[1][1] * mm - 2 * PAD)
    return size, "\n".join(lines) or "–"


def levels_of(appointment: Appointment) -> str | None:
    """The spinal levels, unless the field holds the target's code ("caudal": the demo clinic's data once put
    it there), which the procedure column names already."""
    return appointment.levels if appointment.levels != appointment.target else None


def _row(appointment: Appointment, day: dt.date, zone: str, plan: HoldPlan | None, language: str) -> list[str]:
    w = WORDS[language]
    patient = appointment.patient
    prereg = appointment.referral.preregistration if appointment.referral else None
    procedure = [f"{appointment.procedure_type.code} · {word(appointment.guidance, language)}"]
    procedure += [word(value, language) for value in (appointment.target, appointment.stage) if value]
    return [
        f"{fmt_time(appointment.table_start, zone)}–{fmt_time(appointment.table_end, zone)}",
        _name(patient.display_name)[1],
        patient.clinic_number,
        str(patient.age_on(day)),
        SEX_SHORT[language].get(patient.sex, patient.sex),
        _wrap(procedure, 5),
        _wrap([w["regions"].get(appointment.region or "", word(appointment.region, language))], 6),
        _wrap([word(appointment.side, language)], 7),
        _wrap([levels_of(appointment) or "–"], 8),
        _wrap(readiness_notes(prereg, language), 9),
        _wrap(medication_notes(plan, prereg, appointment, zone, language), 10),
        _wrap([w["status_labels"].get(appointment.status, appointment.status)], 11),
    ]


def worklist_table(
    appointments: Sequence[Appointment],
    day: dt.date,
    zone: str,
    plans: Mapping[int, HoldPlan],
    language: str = "de",
) -> Flowable:
    register_fonts()  # the cells are measured before the build
    w = WORDS[language]
    if not appointments:
        return Paragraph(w["empty"], styles()["body"])
    header = [_wrap([w[key]], n, BOLD) for n, (key, _width) in enumerate(COLUMNS)]
    data = [header] + [_row(a, day, zone, plans.get(a.id), language) for a in appointments]
    table = Table(data, colWidths=[width * mm for _key, width in COLUMNS], repeatRows=1)
    smaller = [
        ("FONT", (1, row), (1, row), BOLD, size, size * LEADING / SIZE)
        for row, size in enumerate((_name(a.patient.display_name)[0] for a in appointments), start=1)
        if size != SIZE
    ]
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, SIZE, LEADING),
                ("FONT", (0, 0), (-1, 0), BOLD, SIZE, LEADING),
                ("FONT", (1, 1), (1, -1), BOLD, SIZE, LEADING),
                *smaller,
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
    plans: Mapping[int, HoldPlan],
    key: str = "worklist",
    language: str = "de",
) -> Part:
    language = language_of(language)
    w = WORDS[language]
    locale = locale_of(language)
    title = w["title"].format(room=room_name, date=f"{fmt_long_date(day, locale)}")
    n = len(appointments)
    count = w["count_one"] if n == 1 else w["count"].format(n=n)

    def on_page(canvas, doc) -> None:
        clinic_header(canvas, clinic, PAGE, MARGIN)
        canvas.saveState()
        canvas.setFont(BOLD, 12)
        canvas.drawString(MARGIN, PAGE[1] - 26 * mm, title)
        canvas.setFont(BOLD, 9)
        canvas.drawRightString(PAGE[0] - MARGIN, PAGE[1] - 26 * mm, count)
        canvas.restoreState()
        left = f"{w['title'].format(room=room_name, date=fmt_date(day, locale))}"
        footer(canvas, left, key, language, pagesize=PAGE, margin=MARGIN)

    body = frame(MARGIN, BOTTOM, WIDTH, PAGE[1] - TOP - BOTTOM - 2 * mm, f"{key}-body")
    template = page_template(key, [body], on_page, pagesize=PAGE)
    return Part([template], [worklist_table(appointments, day, zone, plans, language)])


def render_worklist(
    appointments: Sequence[Appointment],
    room_name: str,
    day: dt.date,
    zone: str,
    clinic: Mapping[str, str],
    plans: Mapping[int, HoldPlan],
    language: str = "de",
) -> bytes:
    title = WORDS[language_of(language)]["title"].format(room=room_name, date=day.isoformat())
    meta = Meta(title, clinic.get("clinic_name", ""), "worklist", language_of(language))
    part = worklist_part(appointments, room_name, day, zone, clinic, plans, language=language)
    return build_pdf([part], meta)
