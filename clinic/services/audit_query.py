"""Reading the audit trail back, with filters, for the admin screen; and what its codes mean.

The trail stores codes: the action (``appointments.update``, ``referral.hold_override``), the kind of
object (a table's name, or a FHIR resource's), the actor's user name (or a process's), and what changed
as JSON with column names and stored codes (``{"status": ["booked", "checked_in"]}``). The screen shows
them as words in the reader's language (``action_label``, ``object_label``, ``actor_label``, ``changes``:
marked phrases, English until a screen translates them) and keeps the codes as the filters' values.
What is stored stays as it was written (it is the record); only its reading changes here."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from sqlalchemy import CheckConstraint, Column, Select, TypeDecorator, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ..core.holds import read_key
from ..core.messages import N_, Named, Phrase, Phrases
from ..core.timefmt import fmt_date, fmt_datetime
from ..models import Appointment, AuditEvent, DrugOption, ObservationBed, ProcedureType, Room, User
from ..models.clinical import gap_phrases
from ..models.vocab import Labelled, Role
from .episodes import PROCEDURE_DONE
from .medication import DOSE_CLASS_LABELS, drug_names

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
    "restart_calls": N_("Call about restarting a blood thinner"),
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
    "observation.critical_released": N_("Critical values released for discharge by a physician"),
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
    "procedure_record.contrast_allergy_confirmed": N_(
        "Contrast given despite a contrast allergy: allergy taken into account"
    ),
    "procedure_record.signed": N_("Procedure record signed"),
    "referral.closed": N_("Referral closed"),
    "referral.hold_override": N_("Medication hold overridden"),
    "referral.hold_plan_confirmed": N_("Medication plan confirmed"),
    "referral.hold_plan_lapsed": N_("Medication plan changed since its confirmation: to be confirmed again"),
    "referral.imaging_waived": N_("Imaging waived"),
    "referral.implant_mr_checked": N_("Implant checked for MRI guidance"),
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


# The changed columns (and the keys services record by name) in words: every audited column has its words
# (tests/test_audit.py checks); a key not named here (one a service adds later) shows as its name with spaces.
# Most screens' labels are reused, so the trail says "Date of birth" where the form does.
FIELDS = {
    "accession_number": N_("Accession number"),
    "action": N_("Action"),
    "active": N_("Active"),
    "ae_title": N_("Scanner AE title (DICOM)"),
    "ageing_flagged_at": N_("Flagged as waiting long at"),
    "agreed_restart_at": N_("Agreed restart"),
    "allergies_settled_at": N_("Allergies settled at"),
    "allergies_settled_by_id": N_("Allergies settled by"),
    "allergy_contrast": N_("Allergy: contrast medium"),
    "allergy_iodine": N_("Allergy: iodine"),
    "allergy_latex": N_("Allergy: latex"),
    "allergy_local_anaesthetic": N_("Allergy: local anaesthetics"),
    "allergy_other": N_("Other allergies"),
    "allergy_steroid": N_("Allergy: steroids"),
    "appointment": N_("Appointment"),
    "appointment_id": N_("Appointment"),
    "appointments": N_("Appointments"),
    "approach": N_("Approach"),
    "at": N_("Time"),
    "attempts": N_("Attempts"),
    "author_id": N_("Author"),
    "bed_id": N_("Bed"),
    "birth_date": N_("Date of birth"),
    "bleeding_class": N_("Bleeding class"),
    "bleeding_class_cervical": N_("Bleeding class in the cervical spine"),
    "body": N_("Text"),
    "body_region": N_("Body region"),
    "by_user_id": N_("Recorded by"),
    "can_walk": N_("Can walk safely"),
    "cancel_reason": N_("Reason for cancelling"),
    "change_note": N_("Note on the change"),
    "city": N_("City"),
    "clearance_note": N_("Note on clearing"),
    "cleared_at": N_("Cleared at"),
    "cleared_by_id": N_("Cleared by"),
    "clinic_number": N_("Clinic number"),
    "clinical_question": N_("Clinical question"),
    "code": N_("Code"),
    "complications": N_("Complications"),
    "conditions_note": N_("Note on conditions"),
    "conditions_settled_at": N_("Conditions settled at"),
    "conditions_settled_by_id": N_("Conditions settled by"),
    "confirmed_appointment_id": N_("Booked as appointment"),
    "confirmed_at": N_("Confirmed at"),
    "confirmed_by_id": N_("Confirmed by"),
    "contact_confirmed_at": N_("Contact details confirmed at"),
    "contact_confirmed_by_id": N_("Contact details confirmed by"),
    "country": N_("Country"),
    "created_at": N_("Created at"),
    "contrast_allergy_confirmed_at": N_("Contrast allergy taken into account, confirmed at"),
    "created_by_id": N_("Created by"),
    "critical_release_reason": N_("Reason for releasing critical values"),
    "critical_released_at": N_("Critical values released at"),
    "critical_released_by_id": N_("Critical values released by"),
    "critical_released_check_id": N_("Critical values released up to check"),
    "ctdivol_mgy": N_("CTDIvol (mGy)"),
    "current_infection": N_("Current infection"),
    "decided_at": N_("Decided at"),
    "decided_by_id": N_("Decided by"),
    "decision_note": N_("Note on the decision"),
    "decline_reason": N_("Reason for declining"),
    "description": N_("Description"),
    "diabetes": N_("Diabetes"),
    "diastolic": N_("BP diastolic"),
    "dicom_body_part": N_("Body part (DICOM)"),
    "dicom_description": N_("Description (DICOM)"),
    "dicom_modality": N_("Modality (DICOM)"),
    "dicom_patient_birth_date": N_("Patient's date of birth (DICOM)"),
    "dicom_patient_name": N_("Patient's name (DICOM)"),
    "dicom_study_date": N_("Study date (DICOM)"),
    "discharge_flagged": N_("Discharge flagged"),
    "discharge_gaps": N_("Gaps at discharge"),
    "discharge_reason": N_("Reason for discharge"),
    "discharged_at": N_("Discharged at"),
    "discharged_by_id": N_("Discharged by"),
    "dlp_mgycm": N_("CT dose (DLP, mGy·cm)"),
    "document_text_id": N_("Document text"),
    "dose": N_("Dose"),
    "dose_class": N_("Dose"),
    "drug_code": N_("Drug"),
    "drug_name_de": N_("Name (German)"),
    "drug_name_en": N_("Name (English)"),
    "drug_option_id": N_("Drug"),
    "due_on": N_("Due on"),
    "earliest": N_("Earliest procedure date"),  # a medication hold's override (``triage.override_hold``)
    "earliest_date": N_("Earliest date"),
    "email": N_("Email"),
    "end_time": N_("End"),
    "ended_at": N_("Ended at"),
    "ends_at": N_("Ends at"),
    "escort_name": N_("Escort's name"),
    "escort_phone": N_("Escort's phone"),
    "escort_present": N_("Escort present"),
    "escort_settled_at": N_("Escort settled at"),
    "escort_settled_by_id": N_("Escort settled by"),
    "evidence": N_("Evidence"),
    "expected": N_("Expected images"),
    "expires_at": N_("Expires at"),
    "explained_at": N_("Explained at"),
    "explained_by_id": N_("Information talk given by"),
    "extension_minutes": N_("Extension (minutes)"),
    "extension_reason": N_("Reason for the extension"),
    "extra_minutes_per_level": N_("Extra table minutes per additional level"),
    "extra_minutes_per_side": N_("Extra table minutes per additional side"),
    "facility": N_("Facility"),
    "failed_attempts": N_("Failed attempts"),
    "failed_logins": N_("Failed logins"),
    "family_key": N_("Family name (for search)"),
    "family_name": N_("Family name"),
    "fasting_hours": N_("Fasting before the procedure (hours)"),
    "fax": N_("Fax"),
    "finished_at": N_("Finished at"),
    "flagged": N_("Flagged"),
    "from": N_("From"),
    "full_name": N_("Full name"),
    "gaps": N_("Skipped"),
    "given_key": N_("Given name (for search)"),
    "given_name": N_("Given name"),
    "guidance": N_("Guidance"),
    "hold_hours": N_("Hold (hours)"),
    "hold_override_at": N_("Hold overridden at"),
    "hold_override_by_id": N_("Hold overridden by"),
    "hold_override_date": N_("Hold overridden for"),
    "hold_override_reason": N_("Reason for the override"),
    "hold_plan_confirmed_at": N_("Medication plan confirmed at"),
    "hold_plan_confirmed_by_id": N_("Medication plan confirmed by"),
    "hold_plan_confirmed_key": N_("Confirmed medication plan"),
    "identity_note": N_("Note on identity"),
    "identity_status": N_("Identity"),
    "imaging_study_id": N_("Prior imaging study"),
    "imaging_waived_at": N_("Imaging waived at"),
    "imaging_waived_by_id": N_("Imaging waived by"),
    "imaging_waiver_reason": N_("Reason for waiving imaging"),
    "implant": N_("Pacemaker or other implant"),
    "implant_mr_checked_at": N_("Implant checked for MRI at"),
    "implant_mr_checked_by_id": N_("Implant checked for MRI by"),
    "implant_mr_checked_note": N_("Implant checked for MRI"),
    "implant_note": N_("Which pacemaker or implant?"),
    "info_answer": N_("Answer to the request"),
    "info_answered_at": N_("Answer recorded at"),
    "info_answered_by_id": N_("Answer recorded by"),
    "info_request": N_("Request for information"),
    "injected": N_("Injected"),
    "instructions_given": N_("Instructions given"),
    "insurance_name": N_("Insurance"),
    "insurance_number": N_("Insurance number"),
    "item": N_("Item"),
    "key": N_("Setting"),
    "kidney_disease": N_("Kidney disease"),
    "kind": N_("Kind"),
    "label": N_("Label"),
    "language": N_("Language"),
    "language_settled_at": N_("Language settled at"),
    "language_settled_by_id": N_("Language settled by"),
    "last_dose_on": N_("Last dose on"),
    "last_fetched_at": N_("Last fetched at"),
    "last_login_at": N_("Last login"),
    "last_opened_at": N_("Last opened at"),
    "last_sent_at": N_("Last sent at"),
    "last_used_at": N_("Last used at"),
    "last_verified_at": N_("Last confirmed at"),
    "latest_date": N_("Latest date"),
    "level_count": N_("Number of levels"),
    "levels": N_("Levels"),
    "link_id": N_("Patient link"),
    "location_hint": N_("Where to find it (German letters)"),
    "location_hint_en": N_("Where to find it (English letters)"),
    "locked_at": N_("Locked at"),
    "locked_until": N_("Locked until"),
    "medication_settled_at": N_("Medication settled at"),
    "medication_settled_by_id": N_("Medication settled by"),
    "message": N_("Message"),
    "modality": N_("Modality"),
    "motor_normal": N_("Motor function normal"),
    "name": N_("Name"),
    "name_de": N_("Name (German)"),
    "name_en": N_("Name (English)"),
    "name_words": N_("Name (for search)"),
    "needs_levels": N_("Needs the spinal level(s)"),
    "needs_side": N_("Needs a side"),
    "needs_stage": N_("Needs a stage (diagnostic, therapeutic or neurolytic)"),
    "next_try_on": N_("Next try on"),
    "nonce": N_("Security value"),
    "note": N_("Note"),
    "note_de": N_("Note (German)"),
    "obs_end": N_("End of observation"),
    "observation_id": N_("Observation"),
    "observation_minutes": N_("Observation (minutes)"),
    "on_call_list_at": N_("On the call list since"),
    "on_date": N_("Date"),
    "opened": N_("Opened on"),
    "original_name": N_("File name"),
    "pain_after": N_("Pain after"),
    "pain_before": N_("Pain before"),
    "pain_score": N_("Pain score"),
    "part_of_day": N_("Part of day"),
    "password_hash": N_("Password"),
    "patient_id": N_("Patient"),
    "payload": N_("Content"),
    "pdf_sha256": N_("PDF checksum"),
    "phone": N_("Phone"),
    "plan": N_("Medication plan"),
    "planned_end": N_("Planned end"),
    "planned_guidance": N_("Planned guidance"),
    "planned_levels": N_("Planned levels"),
    "planned_procedure_type_id": N_("Planned procedure"),
    "planned_region": N_("Planned region"),
    "planned_side": N_("Planned side"),
    "planned_stage": N_("Planned stage"),
    "planned_target": N_("Planned target"),
    "postal_code": N_("Postal code"),
    "practice": N_("Practice"),
    "preferred_language": N_("Language for printed sheets"),
    "prefix": N_("Prefix"),
    "pregnancy_possible": N_("Possible pregnancy"),
    "preregistration_id": N_("Pre-registration"),
    "present": N_("Present"),
    "printed_at": N_("Printed at"),
    "printed_by_id": N_("Printed by"),
    "printed_for_start": N_("Printed for the appointment at"),
    "priority": N_("Priority"),
    "procedure_type_id": N_("Procedure"),
    "pulse": N_("Pulse"),
    "radiologist_id": N_("Radiologist"),
    "raised_bleeding_risk": N_("Raised bleeding risk"),
    "reason": N_("Reason"),
    "received": N_("Images received"),
    "received_at": N_("Received at"),
    "received_on": N_("Received on"),
    "record_id": N_("Procedure record"),
    "recorded_at": N_("Recorded at"),
    "recorded_by_id": N_("Recorded by"),
    "reference": N_("Reference"),
    "referral_id": N_("Referral"),
    "referring_physician_id": N_("Referring physician"),
    "region": N_("Region"),
    "released_at": N_("Released at"),
    "relief_category": N_("Relief"),
    "relief_percent": N_("Relief (%)"),
    "reminder_queued_at": N_("Reminder queued at"),
    "requested_at": N_("Requested at"),
    "requested_by_id": N_("Requested by"),
    "requires_inr": N_("Check INR before the procedure"),
    "requires_procedure_type_id": N_("Requires procedure"),
    "requires_stage": N_("Requires stage"),
    "rescheduled_from_id": N_("Moved from appointment"),
    "resolved_appointment_id": N_("Resolved by appointment"),
    "resolved_at": N_("Resolved at"),
    "restart_hours": N_("Restart after (hours)"),
    "revoked_at": N_("Revoked at"),
    "revoked_by_id": N_("Revoked by"),
    "role": N_("Role"),
    "room_id": N_("Room"),
    "scope": N_("Scope"),
    "sensory_normal": N_("Sensation normal"),
    "session_version": N_("Sign-in version"),
    "set_aside_at": N_("Set aside at"),
    "set_aside_by_id": N_("Set aside by"),
    "set_aside_reason": N_("Reason for setting aside"),
    "sex": N_("Sex"),
    "side": N_("Side"),
    "signed_at": N_("Signed at"),
    "signed_by_id": N_("Signed by"),
    "sop_instance_uid": N_("SOP instance UID"),
    "sort_order": N_("Position in lists"),
    "stable": N_("Stable"),
    "stage": N_("Stage"),
    "start_time": N_("Start"),
    "started_at": N_("Started at"),
    "starts_at": N_("Starts at"),
    "station_ae_title": N_("Scanner's AE title"),
    "status": N_("Status"),
    "status_changed_at": N_("Status changed at"),
    "stored_file_id": N_("Stored file"),
    "street": N_("Street and number"),
    "study_date": N_("Study date"),
    "study_id": N_("Prior imaging study"),
    "study_instance_uid": N_("Study instance UID"),
    "submitted_at": N_("Submitted at"),
    "symptom_duration_weeks": N_("Symptom duration (weeks)"),
    "systolic": N_("BP systolic"),
    "table_end": N_("Table end"),
    "table_minutes": N_("Table time (minutes)"),
    "table_start": N_("Table start"),
    "taken_by_id": N_("Consent taken by"),
    "target": N_("Target"),
    "text": N_("Text"),
    "title": N_("Title"),
    "to": N_("To"),
    "token": N_("Token"),
    "token_hash": N_("Token"),
    "treatments_note": N_("Note on treatments"),
    "treatments_tried": N_("Treatments tried"),
    "triage_note": N_("Triage note"),
    "triaged_at": N_("Triaged at"),
    "triaged_by_id": N_("Triaged by"),
    "unit": N_("Unit"),
    "uploaded_at": N_("Uploaded at"),
    "uploaded_by_id": N_("Uploaded by"),
    "user_id": N_("User"),
    "username": N_("User name"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid to"),
    "value": N_("Value"),
    "values": N_("Values"),
    "verified_at": N_("Signed off at"),
    "verified_by": N_("Signed off by"),
    "warning": N_("Warning"),
    "weekday": N_("Weekday"),
}
# A column whose word differs by table: a drug's unit is the dose's (mg, ml), a room's or bed's the department.
TABLE_FIELDS = {
    ("drug_options", "unit"): N_("Unit of the dose"),
    ("procedure_drugs", "unit"): N_("Unit of the dose"),
    ("anticoagulant_rules", "note"): N_("Note (English)"),  # beside note_de
}
# The clinic's settings (the keys of ``services.settings``) as their form names them: a settings change shows
# "Reminder sent this many days before: 2 → 3", never the key (walk finding: "reminder days before: 2").
SETTINGS = {
    "clinic_name": N_("Clinic name"),
    "clinic_department": N_("Department (German documents)"),
    "clinic_department_en": N_("Department (English documents)"),
    "letter_signature": N_("Letters signed by (German)"),
    "letter_signature_en": N_("Letters signed by (English)"),
    "clinic_address": N_("Address"),
    "clinic_phone": N_("Telephone"),
    "clinic_email": N_("Email"),
    "clinic_place": N_("Town (for 'place, date' on letters)"),
    "emergency_number": N_("Emergency number"),
    "out_of_hours_number": N_("Out-of-hours medical service"),
    "arrival_minutes_before": N_("Arrival before the appointment (minutes)"),
    "booking_notice_minutes": N_("Shortest notice for a booking (minutes before the arrival time)"),
    "positive_relief_percent": N_("Pain relief that counts as a positive diagnostic block (%)"),
    "reminder_days_before": N_("Reminder sent this many days before"),
    "triage_ageing_days": N_("Referrals waiting for triage are flagged after (days)"),
    "imaging_old_after_years": N_("Prior imaging is noted as old after (years)"),
    "follow_up_days": N_("Follow-up after (days, comma-separated)"),
    "follow_up_attempts": N_("Follow-up calls before giving up"),
    "follow_up_retry_days": N_("Days until the next follow-up call"),
    "demo_data": N_("Demo data loaded"),
    "portal_steps": N_("Steps the patient's link offers"),
}
# Keys services record by name that hold ids of rows (``{"appointment": 291}``): the trail names the row.
KEY_REFERENCES = {"appointment": "appointments", "appointments": "appointments"}
# The weekday of a session template or a weekly duty (stored 0 for Monday).
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
HIDDEN = "(changed)"  # what the trail keeps of a secret or a long text: that it changed
# Sentences the clinic itself writes into the trail in English (a referral closed by its discharge): shown in the
# screen's language, old rows too (walk 27: "Grund: The planned procedure is done." on German screens).
OWN_SENTENCES = frozenset({PROCEDURE_DONE})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\+00:00|Z)")


@dataclass(frozen=True)
class Change:
    """One line of "What changed": the field in words, and its value before and after (``before`` is None
    for a value an action recorded on its own, such as a reason)."""

    field: str
    after: object
    before: object = None
    paired: bool = False


# The pages a read of patient data is recorded for (``services.reads``: the summary's "opened" is the page's
# endpoint), by their names on the screens; a page not named here by its area, never by its code.
PAGES = {
    "api.appointment_letter": N_("Appointment letter (API)"),
    "api.get_appointment": N_("Appointment (API)"),
    "api.get_patient": N_("Patient (API)"),
    "api.get_preregistration": N_("Pre-registration (API)"),
    "api.get_referral": N_("Referral (API)"),
    "feeds.calendar": N_("Calendar feed"),
    "frontdesk.appointment": N_("Appointment (front desk)"),
    "frontdesk.book": N_("Booking"),
    "frontdesk.download_referral_document": N_("Referral document"),
    "frontdesk.download_study_file": N_("Imaging file"),
    "frontdesk.edit_patient": N_("Edit the patient's details"),
    "frontdesk.freed_time_offers": N_("Offers of a freed time"),
    "frontdesk.hold": N_("Held time"),
    "frontdesk.information_sheet": N_("Information sheet"),
    "frontdesk.letter": N_("Appointment letter"),
    "frontdesk.new_referral_for": N_("New referral"),
    "frontdesk.pacs_retrievals_part": N_("Imaging retrievals (PACS)"),
    "frontdesk.referral": N_("Referral (front desk)"),
    "frontdesk.reschedule": N_("Move the appointment"),
    "patients.show": N_("Patient record"),
    "radiology.aftercare_sheet": N_("Discharge sheet (after the procedure)"),
    "radiology.appointment": N_("Procedure (radiology)"),
    "radiology.follow_up": N_("Follow-up"),
    "radiology.triage_referral": N_("Triage of a referral"),
}
AREAS = {
    "admin": N_("Administration page"),
    "api": N_("API (program access)"),
    "feeds": N_("Calendar feed"),
    "fhir": N_("FHIR interface"),
    "frontdesk": N_("Front desk page"),
    "observation": N_("Observation page"),
    "patients": N_("Patient page"),
    "portal": N_("Patient portal"),
    "radiology": N_("Radiology page"),
}


def page_label(endpoint: str) -> str:
    """The page a record was opened on, in words (a marked phrase): by its name, else by its area (a page's
    variant "…_landing" is the page it lands on); an endpoint code is never shown."""
    endpoint = endpoint.removesuffix("_landing")
    if endpoint in PAGES:
        return Phrase(PAGES[endpoint])
    area = endpoint.partition(".")[0]
    return Phrase(AREAS.get(area, N_("another page")))


def field_label(table: str, column: str) -> str:
    if table == "clinic_settings" and column in SETTINGS:
        return Phrase(SETTINGS[column])
    if (table, column) in TABLE_FIELDS:
        return Phrase(TABLE_FIELDS[(table, column)])
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


def _referenced() -> dict[tuple[str, str], str]:
    """(table, column) → the table its ids point to, from the foreign keys."""
    return _schema()[0]


def _target(table: str, column: str) -> str | None:
    """The table the ids of a changed column, or of a key an action recorded, point to."""
    return _referenced().get((table, column)) or KEY_REFERENCES.get(column)


@cache
def _schema() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], Column]]:
    """The tables' foreign keys (see ``_referenced``) and their columns by (table, column)."""
    references, columns = {}, {}
    for table in AuditEvent.metadata.tables.values():
        for column in table.columns:
            columns[(table.name, column.name)] = column
            for key in column.foreign_keys:
                references[(table.name, column.name)] = key.column.table.name
    return references, columns


