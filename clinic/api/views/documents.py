"""Printed documents as PDF: information sheet, appointment letter, consent form, print pack.

Printing a consent form (alone or in the print pack) records what was printed (text version and PDF
hash) for the signature that follows, so those two are POST.
"""

from __future__ import annotations

from flask_login import current_user

from ...auth.access import roles
from ...extensions import db
from ...models import Appointment, ProcedureType
from ...models.vocab import Role
from ...services import consents, documents
from ...web import local_today, pdf_response, scheduling_settings, zone
from .. import bp
from ..lookup import ID, find
from ..openapi import operation
from ..schemas.catalogue import LanguageQuery

APPOINTMENT = f"<{ID}:appointment_id>"
DESK = (Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
PDF = {"pdf": True, "errors": (404,), "tags": ["documents"]}


@bp.get(f"/procedure-types/<{ID}:procedure_type_id>/information.pdf")
@roles(*DESK)
@operation(**PDF)
def information_sheet(procedure_type_id: int, query: LanguageQuery):
    """The information sheet of a procedure, in German or English (the current text version)."""
    procedure_type = find(ProcedureType, procedure_type_id, "procedure type")
    data = documents.information_sheet_pdf(db.session, procedure_type, query.language)
    return pdf_response(data, f"information-{procedure_type.code}-{query.language}.pdf")


@bp.get(f"/appointments/{APPOINTMENT}/letter.pdf")
@roles(Role.FRONT_DESK)
@operation(**{**PDF, "errors": (404, 422)})
def appointment_letter(appointment_id: int):
    """The appointment letter: date and arrival time, what to bring, medication hold dates, escort. Refused
    (422, code "stranded") for an appointment a setup change left outside the clinic's availability: move
    it first."""
    appointment = find(Appointment, appointment_id, "appointment")
    data = documents.letter_pdf(db.session, scheduling_settings(), appointment, issued_on=local_today())
    return pdf_response(data, f"letter-{appointment.reference}.pdf")


@bp.post(f"/appointments/{APPOINTMENT}/consent-form.pdf")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
@operation(**{**PDF, "errors": (404, 422)})
def consent_form(appointment_id: int):
    """The consent form for this appointment, in the patient's language. Records the printed version; refused
    (422) for an appointment that was cancelled or not attended, or that a setup change left outside the
    clinic's availability (code "stranded"; nothing recorded)."""
    appointment = find(Appointment, appointment_id, "appointment")
    data, _consent = consents.print_consent(db.session, current_user, appointment, zone())
    return pdf_response(data, f"consent-{appointment.reference}.pdf")


@bp.post(f"/appointments/{APPOINTMENT}/print-pack.pdf")
@roles(Role.FRONT_DESK)
@operation(**{**PDF, "errors": (404, 422)})
def print_pack(appointment_id: int):
    """Letter, information sheet and consent form in one PDF. Records the printed consent form; refused
    (422) for an appointment that was cancelled or not attended, or that a setup change left outside the
    clinic's availability (code "stranded"; nothing recorded)."""
    appointment = find(Appointment, appointment_id, "appointment")
    return pdf_response(
        documents.print_pack_pdf(db.session, scheduling_settings(), current_user, appointment, issued_on=local_today()),
        f"print-pack-{appointment.reference}.pdf",
    )
