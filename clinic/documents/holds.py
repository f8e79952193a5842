"""What a letter or a reminder tells the patient about each medicine, in English or German.

One sentence (reportlab paragraph markup: ``<b>`` and escaped text) per drug of the hold plan, for one
appointment, written at one moment:

* a hold from a rule that no physician has signed off, with no radiologist's confirmation of this
  patient's plan, is never printed as a date: the clinic calls to confirm it (DESIGN.md §4, invariant 6);
* a firm hold gives the latest moment of the last dose (date and clock time in the clinic's zone),
  which keeps at least the hold's hours before the planned table start, and the earliest moment to
  take it again;
* a latest moment that has already passed when the letter is printed is never printed as an
  instruction: the patient is told what to do instead;
* injected drugs speak of the last injection, tablets of the last dose.

The moments come from ``clinic.services.medication`` (instants in UTC); this module only words them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape
from xml.sax.saxutils import escape

from ..core.holds import HoldItem, HoldPlan
from ..core.timefmt import fmt_long_date, fmt_time
from ..models.vocab import HoldAction

WORDS = {
    "en": {
        "last": "{drug}: last {dose} no later than <b>{when}</b> (at least {hours} hours before the procedure).",
        "dose": "dose",
        "injection": "injection",
        "restart": " Take it again no earlier than <b>{when}</b>.",
        "restart_injection": " Next injection no earlier than <b>{when}</b>.",
        "restart_later": " We will tell you after the procedure when to start again.",
        "passed": (
            "{drug}: the latest time for your last {dose} before this appointment has already passed. If you "
            "paused it as agreed with us, keep pausing it until after the procedure. If you have taken it since, "
            "or are not sure, please call us today on {phone}: the appointment may have to be moved."
        ),
        "inr": " Your INR must be checked shortly before the procedure; please arrange this with your doctor.",
        "confirm": (
            "{drug}: we will call you before the appointment to confirm whether and when to pause it. Until "
            "then, please take it as prescribed."
        ),
        "no_rule": (
            "{drug}: we will call you before the appointment to agree the plan for this medicine with you and "
            "your prescriber. Until then, please take it as prescribed."
        ),
        "shared": (
            "{drug}: please discuss with your prescriber whether to pause it before the procedure. Do not stop "
            "it on your own."
        ),
        "no_hold": "{drug}: no pause is needed; take it as usual.",
        "at": "{date}, {time}",
        "time_suffix": "",
    },
    "de": {
        "last": "{drug}: {dose} spätestens am <b>{when}</b> (mindestens {hours} Stunden vor dem Eingriff).",
        "dose": "letzte Einnahme",
        "injection": "letzte Spritze",
        "restart": " Wieder einnehmen frühestens am <b>{when}</b>.",
        "restart_injection": " Nächste Spritze frühestens am <b>{when}</b>.",
        "restart_later": " Wann Sie wieder beginnen, besprechen wir nach dem Eingriff mit Ihnen.",
        "passed": (
            "{drug}: Der späteste Zeitpunkt für die {dose} vor diesem Termin ist bereits vorbei. Haben Sie "
            "das Medikament wie mit uns besprochen pausiert, setzen Sie die Pause bis nach dem Eingriff fort. "
            "Haben Sie es seitdem genommen oder sind Sie unsicher, rufen Sie uns bitte noch heute unter {phone} "
            "an: Der Termin muss dann vielleicht verschoben werden."
        ),
        "inr": " Kurz vor dem Eingriff muss Ihr INR-Wert bestimmt werden; bitte vereinbaren Sie das mit Ihrer "
        "Arztpraxis.",
        "confirm": (
            "{drug}: Ob und ab wann Sie es vor dem Eingriff pausieren, bestätigen wir Ihnen vor dem Termin "
            "telefonisch. Bis dahin nehmen Sie es bitte wie verordnet."
        ),
        "no_rule": (
            "{drug}: Das Vorgehen bei diesem Medikament besprechen wir vor dem Termin telefonisch mit Ihnen und "
            "Ihrer verordnenden Arztpraxis. Bis dahin nehmen Sie es bitte wie verordnet."
        ),
        "shared": (
            "{drug}: Bitte besprechen Sie mit Ihrer verordnenden Ärztin oder Ihrem verordnenden Arzt, ob das "
            "Medikament vor dem Eingriff pausiert werden soll. Setzen Sie es nicht eigenmächtig ab."
        ),
        "no_hold": "{drug}: Eine Pause ist nicht nötig; nehmen Sie es wie gewohnt.",
        "at": "{date}, um {time}",
        "time_suffix": " Uhr",
    },
}
LOCALES = {"en": "en_GB", "de": "de_DE"}
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class HoldWording:
    """How to word the holds of one appointment: its times, the clinic's zone, the moment of printing."""

    language: str
    zone: str
    table_start: dt.datetime
    table_end: dt.datetime
    now: dt.datetime
    phone: str

    @property
    def words(self) -> dict[str, str]:
        return WORDS["de" if self.language == "de" else "en"]

    def moment(self, instant: dt.datetime) -> str:
        locale = LOCALES["de" if self.language == "de" else "en"]
        date = fmt_long_date(instant, locale, self.zone)
        time = fmt_time(instant, self.zone, locale) + self.words["time_suffix"]
        return self.words["at"].format(date=date, time=time)

    def sentence(self, plan: HoldPlan, item: HoldItem) -> str:
        """The drug's sentence as paragraph markup."""
        w = self.words
        drug = f"<b>{escape(item.drug_name)}</b>"
        if item.action == "no_rule":
            return w["no_rule"].format(drug=drug)
        if not plan.firm(item):
            return w["confirm"].format(drug=drug)
        if item.action == HoldAction.SHARED:
            return w["shared"].format(drug=drug)
        if not item.holds:
            return w["no_hold"].format(drug=drug)
        dose = w["injection"] if item.injected else w["dose"]
        latest = item.last_dose_no_later_than(self.table_start)
        if latest < self.now:
            text = w["passed"].format(drug=drug, dose=dose, phone=escape(self.phone))
        else:
            text = w["last"].format(drug=drug, dose=dose, when=self.moment(latest), hours=item.hold_hours)
        restart = item.restart_not_before(self.table_end)
        if restart is None:
            text += w["restart_later"]
        else:
            text += w["restart_injection" if item.injected else "restart"].format(when=self.moment(restart))
        return text + (w["inr"] if item.requires_inr else "")

    def sentences(self, plan: HoldPlan) -> list[str]:
        return [self.sentence(plan, item) for item in plan.items]


def plain(markup: str) -> str:
    """Paragraph markup as plain text (for emails)."""
    return unescape(TAG.sub("", markup))