def _python_type(table: str, column: str) -> type | None:
    found = _schema()[1].get((table, column))
    if found is None:
        return None
    kind = found.type
    if isinstance(kind, TypeDecorator):  # an instant (UTCDateTime) is told by what it stores
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


# Values that name blood thinners by their codes: a drug, or a medication plan's key (``HoldPlan.key``), which
# the trail says in words (walk finding: "low;aspirin/secondary/..." on the audit screen). ``names`` keeps the
# drugs' names under (DRUGS, code).
DRUGS = "drugs"
PLAN_KEYS = {"plan", "hold_plan_confirmed_key"}
DRUG_COLUMNS = {"drug_code", *PLAN_KEYS}


def drug_name(code: str, names: Mapping) -> object:
    return names.get((DRUGS, code), code)


def plan_words(key: str, names: Mapping, locale: str) -> object:
    """A medication plan's key in words: the bleeding class, then each drug with its dose, its rule (the hours
    as the rule gives them), the restart and a recorded last dose; a key cut short ends in "…"."""
    bleeding, items, cut = read_key(key)
    if bleeding is None:
        return Phrase(N_("a medication plan (not readable here)"))
    parts = [Phrase(N_("bleeding class: {risk}"), risk=Phrase(bleeding.label))]
    for item in items:
        words = [item.summary]
        if item.holds and item.restart_hours is not None:
            words.append(Phrase(N_("restart after {hours} hours"), hours=item.restart_hours))
        if item.last_dose_on is not None:
            words.append(Phrase(N_("last dose on {day}"), day=fmt_date(item.last_dose_on, locale)))
        parts.append(
            Phrase(
                N_("{drug}: {rule}"),
                drug=_drug_with_dose(item.drug_code, item.dose_class, names),
                rule=Phrases(words, ", "),
            )
        )
    if cut is not None:
        parts.append(Phrase(N_("{drug} …"), drug=drug_name(cut, names)) if cut else Phrase("…"))
    return Phrases(parts, " · ")  # not "; ": a rule's own words may hold one


