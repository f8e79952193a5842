"""Appointment letter in the patient's language: when and where to come, what to bring, eating, the
medicines that affect clotting (latest moments, or "we will call you"), warning signs before the
appointment, escort and no driving, how to cancel. The page itself (window envelope, DIN 5008 form B)
is in ``letter_page``; the medicines' sentences in ``holds``.

Each section is kept together, and the closing with the last section, so a second page starts at a
heading and never holds the closing alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, NextPageTemplate, Spacer, Table, TableStyle

from ..core.holds import HoldPlan
from ..core.timefmt import fmt_date, fmt_datetime, fmt_long_date, fmt_time
from ..models import Appointment, Patient
from .blocks import Paragraph
from .holds import HoldWording
from .labels import language_of, locale_of, word
from .layout import Meta, Part, build_pdf
from .letter_page import BODY_WIDTH, Letterhead, address_lines, letter_templates
from .letter_text import LETTER
from .styles import RULE, styles


@dataclass(frozen=True)
class LetterContext:
    """What the letter prints: dates in the clinic's zone, words in the patient's language. ``now`` is
    the moment of printing: a latest moment already past is never printed as an instruction."""

    appointment: Appointment
    hold_plan: HoldPlan
    clinic: Mapping[str, str]
    zone: str
    arrival_minutes: int
    issued_on: dt.date
    now: dt.datetime
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

    def moment(self, instant: dt.datetime) -> str:
        return self.words["at"].format(date=self.long_date(instant), time=self.time(instant))

    def hold_wording(self) -> HoldWording:
        a = self.appointment
        phone = self.clinic.get("clinic_phone", "")
        return HoldWording(self.language, self.zone, a.table_start, a.table_end, self.now, phone)

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
    location = room.location(ctx.language)
    if location:
        return escape(location)
    return ctx.words["where_default"].format(room=escape(room.name))


def procedure_line(appointment: Appointment, language: str) -> str:
    """The procedure as planned: name, target, stage and guidance, in the document's language."""
    parts = [appointment.procedure_type.name(language)]
    parts += [word(v, language) for v in (appointment.target, appointment.stage) if v]
    parts.append(LETTER[language]["guided"].format(guidance=word(appointment.guidance, language)))
    return ", ".join(parts)


def _facts(ctx: LetterContext) -> Table:
    w, a, style = ctx.words, ctx.appointment, styles()
    arrival = a.table_start - dt.timedelta(minutes=ctx.arrival_minutes)
    rows = [
        (w["procedure"], escape(procedure_line(a, ctx.language))),
        (w["date"], f"<b>{ctx.long_date(a.table_start)}</b>"),
        (w["time"], ctx.time(a.table_start)),
        (w["arrive"], "<b>" + w["arrive_value"].format(time=ctx.time(arrival), minutes=ctx.arrival_minutes) + "</b>"),
        (w["where"], _where(ctx)),
        (w["until"], w["until_value"].format(time=ctx.time(a.obs_end))),
        (w["reference"], w["reference_value"].format(reference=escape(a.reference))),
    ]
    data = [[Paragraph(label, style["label"]), Paragraph(value, style["body"])] for label, value in rows]
    table = Table(data, colWidths=[40 * mm, BODY_WIDTH - 40 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ]
        )
    )
    return table


def _section(heading: str, body: list[Flowable]) -> KeepTogether:
    return KeepTogether([Paragraph(heading, styles()["heading"]), *body])


def _food(ctx: LetterContext) -> list[Flowable]:
    style = styles()
    return [Paragraph(text, style["body"]) for text in food_sentences(ctx.words, ctx.appointment, ctx.now, ctx.moment)]


def food_sentences(
    w: Mapping[str, str], appointment: Appointment, now: dt.datetime, moment: Callable[[dt.datetime], str]
) -> list[str]:
    """What the letter says about eating (``letter_text``, with its markup), worded at ``now``; the reminder
    email says the same (``jobs.reminders``). ``moment`` words an instant in the letter's language."""
    hours = appointment.procedure_type.fasting_hours or 0
    if not hours:
        return [w["food_light"]]
    stop = appointment.table_start - dt.timedelta(hours=hours)  # on instants: a clock change cannot shorten it
    passed = stop <= now  # a reprint after the moment: never a past moment as an instruction
    if passed:
        out = [w["food_fast_passed"].format(hours=hours)]
    else:
        out = [w["food_fast"].format(when=moment(stop), hours=hours)]
    if _diabetes_recorded(appointment):  # fasting changes the diabetes medicines: agreed on the phone, never guessed
        out.append(w["food_diabetes_passed" if passed else "food_diabetes"])
    return out


def _diabetes_recorded(appointment: Appointment) -> bool:
    referral = appointment.referral
    prereg = referral.preregistration if referral is not None else None
    return bool(prereg is not None and prereg.diabetes)


def _medication(ctx: LetterContext) -> list[Flowable]:
    style = styles()
    if not ctx.hold_plan.items:
        return [Paragraph(ctx.words["meds_none"], style["body"])]
    lines = ctx.hold_wording().sentences(ctx.hold_plan)
    out: list[Flowable] = [Paragraph(line, style["bullet"], bulletText="•") for line in lines]
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
    emergency = escape(ctx.clinic.get("emergency_number", "112"))
    bring = [Paragraph(item, style["bullet"], bulletText="•") for item in w["bring_items"]]
    story: list[Flowable] = [
        Paragraph(subject, style["heading"]),
        Spacer(1, 2 * mm),
        Paragraph(_salutation(ctx), style["body"]),
        Paragraph(w["intro"], style["body"]),
        _facts(ctx),
        _section(w["warning"], [Paragraph(w["warning_text"].format(emergency=emergency), style["body"])]),
        _section(w["meds"], _medication(ctx)),
        _section(w["food"], _food(ctx)),
    ]
    if a.guidance == "MRI":
        story.append(_section(w["mri"], [Paragraph(w["mri_text"], style["body"])]))
    story += [
        _section(w["bring"], bring),
        _section(w["after"], [Paragraph(w["after_text"], style["body"])]),
        _section(
            w["change"],
            [
                Paragraph(w["change_text"].format(phone=phone), style["body"]),
                *_online(ctx),
                Spacer(1, 2 * mm),
                Paragraph(w["closing"], style["body"]),
                Paragraph(escape(ctx.clinic.get("letter_signature", "")), style["body"]),
                Paragraph(escape(ctx.clinic.get("clinic_name", "")), style["body"]),
            ],
        ),
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
