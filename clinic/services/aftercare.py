"""The discharge sheet ("Hinweise nach dem Eingriff") of one appointment, for the nurse to print when the
patient leaves: loads the recorded end of the procedure, the medication hold plan and the procedure's
information text, and hands them to ``clinic.documents.aftercare``.

Printed only once the procedure has ended (the appointment is in observation or discharged): before, there
is no end to count a restart from, and a sheet printed then would tell the patient nothing settled.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import Conflict
from ..core.messages import N_
from ..documents.aftercare import AftercareContext, render_aftercare
from ..documents.consent import applies_to
from ..documents.markup import Section, parse
from ..models import Appointment, ProcedureRecord
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, DocumentKind
from . import settings
from .consents import current_text
from .documents import hold_plan_for

ENDED = (AppointmentStatus.IN_OBSERVATION, AppointmentStatus.DISCHARGED)
# The headings of the information texts' sections the sheet reprints (clinic/content/texts/*.information.*.md),
# matched in lower case: the after-care advice (with "do not drive" for every procedure) and the warning signs.
SECTION_HEADINGS = {
    "de": ("nach dem eingriff", "wann sie sofort hilfe holen sollten"),
    "en": ("after the procedure", "when to seek help at once"),
}


def ended_at(session: Session, appointment: Appointment) -> dt.datetime | None:
    """The recorded end of the procedure (the procedure record's, as the radiologist corrected it)."""
    return session.scalar(select(ProcedureRecord.ended_at).where(ProcedureRecord.appointment_id == appointment.id))


def refuse_before_end(appointment: Appointment) -> None:
    if appointment.status not in ENDED:
        raise Conflict(
            N_("The discharge sheet can be printed once the procedure has ended."), code="procedure_not_ended"
        )


def aftercare_sections(session: Session, appointment: Appointment, language: str) -> list[Section]:
    """The after-care and warning-sign sections of the procedure's information text in ``language``, as
    printed for this appointment (its guidance and target), in the text's order."""
    text = current_text(session, appointment.procedure_type_id, DocumentKind.INFORMATION, language)
    wanted = SECTION_HEADINGS["de" if language == "de" else "en"]
    return [s for s in parse(text.body, applies_to(appointment)) if (s.heading or "").strip().casefold() in wanted]


def aftercare_context(
    session: Session, appointment: Appointment, zone: str, *, now: dt.datetime | None = None
) -> AftercareContext:
    refuse_before_end(appointment)
    language = appointment.patient.preferred_language
    ended = ended_at(session, appointment)
    # The drugs the procedure was done under: one recorded on the referral later is not this sheet's.
    plan = hold_plan_for(session, appointment).as_of(ended or appointment.table_end) if appointment.referral else None
    return AftercareContext(
        appointment=appointment,
        ended_at=ended,
        hold_plan=plan,
        sections=aftercare_sections(session, appointment, language),
        clinic=settings.contact(session, language),
        zone=zone,
        printed_at=now or utcnow(),
    )


def aftercare_pdf(session: Session, appointment: Appointment, zone: str, *, now: dt.datetime | None = None) -> bytes:
    """The discharge sheet; refused (``Conflict``, code "procedure_not_ended") before the procedure ended."""
    return render_aftercare(aftercare_context(session, appointment, zone, now=now))
