"""Reading the audit trail back, with filters, for the admin screen; and what its codes mean.

The trail stores codes: the action (``appointments.update``, ``referral.hold_override``), the kind of
object (a table's name, or a FHIR resource's), the actor's user name (or a process's), and what changed
as JSON with column names and stored codes (``{"status": ["booked", "checked_in"]}``). The screen shows
them as words in the reader's language (``action_label``, ``object_label``, ``actor_label``, ``changes``:
marked phrases, English until a screen translates them) and keeps the codes as the filters' values."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache

from sqlalchemy import CheckConstraint, Select, or_, select
from sqlalchemy.orm import Session

from ..core.messages import N_, Phrase
from ..core.timefmt import fmt_datetime
from ..models import AuditEvent
from ..models.vocab import Labelled

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


# The changed columns (and the keys services record by name) in words; a column not named here shows as its
# name with spaces. Most screens' labels are reused, so the trail says "Date of birth" where the form does.
FIELDS = {
    "accession_number": N_("Accession number"),
    "action": N_("Action"),
    "active": N_("Active"),
    "allergy_contrast": N_("Allergy: contrast medium"),
    "allergy_iodine": N_("Allergy: iodine"),
    "allergy_latex": N_("Allergy: latex"),
    "allergy_local_anaesthetic": N_("Allergy: local anaesthetics"),
    "allergy_other": N_("Other allergies"),
    "allergy_steroid": N_("Allergy: steroids"),
    "approach": N_("Approach"),
    "attempts": N_("Attempts"),
    "bed_id": N_("Bed"),
    "birth_date": N_("Date of birth"),
    "bleeding_class": N_("Bleeding class"),
    "body_region": N_("Body region"),
    "can_walk": N_("Can walk safely"),
    "cancel_reason": N_("Reason for cancelling"),
    "city": N_("City"),
    "clinic_number": N_("Clinic number"),
    "clinical_question": N_("Clinical question"),
    "complications": N_("Complications"),
    "conditions_note": N_("Note on conditions"),
    "created_at": N_("Created at"),
    "created_by_id": N_("Created by"),
    "current_infection": N_("Current infection"),
    "decline_reason": N_("Reason for declining"),
    "description": N_("Description"),
    "diabetes": N_("Diabetes"),
    "discharge_reason": N_("Reason for discharge"),
    "discharged_at": N_("Discharged at"),
    "discharged_by_id": N_("Discharged by"),
    "dose_class": N_("Dose"),
    "drug_code": N_("Drug"),
    "due_on": N_("Due on"),
    "earliest_date": N_("Earliest date"),
    "email": N_("Email"),
    "end_time": N_("End"),
    "ended_at": N_("Ended at"),
    "ends_at": N_("Ends at"),
    "escort_name": N_("Escort's name"),
    "escort_phone": N_("Escort's phone"),
    "escort_present": N_("Escort present"),
    "extension_minutes": N_("Extension (minutes)"),
    "extension_reason": N_("Reason for the extension"),
    "facility": N_("Facility"),
    "failed_logins": N_("Failed logins"),
    "family_name": N_("Family name"),
    "from": N_("From"),
    "full_name": N_("Full name"),
    "given_name": N_("Given name"),
    "guidance": N_("Guidance"),
    "hold_hours": N_("Hold (hours)"),
    "hold_override_date": N_("Hold overridden for"),
    "hold_override_reason": N_("Reason for the override"),
    "identity_status": N_("Identity"),
    "imaging_waiver_reason": N_("Reason for waiving imaging"),
    "implant": N_("Pacemaker or other implant"),
    "implant_note": N_("Which pacemaker or implant?"),
    "info_answer": N_("Answer to the request"),
    "info_request": N_("Request for information"),
    "instructions_given": N_("Instructions given"),
    "insurance_name": N_("Insurance"),
    "insurance_number": N_("Insurance number"),
    "kidney_disease": N_("Kidney disease"),
    "kind": N_("Kind"),
    "label": N_("Label"),
    "language": N_("Language"),
    "last_dose_on": N_("Last dose on"),
    "last_login_at": N_("Last login"),
    "latest_date": N_("Latest date"),
    "level_count": N_("Number of levels"),
    "levels": N_("Levels"),
    "locked_until": N_("Locked until"),
    "modality": N_("Modality"),
    "name": N_("Name"),
    "name_de": N_("Name (German)"),
    "name_en": N_("Name (English)"),
    "next_try_on": N_("Next try on"),
    "note": N_("Note"),
    "obs_end": N_("End of observation"),
    "observation_minutes": N_("Observation (minutes)"),
    "pain_after": N_("Pain after"),
    "pain_before": N_("Pain before"),
    "pain_score": N_("Pain score"),
    "part_of_day": N_("Part of day"),
    "password_hash": N_("Password"),
    "patient_id": N_("Patient"),
    "phone": N_("Phone"),
    "planned_end": N_("Planned end"),
    "planned_guidance": N_("Planned guidance"),
    "planned_levels": N_("Planned levels"),
    "planned_procedure_type_id": N_("Planned procedure"),
    "planned_region": N_("Planned region"),
    "planned_side": N_("Planned side"),
    "planned_stage": N_("Planned stage"),
    "planned_target": N_("Planned target"),
    "postal_code": N_("Postal code"),
    "preferred_language": N_("Language for printed sheets"),
    "pregnancy_possible": N_("Possible pregnancy"),
    "priority": N_("Priority"),
    "procedure_type_id": N_("Procedure"),
    "radiologist_id": N_("Radiologist"),
    "raised_bleeding_risk": N_("Raised bleeding risk"),
    "reason": N_("Reason"),
    "received_on": N_("Received on"),
    "reference": N_("Reference"),
    "referral_id": N_("Referral"),
    "referring_physician_id": N_("Referring physician"),
    "region": N_("Region"),
    "relief_category": N_("Relief"),
    "relief_percent": N_("Relief (%)"),
    "reminder_queued_at": N_("Reminder queued at"),
    "rescheduled_from_id": N_("Moved from appointment"),
    "resolved_at": N_("Resolved at"),
    "restart_hours": N_("Restart after (hours)"),
    "room_id": N_("Room"),
    "scope": N_("Scope"),
    "sex": N_("Sex"),
    "side": N_("Side"),
    "signed_at": N_("Signed at"),
    "signed_by_id": N_("Signed by"),
    "stable": N_("Stable"),
    "stage": N_("Stage"),
    "start_time": N_("Start"),
    "started_at": N_("Started at"),
    "starts_at": N_("Starts at"),
    "status": N_("Status"),
    "status_changed_at": N_("Status changed at"),
    "street": N_("Street and number"),
    "study_date": N_("Study date"),
    "symptom_duration_weeks": N_("Symptom duration (weeks)"),
    "table_end": N_("Table end"),
    "table_minutes": N_("Table time (minutes)"),
    "table_start": N_("Table start"),
    "target": N_("Target"),
    "to": N_("To"),
    "treatments_note": N_("Note on treatments"),
    "treatments_tried": N_("Treatments tried"),
    "triage_note": N_("Triage note"),
    "triaged_at": N_("Triaged at"),
    "triaged_by_id": N_("Triaged by"),
    "unit": N_("Unit"),
    "username": N_("User name"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid to"),
    "weekday": N_("Weekday"),
}
HIDDEN = "(changed)"  # what the trail keeps of a secret or a long text: that it changed
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\+00:00|Z)")


@dataclass(frozen=True)
class Change:
    """One line of "What changed": the field in words, and its value before and after (``before`` is None
    for a value an action recorded on its own, such as a reason)."""

    field: str
    after: object
    before: object = None
    paired: bool = False


def field_label(table: str, column: str) -> str:
    if column in FIELDS:
        return Phrase(FIELDS[column])
    return column.removesuffix("_id").replace("_", " ")


@cache
def _vocabularies() -> dict[tuple[str, str], type[Labelled]]:
    """(table, column) → its labelled vocabulary, from the CHECK constraints that keep the column inside it."""
    enums = {frozenset(e.values()): e for e in _labelled(Labelled)}
    found = {}
    for table in AuditEvent.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint) and "values" in constraint.info:
                enum = enums.get(frozenset(constraint.info["values"]))
                if enum is not None:
                    found[(table.name, constraint.info["column"])] = enum
    return found


def _labelled(cls: type) -> list[type]:
    return [found for sub in cls.__subclasses__() for found in (sub, *_labelled(sub))]


def value_label(table: str, column: str, value: object, zone: str, locale: str) -> object:
    """A stored value as the screen says it: a code by its label, yes or no, an instant in the clinic's zone
    and format; a secret or long text only as "changed"."""
    if value is None or value == "":
        return "–"
    if value == HIDDEN:
        return Phrase(N_("changed"))
    if isinstance(value, bool):
        return Phrase(N_("yes") if value else N_("no"))
    if isinstance(value, list):
        return ", ".join(str(value_label(table, column, v, zone, locale)) for v in value)
    enum = _vocabularies().get((table, column))
    if enum is not None and isinstance(value, str):
        try:
            return Phrase(enum(value).label)
        except ValueError:
            return value
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        return fmt_datetime(dt.datetime.fromisoformat(value.replace("Z", "+00:00")), zone, locale)
    return value


def changes(event: AuditEvent, zone: str, locale: str) -> list[Change] | None:
    """What an event's summary says changed, field by field in words; None for a summary that is a sentence
    (shown as it is) or none."""
    if not event.summary:
        return None
    try:
        summary = json.loads(event.summary)
    except ValueError:
        return None
    if not isinstance(summary, dict):
        return None
    # Only a row's update keeps [before, after] pairs; an action's own values may be lists of two.
    updated = event.action.endswith(".update")
    table = event.object_type
    result = []
    for column, value in summary.items():
        field = field_label(table, column)
        if updated and isinstance(value, list) and len(value) == 2:
            before, after = (value_label(table, column, v, zone, locale) for v in value)
            result.append(Change(field, after, before, paired=True))
        else:
            result.append(Change(field, value_label(table, column, value, zone, locale)))
    return result


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
