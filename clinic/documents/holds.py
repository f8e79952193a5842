"""What a letter or a reminder tells the patient about each medicine, in English or German.

One sentence (reportlab paragraph markup: ``<b>`` and escaped text) per drug of the hold plan, for one
appointment, written at one moment:

* a hold from a rule that no physician has signed off, with no radiologist's confirmation of this
  patient's plan, is never printed as a date: the clinic calls to confirm it (DESIGN.md §4, invariant 6);
* a firm hold gives the latest moment of the last dose (date and clock time in the clinic's zone),
  which keeps at least the hold's hours before the planned table start, and the earliest moment to
  take it again;
* a latest moment that has already passed when the letter is printed is never printed as an
  instruction: the patient is told what to do instead; one less than a day away (``STOP_NOTICE``) is
  printed with a request to call the clinic if it is read too late;
* a recorded last dose that comes too late for the hold (``HoldPlan.broken_for``) is never answered with
  the latest moment as if all were well: the clinic calls to confirm whether the appointment can go ahead;
* a plan still to confirm whose last dose is recorded (the patient has paused it, or will from that day)
  repeats that day and announces the call, with no instruction: "take it as prescribed until we call"
  would undo the pause they told us of, and no figure of the unsigned rule is given; a day that comes
  too late for the hold is not confirmed by the letter: we call to check whether the appointment holds;
* a recorded last dose long before the hold for this appointment (``HoldPlan.stale_for``: earlier than the
  latest moment minus the hold's length, most likely given for an earlier date) is neither repeated nor said
  to keep the pause: the clinic calls to confirm when to stop, and until then the drug is taken as prescribed;
* a recorded last dose that keeps a firm hold is repeated as that day (it was agreed with the patient), not
  answered with a latest moment of another day; the restart follows as usual;
* injected drugs speak of the last injection, tablets of the last dose.

The moments come from ``clinic.services.medication`` (instants in UTC); this module only words them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape
from xml.sax.saxutils import escape

from ..core.holds import HoldItem, HoldPlan, end_of_day
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
        "soon": " That is less than a day away: if you read this only afterwards, please call us today on {phone}.",
        "broken": (
            "{drug}: the last {dose} you told us of, on {day}, leaves less than {hours} hours before the "
            "procedure. We will call you to confirm whether the appointment can go ahead or has to be moved. "
            "If you have questions before then, please call us on {phone}."
        ),
        "kept": (
            "{drug}: you told us that your last {dose} before the procedure is on <b>{day}</b>. That keeps the "
            "pause of at least {hours} hours before the procedure."
        ),
        "clock_before": (
            " The clocks change before the procedure: the {hours} hours are real hours, so the time above is an "
            "hour apart from the procedure's clock time."
        ),
        "clock_after": " The clocks change in between; the time above is already the new clock time.",
        "inr": " Your INR must be checked shortly before the procedure; please arrange this with your doctor.",
        "confirm": (
            "{drug}: we will call you before the appointment to confirm whether and when to pause it. Until "
            "then, please take it as prescribed."
        ),
        "no_rule": (
            "{drug}: we will call you before the appointment to agree the plan for this medicine with you and "
            "your prescriber. Until then, please take it as prescribed."
        ),
        "no_rule_agreed": (
            "{drug}: we have agreed with you by telephone how to handle this medicine before the procedure. "
            "Please keep to what was agreed; if you are unsure, call us on {phone}."
        ),
        "confirm_recorded": (
            "{drug}: you told us that your last {dose} before the procedure is on {day}. We will call you before "
            "the appointment to confirm the plan for this medicine."
        ),
        "confirm_broken": (
            "{drug}: you told us that your last {dose} before the procedure is on {day}. We will call you to "
            "check whether the appointment can go ahead or has to be moved. If you have questions before then, "
            "please call us on {phone}."
        ),
        "shared": (
            "{drug}: our radiologist has checked it for this procedure: no pause is planned unless we agreed "
            "otherwise with you on the telephone. Please take it as prescribed and do not stop it on your own."
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
        "soon": (
            " Das ist weniger als einen Tag entfernt: Lesen Sie dies erst danach, rufen Sie uns bitte noch heute "
            "unter {phone} an."
        ),
        "broken": (
            "{drug}: Ihre {dose} laut Ihren Angaben am {day} liegt weniger als {hours} Stunden vor dem Eingriff. "
            "Wir rufen Sie an, um zu klären, ob der Termin stattfinden kann oder verschoben werden muss. Bei "
            "Fragen erreichen Sie uns vorher unter {phone}."
        ),
        "kept": (
            "{drug}: Laut Ihren Angaben ist Ihre {dose} vor dem Eingriff am <b>{day}</b>. Damit ist die Pause "
            "von mindestens {hours} Stunden vor dem Eingriff eingehalten."
        ),
        "clock_before": (
            " Vor dem Eingriff wird die Uhr umgestellt: Die {hours} Stunden sind echte Stunden, daher liegt die "
            "Uhrzeit oben eine Stunde neben der Uhrzeit des Eingriffs."
        ),
        "clock_after": " Dazwischen wird die Uhr umgestellt; die Uhrzeit oben ist bereits die neue Uhrzeit.",
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
        "no_rule_agreed": (
            "{drug}: Wie Sie es vor dem Eingriff mit diesem Medikament halten, haben wir telefonisch mit Ihnen "
            "vereinbart. Bitte halten Sie sich daran; sind Sie unsicher, rufen Sie uns unter {phone} an."
        ),
        "confirm_recorded": (
            "{drug}: Laut Ihren Angaben ist Ihre {dose} vor dem Eingriff am {day}. Das Vorgehen bei diesem "
            "Medikament bestätigen wir Ihnen vor dem Termin telefonisch."
        ),
        "confirm_broken": (
            "{drug}: Laut Ihren Angaben ist Ihre {dose} vor dem Eingriff am {day}. Wir rufen Sie an, um zu "
            "klären, ob der Termin stattfinden kann oder verschoben werden muss. Bei Fragen erreichen Sie uns "
            "vorher unter {phone}."
        ),
        "shared": (
            "{drug}: Unsere Radiologie hat es für diesen Eingriff geprüft: Eine Pause ist nicht vorgesehen, sofern "
            "wir telefonisch nichts anderes mit Ihnen vereinbart haben. Bitte nehmen Sie es wie verordnet und "
            "setzen Sie es nicht eigenmächtig ab."
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

    @property
    def locale(self) -> str:
        return LOCALES["de" if self.language == "de" else "en"]

    def moment(self, instant: dt.datetime) -> str:
        locale = self.locale
        date = fmt_long_date(instant, locale, self.zone)
        time = fmt_time(instant, self.zone, locale) + self.words["time_suffix"]
        return self.words["at"].format(date=date, time=time)

    def sentence(self, plan: HoldPlan, item: HoldItem) -> str:
        """The drug's sentence as paragraph markup."""
        w = self.words
        drug = f"<b>{escape(item.drug_name)}</b>"
        dose = w["injection"] if item.injected else w["dose"]
        phone = escape(self.phone)
        # The one place the letter judges a recorded last dose against the hold, on its own figures and
        # whatever else the plan says (walk 27: under a radiologist's override for another drug the letter
        # said a clopidogrel pause of 168 hours was kept, with 80 hours between the last dose and the
        # procedure): a pause is called kept only when the last dose (the end of its day) plus the rule's
        # hours is at or before the table start; otherwise the clinic calls to confirm.
        too_late = item.holds and item.last_dose_on is not None and not item.satisfied_for(self.table_start, self.zone)
        if item.action == "no_rule" and plan.firm(item):  # agreed by telephone; no figures of a rule to print
            return w["no_rule_agreed"].format(drug=drug, phone=phone)
        if item in plan.stale_for(self.table_start, self.zone):  # a last dose long before this hold (``stale_for``):
            # most likely given for an earlier date; never "the pause is kept" (walk 27: 16 weeks off apixaban)
            return w["confirm"].format(drug=drug)
        if item.action == "no_rule" or not plan.firm(item):  # no figure of a rule nobody signed off
            if item.last_dose_on is not None:  # already paused (or planned): "take it as prescribed" would undo it
                day = fmt_long_date(item.last_dose_on, self.locale)
                if too_late:  # never as if that day were fine
                    return w["confirm_broken"].format(drug=drug, dose=dose, day=day, phone=phone)
                return w["confirm_recorded"].format(drug=drug, dose=dose, day=day)
            return w["no_rule" if item.action == "no_rule" else "confirm"].format(drug=drug)
        if item.action == HoldAction.SHARED:
            return w["shared"].format(drug=drug)
        if not item.holds:
            return w["no_hold"].format(drug=drug)
        if too_late:
            day = fmt_long_date(item.last_dose_on, self.locale)
            return w["broken"].format(drug=drug, dose=dose, day=day, hours=item.hold_hours, phone=phone)
        latest = item.last_dose_no_later_than(self.table_start)
        if item.last_dose_on is not None:  # recorded and keeps the hold: the day agreed, not a different moment
            assert end_of_day(item.last_dose_on, self.zone) + item.hold <= self.table_start  # checked above
            day = fmt_long_date(item.last_dose_on, self.locale)
            text = w["kept"].format(drug=drug, dose=dose, day=day, hours=item.hold_hours)
        elif latest < self.now:
            text = w["passed"].format(drug=drug, dose=dose, phone=phone)
        else:
            text = w["last"].format(drug=drug, dose=dose, when=self.moment(latest), hours=item.hold_hours)
            if item.clocks_change_before(self.table_start, self.zone):
                text += w["clock_before"].format(hours=item.hold_hours)
            if item.stop_soon(self.table_start, self.now):
                text += w["soon"].format(phone=phone)
        restart = item.restart_not_before(self.table_end)
        if restart is None:
            text += w["restart_later"]
        else:
            text += w["restart_injection" if item.injected else "restart"].format(when=self.moment(restart))
            if item.clocks_change_after(self.table_end, self.zone):
                text += w["clock_after"]
        return text + (w["inr"] if item.requires_inr else "")

    def sentences(self, plan: HoldPlan) -> list[str]:
        return [self.sentence(plan, item) for item in plan.items]


def plain(markup: str) -> str:
    """Paragraph markup as plain text (for emails)."""
    return unescape(TAG.sub("", markup))