def _drug_with_dose(code: str, dose: str, names: Mapping) -> object:
    if not dose:
        return drug_name(code, names)
    return Phrase(N_("{drug} ({dose})"), drug=drug_name(code, names), dose=Phrase(DOSE_CLASS_LABELS.get(dose, dose)))


# The rows whose ids the trail shows by their names: (id, English name, German name) of each.
NAMED_ROWS = {
    "rooms": lambda: (Room.id, Room.name, Room.name),
    "observation_beds": lambda: (ObservationBed.id, ObservationBed.label, ObservationBed.label),
    "users": lambda: (User.id, User.full_name, User.full_name),
    "procedure_types": lambda: (ProcedureType.id, ProcedureType.name_en, ProcedureType.name_de),
    "appointments": lambda: (Appointment.id, Appointment.reference, Appointment.reference),
    "drug_options": lambda: (DrugOption.id, DrugOption.name, DrugOption.name),
}
# Rows stored by an English name the catalogue translates (the seeded drugs, radiology.day.SEEDED_DRUG_NAMES):
# shown in the screen's language; a name the catalogue does not know shows as it is.
TRANSLATED_NAMES = {"drug_options"}
# The objects whose id the trail's object column shows by the name of a row (a user role by its user's).
OBJECT_ROWS = {**{table: table for table in NAMED_ROWS}, "user_roles": "users"}


