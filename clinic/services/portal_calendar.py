"""The patient's appointment as an iCalendar file (RFC 5545, the icalendar library), in their language.

The event runs from the arrival time to the expected end of the observation, in the clinic's zone with
its VTIMEZONE, so a phone shows the right hour on both sides of a daylight-saving change. It names the
clinic and the reference; nothing clinical beyond the procedure's name.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event
from sqlalchemy.orm import Session

from ..core.timefmt import fmt_time
from ..models import Appointment
from ..models.vocab import AppointmentStatus
from . import settings as clinic_settings

PRODID = "-//Pain clinic//Patient appointment//EN"
WORDS = {
    "en": {
        "summary": "Appointment: {procedure}",
        "description": (
            "Please arrive at {arrive} for registration; the procedure is planned for {start}. "
            "Reference {reference}. Please bring your earlier images, the referral, a list of your medicines "
            "and your insurance card. Do not drive yourself home: please arrange for an adult to collect you. "
            "Questions or changes: {phone}."
        ),
        "alarm": "Your appointment tomorrow",
        "time_suffix": "",
    },
    "de": {
        "summary": "Termin: {procedure}",
        "description": (
            "Bitte kommen Sie um {arrive} zur Anmeldung; der Eingriff ist für {start} geplant. "
            "Terminnummer {reference}. Bitte bringen Sie Ihre früheren Aufnahmen, die Überweisung, eine Liste "
            "Ihrer Medikamente und Ihre Versichertenkarte mit. Fahren Sie nicht selbst nach Hause: Bitte sorgen "
            "Sie dafür, dass eine erwachsene Begleitperson Sie abholt. Fragen oder Änderungen: {phone}."
        ),
        "alarm": "Ihr Termin morgen",
        "time_suffix": " Uhr",
    },
}
LOCALES = {"de": "de_DE", "en": "en_GB"}


def appointment_ics(session: Session, appointment: Appointment, zone: str, now: dt.datetime) -> bytes:
    language = appointment.patient.preferred_language if appointment.patient.preferred_language in WORDS else "de"
    words, locale = WORDS[language], LOCALES[language]
    contact = clinic_settings.contact(session)
    arrive = appointment.table_start - dt.timedelta(minutes=clinic_settings.get_int(session, "arrival_minutes_before"))
    tz = ZoneInfo(zone)

    def clock(instant: dt.datetime) -> str:
        return fmt_time(instant, zone, locale) + words["time_suffix"]

    event = Event()
    event.add("uid", f"appointment-{appointment.id}@pain-clinic-patient")
    event.add("sequence", appointment.version)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", arrive.astimezone(tz))
    event.add("dtend", appointment.obs_end.astimezone(tz))
    event.add("summary", words["summary"].format(procedure=appointment.procedure_type.name(language)))
    event.add(
        "description",
        words["description"].format(
            arrive=clock(arrive),
            start=clock(appointment.table_start),
            reference=appointment.reference,
            phone=contact["clinic_phone"],
        ),
    )
    event.add("location", f"{contact['clinic_name']}, {contact['clinic_address']}")
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("class", "PRIVATE")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", words["alarm"])
        alarm.add("trigger", dt.timedelta(days=-1))
        event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
