"""The hold arithmetic: a plan of drugs, each with its hold in hours, turned into moments.

A hold of N hours means at least N hours between the last dose and the planned table start (DESIGN.md
§4, invariant 6). Everything here works on UTC instants (the table start minus N hours) and only meets
the clinic's zone for "the end of a day" (a last dose recorded only by its date counts as taken as late as
midnight) and for dates on screens, so a daylight-saving change never shortens a hold. Pure: no queries;
``clinic.services.medication`` builds the plans from the rules and the questionnaire.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

from ..models.vocab import BleedingClass, HoldAction
from .messages import N_, Named, Phrase, Phrases
from .timefmt import local_midnight, to_local

NO_RULE = "no_rule"
CALL_SOON = dt.timedelta(hours=48)  # a drug to stop within this, its plan unconfirmed: call now
# The least time between now and the latest moment of a last dose a patient still taking the drug is told:
# the letter or the call has to reach the patient before it (walk finding: a booking at now + the hold's
# hours told the patient to take the last dose "no later than" four minutes after the letter was printed).
STOP_NOTICE = dt.timedelta(hours=24)
# The last part of a confirmed plan's stored key once the appointment has moved (``HoldPlan.moved_key``): the
# confirmation no longer matches the plan and is shown as to be confirmed again.
MOVED = "moved"


def hold_days(hours: int) -> int:
    """Whole days a hold covers, for summaries on screens ("hold 3 days"); never used for dates."""
    return max(1, math.ceil(hours / 24))


def drug_list(items) -> Phrases:
    """The drugs of some hold items, joined, each named in the screen's language."""
    return Phrases([item.named for item in items], ", ")


def end_of_day(day: dt.date, zone: str) -> dt.datetime:
    """The last moment of a local calendar day (the next midnight), as a UTC instant: a dose recorded
    only by its date may have been taken as late as that."""
    return local_midnight(day + dt.timedelta(days=1), zone)


