"""The appointment reminder email: plain text, in the patient's language (German or English).

It repeats what the appointment letter says about the day (time, arrival, reference, no driving) and,
when the patient has one, the medication hold plan with calendar dates for this appointment. The
sentences follow the letter (``clinic.documents.letter_text``) so that both say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Appointment
from ..models.vocab import AppointmentStatus, HoldAction
from ..services import medication, settings
from ..services.medication import HoldItem, HoldPlan
from ..timefmt import fmt_long_date, fmt_time, to_local

KIND = "reminder"
LOCALES = {"de": "de_DE", "en": "en_GB"}

WORDS = {
    "en": {
        "subject": "Reminder: your appointment on {date} at {time}",
        "salutation_female": "Dear Ms {family},",
        "salutation_male": "Dear Mr {family},",
        "salutation_other": "Dear {given} {family},",
        "intro": "this is a reminder of your appointment with us.",
        "procedure": "Procedure",
        "date": "Date",
        "time": "Procedure time",
        "arrive": "Please arrive at",
        "arrive_value": "{time} ({minutes} minutes before the procedure, for registration)",
        "where": "Where",
        "where_default": "Please report to reception. Your procedure takes place in room {room}.",
        "reference": "Reference",
        "reference_value": "{reference} (please quote it when you call us)",
        "meds": "Your blood-thinning medicines",
        "hold": "{drug}: take the last dose on {last}. Take it again from {restart}.",
        "hold_no_restart": "{drug}: take the last dose on {last}. We will tell you after the procedure "
        "when to take it again.",
        "inr": " Your INR needs to be checked shortly before the procedure; please arrange this with your doctor.",
        "shared": "{drug}: please discuss with your prescriber whether to pause it before the procedure. "
        "Do not stop it on your own.",
        "no_hold": "{drug}: no pause is needed; take it as usual.",
        "no_rule": "{drug}: please discuss with your prescriber; we will also be in touch about it.",
        "meds_note": "Do not stop or change any of these medicines until you have agreed it with the doctor who "
        "prescribed them. If that is not possible in time, please call us.",
        "bring": "Please bring your earlier X-ray, CT or MRI images with their reports, the referral from your "
        "doctor, a list of all the medicines you take and your health insurance card.",
        "after": "On the day of the procedure",
        "after_text": "You must not drive a car or ride a bicycle, and should not operate machines, for the rest "
        "of the day. Please arrange for an adult to collect you and take you home.",
        "change": "If you cannot come",
        "change_text": "If you cannot keep this appointment, please call us as early as possible on {phone}, so "
        "that another patient can have the time. Please also call if you have a fever or an infection before "
        "the appointment.",
        "closing": "Kind regards",
        "time_suffix": "",
    },
    "de": {
        "subject": "Erinnerung an Ihren Termin am {date} um {time}",
        "salutation_female": "Sehr geehrte Frau {family},",
        "salutation_male": "Sehr geehrter Herr {family},",
        "salutation_other": "Guten Tag {given} {family},",
        "intro": "wir erinnern Sie an Ihren Termin bei uns.",
        "procedure": "Eingriff",
        "date": "Datum",
        "time": "Uhrzeit des Eingriffs",
        "arrive": "Bitte kommen Sie um",
        "arrive_value": "{time} ({minutes} Minuten vor dem Eingriff, zur Anmeldung)",
        "where": "Wohin",
        "where_default": "Bitte melden Sie sich am Empfang. Ihr Eingriff findet im Raum {room} statt.",
        "reference": "Terminnummer",
        "reference_value": "{reference} (bitte bei Anrufen angeben)",
        "meds": "Ihre blutverdünnenden Medikamente",
        "hold": "{drug}: letzte Einnahme am {last}. Wieder einnehmen ab {restart}.",
        "hold_no_restart": "{drug}: letzte Einnahme am {last}. Wann Sie es wieder einnehmen, besprechen wir "
        "nach dem Eingriff mit Ihnen.",
        "inr": " Kurz vor dem Eingriff muss Ihr INR-Wert bestimmt werden; bitte vereinbaren Sie das mit Ihrer "
        "Arztpraxis.",
        "shared": "{drug}: Bitte besprechen Sie mit Ihrer verordnenden Ärztin oder Ihrem verordnenden Arzt, ob "
        "das Medikament vor dem Eingriff pausiert werden soll. Setzen Sie es nicht eigenmächtig ab.",
        "no_hold": "{drug}: Eine Pause ist nicht nötig; nehmen Sie es wie gewohnt ein.",
        "no_rule": "{drug}: Bitte besprechen Sie das Vorgehen mit Ihrer verordnenden Ärztin oder Ihrem "
        "verordnenden Arzt; wir melden uns dazu ebenfalls bei Ihnen.",
        "meds_note": "Bitte setzen Sie keines dieser Medikamente ab und ändern Sie keine Dosis, bevor Sie das mit "
        "der Ärztin oder dem Arzt abgestimmt haben, die oder der es Ihnen verordnet hat. Gelingt das nicht "
        "rechtzeitig, rufen Sie uns bitte an.",
        "bring": "Bitte bringen Sie Ihre früheren Röntgen-, CT- oder MRT-Aufnahmen mit den Befunden, die "
        "Überweisung, eine Liste aller Medikamente, die Sie einnehmen, und Ihre Gesundheitskarte mit.",
        "after": "Am Tag des Eingriffs",
        "after_text": "Sie dürfen für den Rest des Tages nicht selbst Auto oder Fahrrad fahren und sollten keine "
        "Maschinen bedienen. Bitte sorgen Sie dafür, dass eine erwachsene Begleitperson Sie abholt und nach "
        "Hause bringt.",
        "change": "Wenn Sie nicht kommen können",
        "change_text": "Können Sie den Termin nicht wahrnehmen, rufen Sie uns bitte so früh wie möglich unter "
        "{phone} an. So können wir den Termin an andere Patientinnen und Patienten vergeben. Bitte melden Sie "
        "sich auch, wenn Sie vor dem Termin Fieber oder eine Infektion bekommen.",
        "closing": "Mit freundlichen Grüßen",
        "time_suffix": " Uhr",
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
        self.w = WORDS[self.language]

    def date(self, value: dt.date | dt.datetime) -> str:
        return fmt_long_date(value, self.locale, self.zone)

    def time(self, instant: dt.datetime) -> str:
        return fmt_time(instant, self.zone, self.locale) + self.w["time_suffix"]


def hold_line(t: _Text, item: HoldItem, appointment: Appointment) -> str:
    """One drug: the last day to take it (from the appointment's local date) and when to start again."""
    w = t.w
    if item.holds:
        last_day = item.last_day_to_take(to_local(appointment.table_start, t.zone).date())
        restart = item.restart_from(appointment.table_end)
        if restart is None:
            line = w["hold_no_restart"].format(drug=item.drug_name, last=t.date(last_day))
        else:
            when = f"{t.date(restart)}, {t.time(restart)}"
            line = w["hold"].format(drug=item.drug_name, last=t.date(last_day), restart=when)
        return line + (w["inr"] if item.requires_inr else "")
    if item.action == HoldAction.SHARED:
        return w["shared"].format(drug=item.drug_name)
    if item.action == HoldAction.NO_HOLD:
        return w["no_hold"].format(drug=item.drug_name)
    return w["no_rule"].format(drug=item.drug_name)


def compose(session: Session, appointment: Appointment, zone: str) -> Reminder:
    patient = appointment.patient
    t = _Text(patient.preferred_language, zone)
    w = t.w
    clinic = settings.contact(session)
    arrival_minutes = settings.get_int(session, "arrival_minutes_before")
    start = appointment.table_start
    salutation_key = {"female": "salutation_female", "male": "salutation_male"}.get(patient.sex, "salutation_other")
    room = appointment.room
    where = room.location_hint or w["where_default"].format(room=room.name)

    lines = [
        w[salutation_key].format(family=patient.family_name, given=patient.given_name),
        "",
        w["intro"],
        "",
        f"{w['procedure']}: {appointment.procedure_type.name(t.language)}",
        f"{w['date']}: {t.date(start)}",
        f"{w['time']}: {t.time(start)}",
        f"{w['arrive']}: "
        + w["arrive_value"].format(time=t.time(start - dt.timedelta(minutes=arrival_minutes)), minutes=arrival_minutes),
        f"{w['where']}: {where}",
        f"{w['reference']}: " + w["reference_value"].format(reference=appointment.reference),
        "",
    ]
    plan = hold_plan(session, appointment, t.language)
    if plan is not None and plan.items:
        lines += [w["meds"], *(f"- {hold_line(t, item, appointment)}" for item in plan.items), w["meds_note"], ""]
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
