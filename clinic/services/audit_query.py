"""Reading the audit trail back, with filters, for the admin screen; and what its codes mean.

The trail stores codes: the action (``appointments.update``, ``referral.hold_override``), the kind of
object (a table's name, or a FHIR resource's), the actor's user name (or a process's). The screen shows
them as words in the reader's language (``action_label``, ``object_label``, ``actor_label``: marked
phrases, English until a screen translates them) and keeps the codes as the filters' values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ..core.messages import N_, Phrase
from ..models import AuditEvent

# Each kind of object the trail names (the table of a changed row, or the object of an action).
OBJECTS = {
    "anticoagulant_rules": N_("Medication hold rule"),
    "api_tokens": N_("API token"),
    "appointment_events": N_("Appointment status change"),
    "appointments": N_("Appointment"),
    "booking_holds": N_("Held time"),
    "calendar_feeds": N_("Calendar feed"),
    "clinic_settings": N_("Clinic settings"),
    "closures": N_("Closure"),
    "consents": N_("Consent"),
    "document_texts": N_("Document text"),
    "drug_options": N_("Drug of the procedure record list"),
    "follow_ups": N_("Follow-up"),
    "imaging_studies": N_("Prior imaging study"),
    "medication_entries": N_("Medication entry"),
    "observation_beds": N_("Bed"),
    "observation_checks": N_("Observation check"),
    "observation_records": N_("Observation"),
    "outbox_messages": N_("Email"),
    "pacs_retrievals": N_("PACS retrieval"),
    "patients": N_("Patient"),
    "performed_steps": N_("Scanner report (MPPS)"),
    "portal_answers": N_("Patient's answer"),
    "portal_links": N_("Patient link"),
    "preregistrations": N_("Pre-registration"),
    "procedure_addenda": N_("Addendum"),
    "procedure_drugs": N_("Drug given"),
    "procedure_records": N_("Procedure record"),
    "procedure_types": N_("Procedure"),
    "radiologist_qualifications": N_("Radiologist's qualification"),
    "red_flag_answers": N_("Red flag answer"),
    "referral_documents": N_("Referral document"),
    "referrals": N_("Referral"),
    "referring_physicians": N_("Referring physician"),
    "room_sessions": N_("Session template"),
    "rooms": N_("Room"),
    "roster_entries": N_("Weekly duty"),
    "roster_exceptions": N_("Roster exception"),
    "stage_rules": N_("Stage rule"),
    "study_files": N_("Imaging file"),
    "user_roles": N_("User role"),
    "users": N_("User"),
    "waitlist_entries": N_("Waitlist entry"),
}
# FHIR reads and searches name the resource type.
FHIR_RESOURCES = {
    "Appointment": N_("Appointment"),
    "Consent": N_("Consent"),
    "ImagingStudy": N_("Prior imaging study"),
    "Location": N_("Room or bed"),
    "Patient": N_("Patient"),
    "Practitioner": N_("Radiologist"),
    "Procedure": N_("Procedure record"),
    "Schedule": N_("Schedule"),
    "ServiceRequest": N_("Referral"),
    "Slot": N_("Free time"),
}
# What the trail writes for every changed row (``<table>.<verb>``), and for switching a room, bed or
# procedure off and on again.
VERBS = {
    "create": N_("{thing} created"),
    "update": N_("{thing} changed"),
    "delete": N_("{thing} deleted"),
    "activated": N_("{thing} switched on"),
    "deactivated": N_("{thing} switched off"),
}
# The actions services record by name.
ACTIONS = {
    "anticoagulant_rules.unverified": N_("Hold rule's sign-off withdrawn"),
    "anticoagulant_rules.verified": N_("Hold rule signed off"),
    "api_tokens.issued": N_("API token issued"),
    "api_tokens.revoked": N_("API token revoked"),
    "clinic_settings.changed": N_("Clinic settings changed"),
    "consent.reprinted": N_("Consent form printed again (the same form)"),
    "dicom.worklist_query": N_("Scanner asked for its worklist"),
    "fhir.read": N_("Read through FHIR"),
    "fhir.search": N_("Searched through FHIR"),
    "imaging.download": N_("Imaging file opened"),
    "imaging.set_aside": N_("Imaging file set aside"),
    "imaging.upload": N_("Imaging uploaded"),
    "login.failed": N_("Login failed"),
    "login.succeeded": N_("Logged in"),
    "observation.bed_moved": N_("Moved to another bed"),
    "observation.discharged_with_gaps": N_("Discharged early or without all checks"),
    "outbox.resend": N_("Email sent again"),
    "pacs.search": N_("PACS searched"),
    "patient.view": N_("Record opened"),
    "portal.answer_closed": N_("Patient's answer closed"),
    "portal.answer_confirmed": N_("Patient's answer confirmed"),
    "portal.answer_proposed": N_("Patient's answer received"),
    "portal.answer_superseded": N_("Patient's answer replaced by a newer one"),
    "portal.answered": N_("Patient answered a question"),
    "portal.birth_date_wrong": N_("Patient link: wrong date of birth"),
    "portal.booked": N_("Patient link: appointment booked"),
    "portal.cancelled": N_("Patient link: appointment cancelled"),
    "portal.confirmed_attendance": N_("Patient link: attendance confirmed"),
    "portal.held": N_("Patient link: time held"),
    "portal.joined_waitlist": N_("Patient link: asked for an earlier time"),
    "portal.left_waitlist": N_("Patient link: no longer asks for an earlier time"),
    "portal.locked": N_("Patient link locked (too many wrong dates of birth)"),
    "portal.moved": N_("Patient link: appointment moved"),
    "portal.opened": N_("Patient link opened"),
    "portal.refused": N_("Patient link refused (expired, revoked or locked)"),
    "portal.released": N_("Patient link: held time released"),
    "portal.revoked": N_("Patient link revoked"),
    "portal.sent": N_("Patient link sent"),
    "portal.steps_changed": N_("Patient portal steps changed"),
    "portal.took_offer": N_("Patient link: earlier time taken"),
    "portal.unlocked": N_("Patient link unlocked"),
    "portal.uploaded": N_("Patient link: imaging uploaded"),
    "portal.verified": N_("Patient link: date of birth confirmed"),
    "portal.view": N_("Patient link: page viewed"),
    "procedure_record.signed": N_("Procedure record signed"),
    "referral.closed": N_("Referral closed"),
    "referral.hold_override": N_("Medication hold overridden"),
    "referral.hold_plan_confirmed": N_("Medication plan confirmed"),
    "referral.imaging_waived": N_("Imaging waived"),
    "referral.information_answered": N_("Answer to a request for information recorded"),
    "referral.red_flag": N_("Red flag reported"),
    "referral.red_flag_cleared": N_("Red flag cleared"),
    "referral_document.download": N_("Referral document opened"),
    "referral_document.upload": N_("Referral document uploaded"),
    "setup.appointments_stranded": N_("Setup change left appointments to reschedule"),
    "users.deactivated": N_("User deactivated"),
    "users.password_reset": N_("Password reset"),
    "users.reactivated": N_("User reactivated"),
}
# Who acted when no user did: a process, a scanner, a patient through the link.
PROCESSES = {
    "cli": N_("Command line"),
    "pacs retrieval": N_("PACS retrieval"),
    "scheduler": N_("Scheduled jobs"),
    "seed-demo": N_("Demo data"),
    "system": N_("System"),
}
NAMED_PROCESSES = {"patient": N_("Patient {name} (patient link)"), "scanner": N_("Scanner {name}")}


def object_label(object_type: str) -> str:
    """The kind of object in words (a marked phrase); a code the trail does not know shows as it is."""
    if object_type in OBJECTS:
        return Phrase(OBJECTS[object_type])
    if object_type in FHIR_RESOURCES:
        return Phrase(N_("{thing} (FHIR)"), thing=Phrase(FHIR_RESOURCES[object_type]))
    return object_type


def action_label(action: str) -> str:
    """What was done, in words (a marked phrase); a code the trail does not know shows as it is."""
    if action in ACTIONS:
        return Phrase(ACTIONS[action])
    table, _dot, verb = action.partition(".")
    if verb in VERBS and table in OBJECTS:
        return Phrase(VERBS[verb], thing=Phrase(OBJECTS[table]))
    return action


def actor_label(name: str, is_user: bool = True) -> str:
    """Who acted: a user by their user name; a process, a scanner or a patient in words."""
    if is_user:
        return name
    if name in PROCESSES:
        return Phrase(PROCESSES[name])
    kind, _space, which = name.partition(" ")
    if kind in NAMED_PROCESSES and which:
        return Phrase(NAMED_PROCESSES[kind], name=which)
    return name


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def object_types(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)))


def actors(session: Session) -> list[tuple[str, bool]]:
    """(name, whether a user) of everyone in the trail."""
    rows = session.execute(
        select(AuditEvent.actor_name, AuditEvent.actor_id.is_not(None)).distinct().order_by(AuditEvent.actor_name)
    )
    return [(name, bool(is_user)) for name, is_user in rows]


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    patient_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def statement(f: AuditFilter) -> Select:
    stmt = select(AuditEvent)
    if f.actor:
        stmt = stmt.where(AuditEvent.actor_name == f.actor)
    if f.action:  # the action, or a group of them by the code's start ("portal": every portal.* action)
        stmt = stmt.where(
            or_(AuditEvent.action == f.action, AuditEvent.action.startswith(f.action + ".", autoescape=True))
        )
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id == f.object_id)
    if f.patient_id:
        stmt = stmt.where(AuditEvent.patient_id == f.patient_id)
    if f.since:
        stmt = stmt.where(AuditEvent.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEvent.at < f.until)
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