@dataclass(frozen=True)
class HoldItem:
    drug_code: str
    drug_name: str
    dose_class: str
    action: str  # a HoldAction value, or NO_RULE
    hold_hours: int | None
    restart_hours: int | None
    requires_inr: bool
    verified: bool
    verified_by: str | None
    note: str | None
    last_dose_on: dt.date | None
    injected: bool = False
    names: tuple[str, str] | None = None  # (English, German), as the rules table names the drug
    recorded_at: dt.datetime | None = None  # when the drug was recorded (``HoldPlan.as_of``)

    @property
    def named(self) -> Named:
        """The drug's name as a screen says it, in the screen's language, whatever language the plan was
        made in (a refusal, a checklist item)."""
        english, german = self.names or (self.drug_name, self.drug_name)
        return Named(english, de=german)

    @property
    def holds(self) -> bool:
        return self.action == HoldAction.HOLD and bool(self.hold_hours)

    @property
    def hold(self) -> dt.timedelta:
        return dt.timedelta(hours=self.hold_hours or 0) if self.holds else dt.timedelta(0)

    @property
    def days(self) -> int:
        return hold_days(self.hold_hours) if self.holds and self.hold_hours else 0

    @property
    def confirm_with_prescriber(self) -> bool:
        return self.action in (HoldAction.HOLD, HoldAction.SHARED, NO_RULE)

    @property
    def needs_decision(self) -> bool:
        """No rule covers this drug at this bleeding class: a radiologist has to decide."""
        return self.action == NO_RULE

    def last_dose_no_later_than(self, table_start: dt.datetime) -> dt.datetime | None:
        """The latest moment of the last dose that keeps the full hold before the table start.
        Arithmetic on UTC instants: a daylight-saving change in between cannot shorten the hold."""
        if not self.holds:
            return None
        return table_start.astimezone(dt.UTC) - self.hold

    def clocks_change_before(self, table_start: dt.datetime, zone: str) -> bool:
        """Whether the clocks change between the latest last dose and the table start: the hold's hours are
        real hours, so the clock time of the last dose differs from the procedure's by an hour (walk 27: "last
        dose no later than 26.03.2027 07:00" for 29.03.2027 08:00, with no word about the change)."""
        latest = self.last_dose_no_later_than(table_start)
        return latest is not None and to_local(latest, zone).utcoffset() != to_local(table_start, zone).utcoffset()

    def clocks_change_after(self, table_end: dt.datetime, zone: str) -> bool:
        """Whether the clocks change between the end of the procedure and the earliest restart."""
        restart = self.restart_not_before(table_end)
        return restart is not None and to_local(restart, zone).utcoffset() != to_local(table_end, zone).utcoffset()

    def restart_not_before(self, table_end: dt.datetime) -> dt.datetime | None:
        """The earliest moment to take a paused drug again. None for a drug that is not paused (no hold, a
        shared assessment, no rule): the patient goes on taking it, so there is nothing to restart; where
        the prescriber decides to pause it after all, the restart is agreed by telephone."""
        if not self.holds or self.restart_hours is None:
            return None
        return table_end.astimezone(dt.UTC) + dt.timedelta(hours=self.restart_hours)

    def earliest_start(self, now: dt.datetime, zone: str) -> dt.datetime | None:
        """The first table start the hold allows. With a recorded last dose, counted from the end of
        that day. A patient still taking the drug has to hear when to stop before it is time to: the
        hold counts from ``STOP_NOTICE`` after now, so the latest moment of the last dose is at least a
        day away when the appointment is booked."""
        if not self.holds:
            return None
        if self.last_dose_on is not None:
            return end_of_day(self.last_dose_on, zone).astimezone(dt.UTC) + self.hold
        return now.astimezone(dt.UTC) + STOP_NOTICE + self.hold

    def stop_soon(self, table_start: dt.datetime, now: dt.datetime) -> bool:
        """Whether the latest moment of the last dose is less than ``STOP_NOTICE`` away (and not yet past):
        a letter printed now may reach the patient too late for it."""
        latest = self.last_dose_no_later_than(table_start)
        return latest is not None and now <= latest < now + STOP_NOTICE

    def stale_for(self, table_start: dt.datetime, zone: str) -> bool:
        """Whether the recorded last dose lies so long before this table start that it cannot be the stop
        planned for it: earlier than the latest allowed last dose minus the hold's own length (the pause would
        be more than twice the hold, even with the dose taken as late as the end of its day). Such a date was
        most likely given for an earlier appointment (walk 27: apixaban stopped 06.12 for 17.12, the
        appointment moved to 29.03.2027, and the letter told the patient the pause was kept: 16 weeks without
        a blood thinner). It is never told to the patient as "the pause is kept": the clinic calls to confirm
        when to stop, and the staff plan flags it."""
        latest = self.last_dose_no_later_than(table_start)
        if latest is None or self.last_dose_on is None:
            return False
        return end_of_day(self.last_dose_on, zone) < latest - self.hold

    def satisfied_for(self, table_start: dt.datetime, zone: str) -> bool:
        """Whether the recorded last dose keeps the hold before this table start. A hold with no
        recorded last dose is not known to be met: the team asks before the needle."""
        if not self.holds:
            return True
        if self.last_dose_on is None:
            return False
        return end_of_day(self.last_dose_on, zone) + self.hold <= table_start

    @property
    def summary(self) -> str:
        """The rule in a few words for staff screens: a marked phrase (English as a str; a screen shows it
        in its language). The hours are the rule's: the words around them change, never the figures."""
        if self.action == NO_RULE:
            return Phrase(N_("no rule for this drug and procedure: a radiologist decides"))
        if self.action == HoldAction.NO_HOLD:
            return Phrase(N_("no hold needed"))
        if self.action == HoldAction.SHARED:
            return Phrase(N_("shared assessment with the prescriber; no routine hold"))
        hours = self.hold_hours or 0
        if hours < 48 or hours % 24:
            if self.requires_inr:
                return Phrase(N_("hold {hours} hours and check INR"), hours=hours)
            return Phrase(N_("hold {hours} hours"), hours=hours)
        if self.requires_inr:
            return Phrase(N_("hold {days} days ({hours} hours) and check INR"), days=hours // 24, hours=hours)
        return Phrase(N_("hold {days} days ({hours} hours)"), days=hours // 24, hours=hours)


def _key_item(part: str) -> HoldItem | None:
    """One drug of a plan's key ("apixaban//hold/72/24/0/2026-11-20"), or None for a part cut short."""
    fields = part.split("/")
    if len(fields) not in (6, 7) or fields[2] not in (*HoldAction.values(), NO_RULE):
        return None
    try:
        hold, restart = (None if value == "None" else int(value) for value in fields[3:5])
        last_dose = dt.date.fromisoformat(fields[6]) if len(fields) == 7 else None
    except ValueError:
        return None
    code, dose, action, inr = fields[0], fields[1], fields[2], fields[5] == "1"
    return HoldItem(code, code, dose, action, hold, restart, inr, False, None, None, last_dose)


def read_key(key: str) -> tuple[BleedingClass | None, list[HoldItem], str | None]:
    """A plan's ``key`` read back, for the audit trail to say it in words: the bleeding class, the drugs with
    their rules and recorded last doses, and the drug code of a last part cut short (an audit value is
    shortened; "" when too little of it is left to name the drug), else None."""
    parts = key.removesuffix("…").split(";")
    if len(parts) > 1 and parts[-1] == MOVED:  # confirmed for an earlier date (``moved_key``)
        parts.pop()
    try:
        bleeding = BleedingClass(parts[0])
    except ValueError:
        return None, [], ""
    items, cut = [], None
    for part in parts[1:]:
        item = _key_item(part)
        if item is None:
            cut = part.split("/")[0] if "/" in part else ""
            break
        items.append(item)
    if cut is None and key.endswith("…"):  # cut inside the class or right after a part's last field
        cut = items.pop().drug_code if items else ""
    return bleeding, items, cut


# What the discharge sheet tells the patient of a drug's restart (``HoldPlan.restart``).
RESTART_AT = "at"  # a settled time: the end of the procedure plus the rule's restart hours
RESTART_CALL = "call"  # paused, but the time cannot be known for sure: we call to agree it
RESTART_CALL_IF_PAUSED = "call_if_paused"  # left to the prescriber or no rule: paused or not, we call


@dataclass(frozen=True)
class Restart:
    """The restart of one drug after the procedure: ``kind`` one of the ``RESTART_*`` values; ``at`` the
    earliest moment (UTC) for ``RESTART_AT``."""

    kind: str
    at: dt.datetime | None = None

    @property
    def needs_call(self) -> bool:
        """The patient was told "we will call you": somebody has to make that call and record it."""
        return self.kind in (RESTART_CALL, RESTART_CALL_IF_PAUSED)


@dataclass(frozen=True)
class HoldPlan:
    bleeding_class: BleedingClass
    items: list[HoldItem] = field(default_factory=list)
    override_date: dt.date | None = None
    override_reason: str | None = None
    override_by: str | None = None
    confirmed_by: str | None = None  # a radiologist confirmed this patient's plan as it stands
    confirmed_at: dt.datetime | None = None
    # A radiologist confirmed an earlier form of the plan (``confirmed_as``): it no longer counts, and the
    # screens ask for the confirmation again rather than show the old one beside what has changed.
    lapsed_by: str | None = None
    lapsed_at: dt.datetime | None = None
    # The bleeding class is one tier higher because the patient takes several blood thinners (procedures.md
    # §1.1: concurrent antithrombotics), without the desk's tick: the staff screens say why.
    raised_for_several: bool = False

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None

    def as_of(self, instant: dt.datetime) -> HoldPlan:
        """The plan with only the drugs recorded by ``instant``: what a procedure that ended then was done under
        (walk 26: phenprocoumon recorded on the referral weeks after its first procedure put a restart call for
        it on the list, and on that procedure's reprinted discharge sheet)."""
        return replace(self, items=[i for i in self.items if i.recorded_at is None or i.recorded_at <= instant])

    def firm(self, item: HoldItem) -> bool:
        """Whether what the rule says may be told to the patient as settled (DESIGN.md §4, invariant 6):
        the rule is signed off by a physician, or a radiologist has confirmed this patient's plan.
        Otherwise the clinic confirms it by telephone first. A shared assessment is decided case by case
        with the prescriber (procedures.md: "no routine hold; decide case by case"), so a signed-off rule does
        not settle it: only a radiologist's confirmation of this patient's plan does. Walk finding: once the
        rule was signed off, the appointment left the call list and the letter told the patient to sort it
        out with the prescriber, while the worklist printed "agreed with prescriber" without anyone having
        agreed anything."""
        if item.action == NO_RULE:  # no figures to tell: the radiologist chose the date (override) and
            # confirmed the plan after speaking with the patient; the letter says what was agreed by telephone.
            # Walk 25: a confirmation never settled it, so a phenprocoumon patient stayed on the call list and
            # the procedure could not start.
            return self.confirmed and self.override_date is not None
        if item.action == HoldAction.SHARED:
            return self.confirmed
        return item.verified or self.confirmed

    def restart(self, item: HoldItem, ended_at: dt.datetime | None) -> Restart | None:
        """What the patient is told of the drug's restart after a procedure that ended at ``ended_at`` (None:
        the end is not recorded). None for a drug the rule leaves untouched: it is not mentioned. A time only
        when everything behind it is known and settled: a paused drug, a plan that is ``firm`` for it, the
        rule's restart hours and the recorded end; otherwise a call, never a guessed time. A drug left to the
        prescriber or without a rule may have been paused after the call or not (``RESTART_CALL_IF_PAUSED``)."""
        if not (item.holds or item.action in (HoldAction.SHARED, NO_RULE)):
            return None
        if not item.holds or not self.firm(item):
            return Restart(RESTART_CALL_IF_PAUSED)
        at = item.restart_not_before(ended_at) if ended_at is not None else None
        if at is None:  # no restart hours in the rule, or the end not recorded
            return Restart(RESTART_CALL)
        return Restart(RESTART_AT, at)

    @property
    def key(self) -> str:
        """The plan's figures, as a confirmation is given for them (``confirmed_as``): the bleeding class, each
        drug with its rule, and a paused drug's recorded last dose."""
        return self._key(dated=None)

    def _key(self, dated: set[str] | None) -> str:
        """``dated``: the drugs whose recorded last dose counts (None: every paused drug's)."""
        parts = sorted(
            f"{i.drug_code}/{i.dose_class}/{i.action}/{i.hold_hours}/{i.restart_hours}/{int(i.requires_inr)}"
            + (
                f"/{i.last_dose_on.isoformat()}"
                if i.holds and i.last_dose_on is not None and (dated is None or i.drug_code in dated)
                else ""
            )
            for i in self.items
        )
        return ";".join([self.bleeding_class.value, *parts])[:1000]

    @staticmethod
    def moved_key(key: str) -> str:
        """A confirmed plan's stored key once its appointment has moved: it matches no plan any more
        (``confirmed_as``), so the confirmation lapses. Walk 27: a move kept the radiologist's confirmation and
        the last dose recorded for the old date; the letter for the new date, 16 weeks later, said the pause was
        kept. The rules and last dose were confirmed for one date; a new date is confirmed again."""
        if key.endswith(f";{MOVED}"):
            return key
        return f"{key[: 999 - len(MOVED)]};{MOVED}"

    def confirmed_as(self, key: str) -> bool:
        """Whether a confirmation given for ``key`` still counts: the same figures, and each paused drug's last
        dose as it was recorded then. Walk finding: the desk recorded a later last dose of apixaban and the page
        showed the radiologist's confirmation beside "the recorded last dose comes too late". A last dose first
        recorded after the confirmation does not lapse it (confirming may come before the call that asks for
        it; the start and the screens judge that date against the hold), nor does one recorded under a
        confirmation given before last doses were part of the key."""
        dated = {part.split("/")[0] for part in key.split(";")[1:] if part.count("/") > 5}
        return key == self._key(dated)

    def earliest_start(self, now: dt.datetime, zone: str) -> dt.datetime | None:
        """The first table start the holds allow. A radiologist's override sets the day for the drugs without a
        rule (from the start of the day the radiologist chose); the holds of the drugs with a rule still count
        (walk 27: an override given for phenprocoumon let a booking three days after the last clopidogrel dose
        pass as kept, its 168 hours not met). The later of the two."""
        starts = [s for s in (i.earliest_start(now, zone) for i in self.items) if s]
        if self.override_date is not None:
            starts.append(local_midnight(self.override_date, zone))
        return max(starts) if starts else None

    def overridden(self, item: HoldItem) -> bool:
        """Whether the radiologist's override decides this drug: only a drug without a rule. A drug with a
        rule keeps its hold under an override (the override never makes a hold with hours count as kept)."""
        return self.override_date is not None and item.action == NO_RULE

    @property
    def undated(self) -> list[HoldItem]:
        """The paused drugs whose last dose is not recorded (an override does not date them: it covers only the
        drugs without a rule). For them ``earliest_start`` counts from now, as the finder needs a bound; as a
        time on a screen it would look computed from the patient's doses while it is only the clock: the screens
        say instead that the time is set once the last dose is recorded (walk finding: "Frühester Eingriff
        09.12.2026 05:20")."""
        return [i for i in self.items if i.holds and i.last_dose_on is None]

    def earliest_date(self, now: dt.datetime, zone: str) -> dt.date | None:
        start = self.earliest_start(now, zone)
        return to_local(start, zone).date() if start else None

    def satisfied_for(self, table_start: dt.datetime, zone: str) -> bool:
        """Every hold with a rule met by a recorded last dose, and the drugs without a rule decided by an
        override whose day has come (the override does not stand in for a rule's hours)."""
        if self.override_date is not None and self.override_date > to_local(table_start, zone).date():
            return False
        return not self.undecided and all(i.satisfied_for(table_start, zone) for i in self.items)

    def broken_for(self, table_start: dt.datetime, zone: str) -> list[HoldItem]:
        """The drugs whose recorded last dose (taken or planned) comes too late for the hold before this
        table start: the appointment cannot go ahead as booked. An override does not mend it (it covers only
        drugs without a rule, which have no hours to break). A drug with no recorded last dose is not broken,
        only not known to be met."""
        return [
            i for i in self.items if i.holds and i.last_dose_on is not None and not i.satisfied_for(table_start, zone)
        ]

    def stale_for(self, table_start: dt.datetime, zone: str) -> list[HoldItem]:
        """The drugs whose recorded last dose lies long before the hold for this table start
        (``HoldItem.stale_for``): the clinic calls to confirm when to stop. Under an override too: it decides
        the drugs without a rule only (``overridden``), and a drug with a rule keeps its hold."""
        return [i for i in self.items if not self.overridden(i) and i.stale_for(table_start, zone)]

    @property
    def undecided(self) -> list[HoldItem]:
        if self.override_date is not None:
            return []
        return [i for i in self.items if i.needs_decision]

    @property
    def unverified(self) -> list[HoldItem]:
        return [i for i in self.items if i.action != NO_RULE and not i.verified]

    @property
    def to_confirm(self) -> list[HoldItem]:
        """Drugs whose plan the clinic still confirms with the patient by telephone: no rule, or a
        rule no physician has signed off while nobody has confirmed this patient's plan."""
        return [i for i in self.items if not self.firm(i)]

    @property
    def awaiting_confirmation(self) -> bool:
        return bool(self.to_confirm)

    def stop_by(self, table_start: dt.datetime, zone: str | None = None) -> dt.datetime | None:
        """The first moment a drug still to confirm must be stopped by: only drugs that are paused (a hold
        of more than 0 hours) and whose last dose is not yet recorded count. None when none of them is paused
        (no hold, a shared assessment, no rule): there is no deadline to stop anything. Walk finding: with the
        last dose recorded (03.12, keeping the hold) the desk was told to call now because the drug "had to be
        stopped by 04.12"; a recorded last dose that keeps the hold sets no deadline. With ``zone``, a recorded last
        dose that breaks the hold (``broken_for``) counts too: its deadline has passed, and it is the earliest
        (walk 27: with clopidogrel's 04.12 passed, adding edoxaban made the prompt name edoxaban's 08.12)."""
        items = [i for i in self.to_confirm if i.last_dose_on is None]
        if zone is not None:
            items += [i for i in self.broken_for(table_start, zone) if i not in items]
        latest = [m for m in (i.last_dose_no_later_than(table_start) for i in items) if m is not None]
        return min(latest) if latest else None

    def call_by(self, table_start: dt.datetime, zone: str | None = None) -> dt.datetime:
        """When the telephone call must have happened at the latest, for the order of the call list: the
        first moment a drug still to confirm must be stopped by (``stop_by``), else the table start."""
        due = self.stop_by(table_start, zone)
        return due if due is not None else table_start.astimezone(dt.UTC)

    def call_urgently(self, table_start: dt.datetime, now: dt.datetime, zone: str | None = None) -> dt.datetime | None:
        """The moment a drug still to confirm must be stopped by, when the plan still awaits the call and
        that is less than ``CALL_SOON`` away (or past): the desk calls now, not in the day's round of calls.
        None when no such drug is paused: the call is still made before the appointment, but nothing has to
        be stopped by a deadline, so there is no "call now"."""
        if not self.awaiting_confirmation:
            return None
        due = self.stop_by(table_start, zone)
        return due if due is not None and due < now + CALL_SOON else None
