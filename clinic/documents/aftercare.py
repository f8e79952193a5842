"""Discharge sheet ("Hinweise nach dem Eingriff"): what the nurse hands the patient on leaving, in the
patient's language.

It names the patient, the procedure and the moment it ended, and for each medicine paused for it when it
may be taken again: the end of the procedure plus the rule's restart hours, counted as elapsed hours
(procedures.md §4: "restart after procedure: 24 h" is the time since the procedure, whatever the clock on
the wall does), worked out on UTC instants and written in the clinic's zone with its weekday. A restart
across a change of the clocks says so, so "24 hours later" at 15:00 on the next day is not read as an error.

A time is printed only when everything behind it is known and settled: a paused drug (``HoldItem.holds``),
a plan the patient may be told as settled (``HoldPlan.firm``), the rule's restart hours and the recorded end
of the procedure. Otherwise the sheet asks the patient to speak with the clinic before taking it again and
says the clinic will call: never a guessed time. A drug that was left to the prescriber or had no rule may
have been paused after the call or not: the sheet says both ways, so nobody stops a drug because of it.
Drugs that were not paused are not mentioned.

The after-care advice and the warning signs are the procedure's own information text (its sections "After
the procedure" and "When to seek help at once"), not new clinical text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..core.holds import RESTART_CALL, RESTART_CALL_IF_PAUSED, HoldItem, HoldPlan
from ..core.timefmt import fmt_date, fmt_long_date, fmt_time, to_local
from ..models import Appointment
from .common import clinic_header, footer
from .labels import language_of, locale_of
from .layout import PAGE_HEIGHT, PAGE_WIDTH, Meta, Part, build_pdf, frame, page_template
from .markup import Section, flowables, placeholder_values
from .styles import RULE, styles

TOP = 23 * mm
BOTTOM = 15 * mm
MARGIN = 18 * mm

WORDS = {
    "en": {
        "title": "After your procedure",
        "patient": "Patient",
        "born": "Date of birth",
        "procedure": "Procedure",
        "date": "Date",
        "ended": "Procedure ended",
        "not_recorded": "not recorded",
        "meds": "Your medicines that affect blood clotting",
        "restart": (
            "{drug}: take it again <b>no earlier than {when}</b>. That is {hours} hours after the end of the "
            "procedure ({ended})."
        ),
        "restart_injection": (
            "{drug}: next injection <b>no earlier than {when}</b>. That is {hours} hours after the end of the "
            "procedure ({ended})."
        ),
        "clock_change": " The clocks change in between; the time above is already the new clock time.",
        "call": (
            "{drug}: we will call you to agree when you start again. <b>Please speak with us before you take "
            "{name} again</b> (telephone {phone})."
        ),
        "call_if_paused": (
            "{drug}: if you paused it for the procedure, <b>please speak with us before you take it again</b>; "
            "we will call you (telephone {phone}). If you did not pause it, go on taking it as prescribed."
        ),
        "help_title": "When to seek help at once",
        "questions": "Questions about the procedure or these instructions: telephone {phone}.",
        "at": "{date}, {time}",
        "time_suffix": "",
    },
    "de": {
        "title": "Hinweise nach dem Eingriff",
        "patient": "Patient/in",
        "born": "Geburtsdatum",
        "procedure": "Eingriff",
        "date": "Datum",
        "ended": "Ende des Eingriffs",
        "not_recorded": "nicht erfasst",
        "meds": "Ihre Medikamente, die die Blutgerinnung beeinflussen",
        "restart": (
            "{drug}: Wieder einnehmen <b>frühestens am {when}</b>. Das ist {hours} Stunden nach dem Ende des "
            "Eingriffs ({ended})."
        ),
        "restart_injection": (
            "{drug}: Nächste Spritze <b>frühestens am {when}</b>. Das ist {hours} Stunden nach dem Ende des "
            "Eingriffs ({ended})."
        ),
        "clock_change": " Dazwischen wird die Uhr umgestellt; die Uhrzeit oben ist bereits die neue Uhrzeit.",
        "call": (
            "{drug}: Wir rufen Sie an, um den Wiederbeginn mit Ihnen abzusprechen. <b>Bitte sprechen Sie mit uns, "
            "bevor Sie {name} wieder einnehmen</b> (Telefon {phone})."
        ),
        "call_if_paused": (
            "{drug}: Falls Sie es für den Eingriff pausiert haben: <b>Bitte sprechen Sie mit uns, bevor Sie es "
            "wieder einnehmen</b>; wir rufen Sie an (Telefon {phone}). Haben Sie es nicht pausiert, nehmen Sie es "
            "wie verordnet weiter."
        ),
        "help_title": "Wann Sie sofort Hilfe holen sollten",
        "questions": "Fragen zum Eingriff oder zu diesen Hinweisen: Telefon {phone}.",
        "at": "{date}, um {time}",
        "time_suffix": " Uhr",
    },
}


@dataclass(frozen=True)
class AftercareContext:
    """What the sheet prints. ``ended_at``: the recorded end of the procedure (None: not recorded);
    ``sections``: the procedure's information text's after-care and warning-sign sections, as parsed for
    this appointment; ``printed_at`` the moment of printing (for the footer)."""

    appointment: Appointment
    ended_at: dt.datetime | None
    hold_plan: HoldPlan | None
    sections: list[Section]
    clinic: Mapping[str, str]
    zone: str
    printed_at: dt.datetime

    @property
    def language(self) -> str:
        return language_of(self.appointment.patient.preferred_language)

    @property
    def locale(self) -> str:
        return locale_of(self.language)

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.language]

    def moment(self, instant: dt.datetime) -> str:
        time = fmt_time(instant, self.zone, self.locale) + self.words["time_suffix"]
        return self.words["at"].format(date=fmt_long_date(instant, self.locale, self.zone), time=time)


def restart_sentence(ctx: AftercareContext, plan: HoldPlan, item: HoldItem) -> str:
    """The drug's sentence, as paragraph markup (``HoldPlan.restart`` decides between a time and a call; the
    restart call list, ``clinic.services.restart_calls``, follows the same decision)."""
    w = ctx.words
    drug = f"<b>{escape(item.drug_name)}</b>"
    phone = escape(ctx.clinic.get("clinic_phone", ""))
    restart = plan.restart(item, ctx.ended_at)
    if restart is None or restart.kind == RESTART_CALL_IF_PAUSED:  # it may or may not have been paused
        return w["call_if_paused"].format(drug=drug, phone=phone)
    if restart.kind == RESTART_CALL:  # no restart hours in the rule, or the end not recorded: never a guess
        return w["call"].format(drug=drug, name=escape(item.drug_name), phone=phone)
    text = w["restart_injection" if item.injected else "restart"].format(
        drug=drug, when=ctx.moment(restart.at), hours=item.restart_hours, ended=ctx.moment(ctx.ended_at)
    )
    if to_local(restart.at, ctx.zone).utcoffset() != to_local(ctx.ended_at, ctx.zone).utcoffset():
        text += w["clock_change"]
    return text


def _facts(ctx: AftercareContext) -> Table:
    w, a, style = ctx.words, ctx.appointment, styles()
    patient = a.patient
    ended = ctx.moment(ctx.ended_at) if ctx.ended_at is not None else w["not_recorded"]
    rows = [
        (w["patient"], f"<b>{escape(patient.display_name)}</b>"),
        (w["born"], fmt_date(patient.birth_date, ctx.locale)),
        (w["procedure"], escape(a.procedure_type.name(ctx.language))),
        (w["date"], fmt_long_date(a.table_start, ctx.locale, ctx.zone)),
        (w["ended"], f"<b>{ended}</b>"),
    ]
    data = [[Paragraph(label, style["label"]), Paragraph(value, style["body"])] for label, value in rows]
    table = Table(data, colWidths=[42 * mm, PAGE_WIDTH - 2 * MARGIN - 42 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _medicines(ctx: AftercareContext) -> list[Flowable]:
    plan = ctx.hold_plan
    items = [item for item in plan.items if plan.restart(item, ctx.ended_at) is not None] if plan is not None else []
    if not items:
        return []
    style = styles()
    lines = [Paragraph(restart_sentence(ctx, plan, item), style["bullet"], bulletText="•") for item in items]
    return [KeepTogether([Paragraph(ctx.words["meds"], style["heading"]), *lines])]


def aftercare_story(ctx: AftercareContext) -> list[Flowable]:
    style = styles()
    values = placeholder_values(ctx.clinic, ctx.appointment.guidance or "CT", ctx.language)
    phone = escape(ctx.clinic.get("clinic_phone", ""))
    story: list[Flowable] = [Paragraph(ctx.words["title"], style["title"]), _facts(ctx), Spacer(1, 3 * mm)]
    story += _medicines(ctx)
    story += flowables(ctx.sections, values)
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(ctx.words["questions"].format(phone=phone), style["body"]))
    return story


def aftercare_part(ctx: AftercareContext, key: str = "aftercare") -> Part:
    label = f"{ctx.appointment.reference} · {fmt_date(ctx.printed_at, ctx.locale, ctx.zone)}"

    def on_page(canvas, doc) -> None:
        clinic_header(canvas, ctx.clinic, margin=MARGIN)
        footer(canvas, label, key, ctx.language, centre=ctx.clinic.get("clinic_name", ""), margin=MARGIN)

    body = frame(MARGIN, BOTTOM, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - TOP - BOTTOM, f"{key}-body")
    return Part([page_template(key, [body], on_page)], aftercare_story(ctx))


def render_aftercare(ctx: AftercareContext) -> bytes:
    meta = Meta(
        title=f"{ctx.words['title']}: {ctx.appointment.procedure_type.name(ctx.language)}",
        author=ctx.clinic.get("clinic_name", ""),
        subject=ctx.appointment.reference,
        language=ctx.language,
    )
    return build_pdf([aftercare_part(ctx)], meta)
