"""The appointment reminder email: plain text, in the patient's language (German or English).

It repeats what the appointment letter says about the day (time, arrival, reference, warning signs,
eating, no driving) and, when the patient has one, the medicines that affect clotting for this
appointment: the same sentences as the letter (``clinic.documents.holds`` and ``letter_text``), worded
at the moment the reminder is composed, so a latest moment already past is never sent as an instruction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.timefmt import fmt_long_date, fmt_time
from ..documents.holds import HoldWording, plain
from ..documents.letter import food_sentences, procedure_line
from ..documents.letter_text import LETTER
from ..models import Appointment
from ..models.vocab import AppointmentStatus, MessageKind
from ..services import medication, settings
from ..services.medication import HoldPlan

KIND = MessageKind.REMINDER.value
LOCALES = {"de": "de_DE", "en": "en_GB"}

WORDS = {
    "en": {
        "subject": "Reminder: your appointment on {date} at {time}",
        "intro": "this is a reminder of your appointment with us.",
        "bring": "Please bring your earlier X-ray, CT or MRI images with their reports, the referral from your "
        "doctor, a list of all the medicines you take and your health insurance card.",
    },
    "de": {
        "subject": "Erinnerung an Ihren Termin am {date} um {time}",
        "intro": "wir erinnern Sie an Ihren Termin bei uns.",
        "bring": "Bitte bringen Sie Ihre früheren Röntgen-, CT- oder MRT-Aufnahmen mit den Befunden, die "
        "Überweisung, eine Liste aller Medikamente, die Sie nehmen, und Ihre Gesundheitskarte mit.",
    },
}


@dataclass(frozen=True)
class Reminder:
    recipient: str
    subject: str
    body: str
    dedupe_key: str


def dedupe_key(appointment_id: int, table_start: dt.datetime) -> str:
    """One reminder per appointment and time: a moved appointment gets a new one, a re-run none."""
    return f"reminder:{appointment_id}:{table_start.astimezone(dt.UTC).isoformat()}"


def hold_plan(session: Session, appointment: Appointment, language: str) -> HoldPlan | None:
    prereg = appointment.referral.preregistration if appointment.referral else None
    if prereg is None:
        return None
    return medication.plan_for(session, prereg, appointment.procedure_type, appointment.region, language)


class _Text:
    """Dates, times and words in one language, in the clinic's zone."""

    def __init__(self, language: str, zone: str):
        self.language = language if language in WORDS else "de"
        self.locale = LOCALES[self.language]
        self.zone = zone
        self.w = {**LETTER[self.language], **WORDS[self.language]}

    def date(self, value: dt.date | dt.datetime) -> str:
        return fmt_long_date(value, self.locale, self.zone)

    def time(self, instant: dt.datetime) -> str:
        return fmt_time(instant, self.zone, self.locale) + self.w["time_suffix"]

    def moment(self, instant: dt.datetime) -> str:
        return self.w["at"].format(date=self.date(instant), time=self.time(instant))


def compose(session: Session, appointment: Appointment, zone: str, now: dt.datetime | None = None) -> Reminder:
    patient = appointment.patient
    t = _Text(patient.preferred_language, zone)
    w = t.w
    now = now or utcnow()
    clinic = settings.contact(session, t.language)
    arrival_minutes = settings.get_int(session, "arrival_minutes_before")
    start = appointment.table_start
    salutation_key = {"female": "salutation_female", "male": "salutation_male"}.get(patient.sex, "salutation_other")
    room = appointment.room
    where = room.location(t.language) or w["where_default"].format(room=room.name)
    lines = [
        w[salutation_key].format(family=patient.family_name, given=patient.given_name),
        "",
        w["intro"],
        "",
        f"{w['procedure']}: {procedure_line(appointment, t.language)}",
        f"{w['date']}: {t.date(start)}",
        f"{w['time']}: {t.time(start)}",
        f"{w['arrive']}: "
        + w["arrive_value"].format(time=t.time(start - dt.timedelta(minutes=arrival_minutes)), minutes=arrival_minutes),
        f"{w['where']}: {where}",
        f"{w['reference']}: " + w["reference_value"].format(reference=appointment.reference),
        "",
        w["warning"],
        plain(w["warning_text"].format(emergency=clinic["emergency_number"])),
        "",
    ]
    plan = hold_plan(session, appointment, t.language)
    if plan is not None and plan.items:
        wording = HoldWording(t.language, zone, start, appointment.table_end, now, clinic["clinic_phone"])
        lines += [w["meds"], *(f"- {plain(line)}" for line in wording.sentences(plan)), w["meds_note"], ""]
    lines += [w["food"], *(plain(text) for text in food_sentences(w, appointment, now, t.moment)), ""]
    if appointment.guidance == "MRI":
        lines += [w["mri"], w["mri_text"], ""]
    lines += [
        w["bring"],
        "",
        w["after"],
        w["after_text"],
        "",
        w["change"],
        w["change_text"].format(phone=clinic["clinic_phone"]),
        "",
        w["closing"],
        clinic["letter_signature"],
        clinic["clinic_name"],
        clinic["clinic_department"],
        f"{clinic['clinic_address']} · {clinic['clinic_phone']}",
    ]
    return Reminder(
        recipient=patient.email or "",
        subject=w["subject"].format(date=t.date(start), time=t.time(start)),
        body="\n".join(lines) + "\n",
        dedupe_key=dedupe_key(appointment.id, start),
    )


def obsolete_reason(session: Session, appointment_id: int | None, key: str | None) -> str | None:
    """Why a queued reminder must not go out any more, or None. A reminder that waited in the queue
    (mail server down) may meanwhile describe a cancelled or moved appointment: sending it then would
    send the patient to the wrong time."""
    if appointment_id is None:
        return None
    row = session.execute(
        select(Appointment.status, Appointment.table_start).where(Appointment.id == appointment_id)
    ).first()
    if row is None:
        return "not sent: the appointment no longer exists"
    status, table_start = row
    if status != AppointmentStatus.BOOKED:
        return f"not sent: the appointment is {status.replace('_', ' ')} now"
    if key is not None and key != dedupe_key(appointment_id, table_start):
        return "not sent: the appointment was moved after this reminder was queued"
    return None
