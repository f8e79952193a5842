"""Code systems and the clinic's vocabularies in FHIR's terms.

The clinic's own identifiers and codes live under ``urn:pain-clinic:``; FHIR's own value sets are
used wherever the standard has one (statuses, gender, languages, DICOM modalities, consent scope).
"""

from __future__ import annotations

from ..models.vocab import AppointmentStatus, Priority, ReferralStatus, Sex

CLINIC_NUMBER = "urn:pain-clinic:clinic-number"
APPOINTMENT_REFERENCE = "urn:pain-clinic:appointment-reference"
PROCEDURE_CODES = "urn:pain-clinic:procedure-type"
PRIORITY_CODES = "urn:pain-clinic:referral-priority"
TRIAGE_CODES = "urn:pain-clinic:referral-status"
CONSENT_FORM_SHA256 = "urn:pain-clinic:consent-form-sha256"
DOCUMENT_TEXT = "urn:pain-clinic:document-text:"
ROOM_TYPE = "urn:pain-clinic:room"
USERNAME = "urn:pain-clinic:username"

LOCATION_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
LANGUAGE = "urn:ietf:bcp:47"
SERVICE_CATEGORY_REFERRAL = "http://snomed.info/sct"

GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.DIVERSE: "other", Sex.UNKNOWN: "unknown"}

# DESIGN.md §3: the appointment states in FHIR's names (in_procedure and in_observation are "arrived").
APPOINTMENT_STATUS = {status.value: status.fhir for status in AppointmentStatus}

# A referral as a request to us: it stays active while we work on it; info_requested waits on the
# referrer (on-hold); declined ends it before anything was done (revoked); closed is completed.
REFERRAL_STATUS = {
    ReferralStatus.RECEIVED: "active",
    ReferralStatus.ACCEPTED: "active",
    ReferralStatus.INFO_REQUESTED: "on-hold",
    ReferralStatus.DECLINED: "revoked",
    ReferralStatus.CLOSED: "completed",
}

# FHIR's request priority has no "soon": it is routine there, and the clinic's own code travels along
# in orderDetail.
REFERRAL_PRIORITY = {Priority.ROUTINE: "routine", Priority.SOON: "routine", Priority.URGENT: "urgent"}

# DICOM modality codes for the modalities recorded with prior imaging.
DICOM_MODALITY = {"CT": "CT", "MRI": "MR", "MR": "MR", "X-RAY": "DX", "XRAY": "DX", "DX": "DX", "CR": "CR", "US": "US"}


def statuses_for(fhir_status: str, mapping: dict) -> list[str]:
    """The clinic's statuses that show as one FHIR status (a search by ``status``)."""
    return [ours for ours, theirs in mapping.items() if theirs == fhir_status]
