"""Appointment letter in the patient's language, laid out for a DIN 5008 form B window envelope.

The address field sits 45 mm from the top and 20 mm from the left edge, 85 × 45 mm; the sender line is
the last line of its upper (notes) zone, the recipient's address fills its lower zone. Fold marks at
105 and 210 mm, the punch mark at 148.5 mm.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, NextPageTemplate, Paragraph, Spacer, Table, TableStyle

from ..models import Appointment, Patient
from ..models.vocab import HoldAction
from ..services.medication import HoldItem, HoldPlan
from ..timefmt import fmt_date, fmt_datetime, fmt_long_date, fmt_time, to_local
from .common import PAGE_OF
from .fonts import BOLD, REGULAR
from .labels import language_of, locale_of
from .layout import PAGE_HEIGHT, PAGE_WIDTH, Meta, PageNumber, Part, build_pdf, frame, page_template, set_page_number
from .letter_text import LETTER
from .styles import GREY, RULE, styles

LEFT = 25 * mm
RIGHT = 20 * mm
BODY_WIDTH = PAGE_WIDTH - LEFT - RIGHT
FIELD_LEFT, FIELD_TOP, FIELD_WIDTH, FIELD_HEIGHT = 20 * mm, 45 * mm, 85 * mm, 45 * mm
SENDER_BASELINE = 60.5 * mm  # bottom line of the 17.7 mm notes zone
ADDRESS_TOP = 62.7 * mm
INFO_LEFT, INFO_VALUE, INFO_TOP = 125 * mm, 152 * mm, 50 * mm
BODY_TOP = 98.5 * mm
BOTTOM = 22 * mm


def _y(from_top: float) -> float:
    return PAGE_HEIGHT - from_top


def address_lines(patient: Patient) -> list[str]:
    lines = [patient.full_name, patient.street or "", f"{patient.postal_code or ''} {patient.city or ''}".strip()]
    if patient.country and patient.country != "DE":
        lines.append(patient.country)
    return [line for line in lines if line]


def _sender_line(canvas: Canvas, clinic: Mapping[str, str]) -> None:
    text = f"{clinic.get('clinic_name', '')} · {clinic.get('clinic_address', '')}"
    size = 7.0
    while stringWidth(text, REGULAR, size) > FIELD_WIDTH - 5 * mm and size > 5:
        size -= 0.5
    canvas.setFont(REGULAR, size)
    canvas.drawString(FIELD_LEFT + 5 * mm, _y(SENDER_BASELINE), text)
    width = stringWidth(text, REGULAR, size)
    canvas.setLineWidth(0.3)
    canvas.line(FIELD_LEFT + 5 * mm, _y(SENDER_BASELINE) - 1.2, FIELD_LEFT + 5 * mm + width, _y(SENDER_BASELINE) - 1.2)


def _letterhead(canvas: Canvas, clinic: Mapping[str, str]) -> None:
    canvas.setFont(BOLD, 13)
    canvas.drawString(LEFT, _y(20 * mm), clinic.get("clinic_name", ""))
    canvas.setFont(REGULAR, 8)
    canvas.setFillColor(GREY)
    canvas.drawString(LEFT, _y(25 * mm), clinic.get("clinic_department", ""))
    right = PAGE_WIDTH - RIGHT
    for n, key in enumerate(("clinic_address", "clinic_phone", "clinic_email")):
        canvas.drawRightString(right, _y((16 + 4 * n) * mm), clinic.get(key, ""))
    canvas.setFillColor("black")


def _marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    for from_top, length in ((105 * mm, 5 * mm), (148.5 * mm, 7 * mm), (210 * mm, 5 * mm)):
        canvas.line(4 * mm, _y(from_top), 4 * mm + length, _y(from_top))


def _info_block(canvas: Canvas, rows: list[tuple[str, str]]) -> None:
    for n, (label, value) in enumerate(rows):
        y = _y(INFO_TOP + n * 5 * mm)
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(INFO_LEFT, y, label)
        canvas.setFont(REGULAR, 9)
        canvas.setFillColor("black")
        canvas.drawString(INFO_VALUE, y, value)


def _footer(canvas: Canvas, clinic: Mapping[str, str], language: str, key: str) -> None:
    canvas.setFont(REGULAR, 7)
    canvas.setFillColor(GREY)
    parts = [clinic.get(k, "") for k in ("clinic_name", "clinic_address", "clinic_phone")]
    canvas.drawString(LEFT, 11 * mm, " · ".join(p for p in parts if p))
    set_page_number(canvas, PageNumber(PAGE_WIDTH - RIGHT, 11 * mm, PAGE_OF[language], key, size=7))


@dataclass(frozen=True)
class LetterContext:
    """What the letter prints: dates in the clinic's zone, words in the patient's language."""

    appointment: Appointment
    hold_plan: HoldPlan
    clinic: Mapping[str, str]
    zone: str
    arrival_minutes: int
    issued_on: dt.date

    @property
    def patient(self) -> Patient:
        return self.appointment.patient

    @property
    def language(self) -> str:
        return language_of(self.patient.preferred_language)

    @property
    def locale(self) -> str:
        return locale_of(self.language)

    @property
    def words(self) -> dict:
        return LETTER[self.language]

    def time(self, instant: dt.datetime) -> str:
        return fmt_time(instant, self.zone, self.locale) + self.words["time_suffix"]

    def long_date(self, day: dt.date | dt.datetime) -> str:
        return fmt_long_date(day, self.locale, self.zone)

    def info_rows(self) -> list[tuple[str, str]]:
        w, a = self.words, self.appointment
        return [
            (w["letter_date"], fmt_date(self.issued_on, self.locale)),
            (w["appointment"], fmt_datetime(a.table_start, self.zone, self.locale)),
            (w["reference"], a.reference),
            (w["number"], self.patient.clinic_number),
            (w["phone"], self.clinic.get("clinic_phone", "")),
        ]


def _salutation(ctx: LetterContext) -> str:
    key = {"female": "salutation_female", "male": "salutation_male"}.get(ctx.patient.sex, "salutation_other")
    return ctx.words[key].format(family=escape(ctx.patient.family_name), given=escape(ctx.patient.given_name))


def _where(ctx: LetterContext) -> str:
    room = ctx.appointment.room
    if room.location_hint:
        return escape(room.location_hint)
    return ctx.words["where_default"].format(room=escape(room.name))


def _facts(ctx: LetterContext) -> Table:
    w, a, style = ctx.words, ctx.appointment, styles()
    arrival = a.table_start - dt.timedelta(minutes=ctx.arrival_minutes)
    rows = [
        (w["date"], f"<b>{ctx.long_date(a.table_start)}</b>"),
        (w["time"], ctx.time(a.table_start)),
        (w["arrive"], "<b>" + w["arrive_value"].format(time=ctx.time(arrival), minutes=ctx.arrival_minutes) + "</b>"),
        (w["where"], _where(ctx)),
        (w["until"], w["until_value"].format(time=ctx.time(a.obs_end))),
        (w["reference"], w["reference_value"].format(reference=escape(a.reference))),
    ]
    data = [[Paragraph(label, style["label"]), Paragraph(value, style["body"])] for label, value in rows]
    table = Table(data, colWidths=[38 * mm, BODY_WIDTH - 38 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ]
        )
    )
    return table


def hold_line(ctx: LetterContext, item: HoldItem) -> str:
    """One drug of the hold plan as a sentence, with calendar dates for this appointment."""
    w = ctx.words
    drug = escape(item.drug_name)
    if item.holds:
        procedure_day = to_local(ctx.appointment.table_start, ctx.zone).date()
        last = ctx.long_date(item.last_day_to_take(procedure_day))
        restart = item.restart_from(ctx.appointment.table_end)
        if restart is None:
            text = w["hold_no_restart"].format(drug=drug, last=last)
        else:
            when = f"{ctx.long_date(restart)}, {ctx.time(restart)}"
            text = w["hold"].format(drug=drug, last=last, restart=when)
        return text + (w["inr"] if item.requires_inr else "")
    if item.action == HoldAction.SHARED:
        return w["shared"].format(drug=drug)
    if item.action == HoldAction.NO_HOLD:
        return w["no_hold"].format(drug=drug)
    return w["no_rule"].format(drug=drug)


def _medication(ctx: LetterContext) -> list[Flowable]:
    style = styles()
    out: list[Flowable] = [Paragraph(ctx.words["meds"], style["heading"])]
    if not ctx.hold_plan.items:
        return [*out, Paragraph(ctx.words["meds_none"], style["body"])]
    out += [Paragraph(hold_line(ctx, item), style["bullet"], bulletText="•") for item in ctx.hold_plan.items]
    out.append(Paragraph(ctx.words["meds_note"], style["body"]))
    return out


def letter_story(ctx: LetterContext) -> list[Flowable]:
    w, a, style = ctx.words, ctx.appointment, styles()
    procedure = escape(a.procedure_type.name(ctx.language))
    subject = w["subject"].format(date=ctx.long_date(a.table_start), procedure=procedure)
    phone = escape(ctx.clinic.get("clinic_phone", ""))
    story: list[Flowable] = [
        Paragraph(subject, style["heading"]),
        Spacer(1, 3 * mm),
        Paragraph(_salutation(ctx), style["body"]),
        Paragraph(w["intro"], style["body"]),
        Spacer(1, 1 * mm),
        _facts(ctx),
        Paragraph(w["bring"], style["heading"]),
    ]
    story += [Paragraph(item, style["bullet"], bulletText="•") for item in w["bring_items"]]
    story += _medication(ctx)
    story += [
        Paragraph(w["after"], style["heading"]),
        Paragraph(w["after_text"], style["body"]),
        Paragraph(w["change"], style["heading"]),
        Paragraph(w["change_text"].format(phone=phone), style["body"]),
        Spacer(1, 3 * mm),
        Paragraph(w["closing"], style["body"]),
        Paragraph(escape(ctx.clinic.get("clinic_name", "")), style["body"]),
    ]
    return story


def letter_part(ctx: LetterContext, key: str = "letter") -> Part:
    patient_line = f"{ctx.patient.display_name} · {ctx.appointment.reference}"

    def first_page(canvas, doc) -> None:
        _letterhead(canvas, ctx.clinic)
        _sender_line(canvas, ctx.clinic)
        canvas.setFont(REGULAR, 10)
        for n, line in enumerate(address_lines(ctx.patient)):
            canvas.drawString(FIELD_LEFT + 5 * mm, _y(ADDRESS_TOP + 5 * mm + n * 4.6 * mm), line)
        _info_block(canvas, ctx.info_rows())
        _marks(canvas)
        _footer(canvas, ctx.clinic, ctx.language, key)

    def next_page(canvas, doc) -> None:
        canvas.setFont(BOLD, 9)
        canvas.drawString(LEFT, _y(15 * mm), ctx.clinic.get("clinic_name", ""))
        canvas.setFont(REGULAR, 8)
        canvas.drawRightString(PAGE_WIDTH - RIGHT, _y(15 * mm), patient_line)
        _marks(canvas)
        _footer(canvas, ctx.clinic, ctx.language, key)

    first = frame(LEFT, BOTTOM, BODY_WIDTH, PAGE_HEIGHT - BODY_TOP - BOTTOM, f"{key}-first")
    later = frame(LEFT, BOTTOM, BODY_WIDTH, PAGE_HEIGHT - 25 * mm - BOTTOM, f"{key}-later")
    templates = [page_template(key, [first], first_page), page_template(f"{key}-next", [later], next_page)]
    return Part(templates, [NextPageTemplate(f"{key}-next"), *letter_story(ctx)])


def letter_meta(ctx: LetterContext) -> Meta:
    return Meta(
        title=LETTER[ctx.language]["subject"].format(
            date=fmt_date(ctx.appointment.table_start, ctx.locale, ctx.zone),
            procedure=ctx.appointment.procedure_type.name(ctx.language),
        ),
        author=ctx.clinic.get("clinic_name", ""),
        subject=ctx.appointment.reference,
        language=ctx.language,
    )


def render_letter(ctx: LetterContext) -> bytes:
    return build_pdf([letter_part(ctx)], letter_meta(ctx))
