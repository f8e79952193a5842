"""Procedure (the signed record of what was done), Consent (the signed form, for the printed version)
and ImagingStudy (prior imaging brought in)."""

from __future__ import annotations

from ...models import Appointment, Consent, ImagingStudy, ProcedureRecord
from .. import codes
from .common import compact, day, instant, procedure_concept, ref, site


def procedure(record: ProcedureRecord, a: Appointment, zone: str) -> dict:
    """In progress until the radiologist ends it; then completed (signing freezes it, addenda follow)."""
    notes = [{"text": record.note}] if record.note else []
    notes += [{"text": f"Addendum: {add.text}", "time": instant(add.created_at, zone)} for add in record.addenda]
    if record.pain_before is not None or record.pain_after is not None:
        notes.append({"text": f"Pain score (0-10) before: {record.pain_before}, after: {record.pain_after}"})
    return compact(
        {
            "resourceType": "Procedure",
            "id": str(record.id),
            "status": "completed" if record.ended_at is not None else "in-progress",
            "code": procedure_concept(a.procedure_type),
            "subject": ref("Patient", a.patient_id),
            "basedOn": [ref("ServiceRequest", a.referral_id)] if a.referral_id else [],
            "performedPeriod": {"start": instant(record.started_at, zone), "end": instant(record.ended_at, zone)},
            "recorder": ref("Practitioner", record.created_by_id) if record.created_by_id else None,
            "asserter": ref("Practitioner", record.signed_by_id) if record.signed_by_id else None,
            "performer": [{"actor": ref("Practitioner", a.radiologist_id)}],
            "location": ref("Location", f"room-{a.room_id}"),
            "bodySite": site(a.region, record.side or a.side, record.levels or a.levels),
            "complication": [{"text": record.complications}] if record.complications else [],
            "usedCode": [{"text": f"{d.drug_option.name} {d.dose.normalize():f} {d.unit}"} for d in record.drugs],
            "note": notes,
        }
    )


def consent(c: Consent, a: Appointment, zone: str) -> dict:
    """Proposed while printed and unsigned, active once signed. The printed version is the attachment:
    the text version it was printed from (also the policy) and the PDF's SHA-256."""
    text = c.document_text
    label = text.version_label
    performers = [ref("Patient", a.patient_id)]
    if c.taken_by_id:
        performers.append(ref("Practitioner", c.taken_by_id))
    return compact(
        {
            "resourceType": "Consent",
            "id": str(c.id),
            "identifier": [{"system": codes.CONSENT_FORM_SHA256, "value": c.pdf_sha256}],
            "status": "active" if c.signed_at is not None else "proposed",
            "scope": {"coding": [{"system": codes.CONSENT_SCOPE, "code": "treatment", "display": "Treatment"}]},
            "category": [{"coding": [{"system": codes.LOINC, "code": "59284-0", "display": "Patient Consent"}]}],
            "patient": ref("Patient", a.patient_id),
            "dateTime": instant(c.signed_at or c.printed_at, zone),
            "performer": performers,
            "sourceAttachment": {
                "contentType": "application/pdf",
                "language": text.language,
                "title": f"{text.title} ({label})",
                "creation": instant(c.printed_at, zone),
                "url": f"{codes.DOCUMENT_TEXT}{label}",
            },
            "policy": [{"uri": f"{codes.DOCUMENT_TEXT}{label}"}],
            "provision": {
                "type": "permit",
                "code": [procedure_concept(a.procedure_type)],
                "data": [{"meaning": "related", "reference": ref("Appointment", a.id)}],
            },
        }
    )


def imaging_study(study: ImagingStudy, zone: str) -> dict:
    modality = codes.DICOM_MODALITY.get((study.modality or "").strip().upper().replace(" ", ""))
    description = " – ".join(w for w in (study.modality, study.body_region, study.description) if w)
    notes = [{"text": f"Performed at {study.facility}"}] if study.facility else []
    if study.identity_mismatch:
        notes.append({"text": "A file's patient details do not match this patient: check before use."})
    return compact(
        {
            "resourceType": "ImagingStudy",
            "id": str(study.id),
            "status": "available" if study.files else "registered",
            "modality": [{"system": codes.DICOM, "code": modality}] if modality else [],
            "subject": ref("Patient", study.patient_id),
            "started": day(study.study_date),
            "basedOn": [ref("ServiceRequest", study.referral_id)] if study.referral_id else [],
            "numberOfInstances": len(study.files) or None,
            "description": description,
            "note": notes,
        }
    )
