"""Appointment letter in the patient's language: when and where to come, what to bring, the medication
hold plan as calendar dates, escort and no driving, how to cancel. The page itself (window envelope,
DIN 5008 form B) is in ``letter_page``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, NextPageTemplate, Paragraph, Spacer, Table, TableStyle

from ..models import Appointment, Patient
from ..models.vocab import HoldAction
from ..services.medication import HoldItem, HoldPlan
from ..timefmt import fmt_date, fmt_datetime, fmt_long_date, fmt_time, to_local
from .labels import language_of, locale_of
from .layout import Meta, Part, build_pdf
from .letter_page import BODY_WIDTH, Letterhead, address_lines, letter_templates
from .letter_text import LETTER
from .styles import RULE, styles


@dataclass(frozen=True)
class LetterContext:
    """What the letter prints: dates in the clinic's zone, words in the patient's language."""

    appointment: Appointment
    hold_plan: HoldPlan
    clinic: Mapping[str, str]
    zone: str
    arrival_minutes: int
    issued_on: dt.date
    portal_url: str | None = None  # the patient's personal link, printed with a QR code when given

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


def _online(ctx: LetterContext) -> list[Flowable]:
    """The patient's link written out (its QR code is beside the information block, see letter_page)."""
    if not ctx.portal_url:
        return []
    text = ctx.words["online_text"].format(url=f"<b>{escape(ctx.portal_url)}</b>")
    return [Paragraph(text, styles()["cell"])]


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
        *_online(ctx),
        Spacer(1, 1.5 * mm if ctx.portal_url else 3 * mm),  # the link's line takes the gap: still one page
        Paragraph(w["closing"], style["body"]),
        Paragraph(escape(ctx.clinic.get("clinic_name", "")), style["body"]),
    ]
    return story


def letter_part(ctx: LetterContext, key: str = "letter") -> Part:
    head = Letterhead(
        clinic=ctx.clinic,
        address=address_lines(ctx.patient),
        info_rows=ctx.info_rows(),
        running_head=f"{ctx.patient.display_name} · {ctx.appointment.reference}",
        language=ctx.language,
        code=ctx.portal_url,
        code_caption=tuple(ctx.words["online"]) if ctx.portal_url else (),
    )
    return Part(letter_templates(head, key), [NextPageTemplate(f"{key}-next"), *letter_story(ctx)])


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