def _summary(event: AuditEvent) -> dict | None:
    if not event.summary:
        return None
    try:
        summary = json.loads(event.summary)
    except ValueError:
        return None
    return summary if isinstance(summary, dict) else None


def names(session: Session, events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """The names of the rooms, beds, users and procedures that the events' changes point to by id
    (``{"room_id": [3, 5]}``), keyed by (table, id): one query for all the events of a page, not one a row."""
    wanted: dict[str, set[int]] = {}
    drugs = False
    for event in events:
        object_id = _object_row(event)
        if object_id is not None:
            wanted.setdefault(OBJECT_ROWS[event.object_type], set()).add(object_id)
        for column, value in (_summary(event) or {}).items():
            drugs = drugs or column in DRUG_COLUMNS
            target = _target(event.object_type, column)
            if target not in NAMED_ROWS:
                continue
            for one in value if isinstance(value, list) else [value]:
                if isinstance(one, int) and not isinstance(one, bool):
                    wanted.setdefault(target, set()).add(one)
    found = {(DRUGS, code): Named(en, de=de) for code, (en, de) in drug_names(session).items()} if drugs else {}
    if not wanted:
        return found
    parts = []
    for target, ids in sorted(wanted.items()):
        key, english, german = NAMED_ROWS[target]()
        parts.append(
            select(literal(target).label("kind"), key.label("id"), english.label("en"), german.label("de")).where(
                key.in_(sorted(ids))
            )
        )
    rows = session.execute(union_all(*parts) if len(parts) > 1 else parts[0])
    return found | {(kind, id_): _row_name(kind, en, de) for kind, id_, en, de in rows}


def _row_name(kind: str, english: str, german: str) -> str:
    if kind in TRANSLATED_NAMES:
        return Phrase(english)
    return english if english == german else Named(english, en=english, de=german)


def _object_row(event: AuditEvent) -> int | None:
    """The id of the row an event's object names by a name (``OBJECT_ROWS``): a user role's "9:front_desk"
    names its user 9."""
    if event.object_type not in OBJECT_ROWS or not event.object_id:
        return None
    first = event.object_id.partition(":")[0]
    return int(first) if first.isdigit() else None


def object_name(event: AuditEvent, names: Mapping[tuple[str, int], str] | None = None) -> object:
    """The event's object in words beyond its kind: an appointment by its reference, a user by name, a user
    role as "name: role", a room, bed or procedure by its name, a setting by its label; another id as stored
    (empty for none). Walk finding: "Benutzerrolle 9:front_desk", "Klinikeinstellungen reminder_days_before"."""
    names = names or {}
    if not event.object_id:
        return ""
    if event.object_type == "clinic_settings" and event.object_id in SETTINGS:
        return Phrase(SETTINGS[event.object_id])
    row = _object_row(event)
    if row is None:
        return event.object_id
    name = names.get((OBJECT_ROWS[event.object_type], row), event.object_id)
    if event.object_type == "user_roles":
        role = event.object_id.partition(":")[2]
        try:
            role_label = Phrase(Role(role).label)
        except ValueError:
            role_label = role
        return Phrase(N_("{user}: {role}"), user=name, role=role_label)
    return name


def value_label(
    table: str, column: str, value: object, zone: str, locale: str, names: Mapping[tuple[str, int], str] | None = None
) -> object:
    """A stored value as the screen says it: a code by its label, yes or no, a room, bed, user or procedure
    by its name (from ``names``), a day, a time or an instant in the clinic's zone and format; a secret or
    long text only as "changed". A value it cannot read shows as it was stored."""
    names = names or {}
    if value is None or value == "":
        return "–"
    if value == HIDDEN:
        return Phrase(N_("changed"))
    if column == "opened" and isinstance(value, str):  # the page a record was read on (services.reads)
        return page_label(value)
    if column == "gaps" and isinstance(value, list | str):  # what an early discharge skipped, in English
        return gap_phrases(value)
    if isinstance(value, bool):
        return Phrase(N_("yes") if value else N_("no"))
    if isinstance(value, str) and value in OWN_SENTENCES:
        return Phrase(value)
    if column in PLAN_KEYS and isinstance(value, str):
        return plan_words(value, names, locale)
    if column == "drug_code" and isinstance(value, str):
        return drug_name(value, names)
    if column == "dose_class" and isinstance(value, str) and value in DOSE_CLASS_LABELS:
        return Phrase(DOSE_CLASS_LABELS[value])
    if column == "last_dose_on" and isinstance(value, str) and _DAY.fullmatch(value):  # a medication's, as text
        return fmt_date(dt.date.fromisoformat(value), locale)
    if isinstance(value, list):
        return ", ".join(str(value_label(table, column, v, zone, locale, names)) for v in value)
    enum = _vocabularies().get((table, column))
    if enum is not None and isinstance(value, str):
        try:
            return Phrase(enum(value).label)
        except ValueError:
            return value
    if isinstance(value, int):
        target = _target(table, column)
        if target is not None:
            return names.get((target, value), value)
        if column == "weekday" and 0 <= value < len(WEEKDAYS):
            return Phrase(WEEKDAYS[value])
        return value
    if isinstance(value, str):
        try:
            return _typed(table, column, value, zone, locale)
        except (ValueError, InvalidOperation, OverflowError):
            return value
    return value


def _typed(table: str, column: str, value: str, zone: str, locale: str) -> object:
    """A value the trail wrote as text (a day, a time, an instant, a decimal) read by its column's type."""
    kind = _python_type(table, column)
    if kind is dt.datetime or (kind is None and _INSTANT.fullmatch(value)):
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if instant.tzinfo is None:  # an instant is stored in UTC
            instant = instant.replace(tzinfo=dt.UTC)
        return fmt_datetime(instant, zone, locale)
    if kind is dt.date or (kind is None and _DAY.fullmatch(value)):  # a key an action recorded: "earliest"
        return fmt_date(dt.date.fromisoformat(value), locale)
    if kind is dt.time:
        time = dt.time.fromisoformat(value)
        return f"{time.hour:02d}:{time.minute:02d}"
    if kind is Decimal:
        return Decimal(value)  # the screen writes it in its number format (45,3)
    return value


def changes(
    event: AuditEvent, zone: str, locale: str, names: Mapping[tuple[str, int], str] | None = None
) -> list[Change] | None:
    """What an event's summary says changed, field by field in words; None for a summary that is a sentence
    (shown as it is) or none. ``names``: the page's rooms, beds, users and procedures by id (``names()``)."""
    summary = _summary(event)
    if summary is None:
        return None
    # Only a row's update keeps [before, after] pairs; an action's own values may be lists of two.
    updated = event.action.endswith(".update") or event.action == "clinic_settings.changed"
    table = event.object_type
    result = []
    for column, value in summary.items():
        field = field_label(table, column)
        if updated and isinstance(value, list) and len(value) == 2:
            before, after = (value_label(table, column, v, zone, locale, names) for v in value)
            if str(before) == str(after):  # the same as the screen says it (an instant to the minute, ...)
                continue
            result.append(Change(field, after, before, paired=True))
        else:
            result.append(Change(field, value_label(table, column, value, zone, locale, names)))
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


def action_choices(session: Session) -> dict[str, str]:
    """The action filter's choices: value → words (a marked phrase). Codes that read the same are one choice
    whose value lists them with commas (walk finding: "Clinic settings changed" was listed twice, once for the
    settings screen's own event and once for the row's, which older trails hold both of)."""
    grouped: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for code in actions(session):
        label = action_label(code)
        grouped.setdefault(str(label), []).append(code)
        labels.setdefault(str(label), label)
    return {",".join(codes): labels[english] for english, codes in grouped.items()}


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
    if f.action and "," in f.action:  # the codes that read the same (``action_choices``)
        stmt = stmt.where(AuditEvent.action.in_([code.strip() for code in f.action.split(",") if code.strip()]))
    elif f.action:  # the action, or a group of them by the code's start ("portal": every portal.* action)
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
