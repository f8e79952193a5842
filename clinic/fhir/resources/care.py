"""ServiceRequest (a referral with its triage) and Appointment (with its participants)."""

from __future__ import annotations

from ...models import Appointment, Referral
from ...models.vocab import AppointmentStatus, Priority, ReferralStatus
from .. import codes
from .common import compact, day, instant, procedure_concept, ref, site

UNPLANNED = "Image-guided spinal injection (to be planned at triage)"
PERFORMER = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PPRF"}]}


def _triage_notes(r: Referral, zone: str) -> list[dict]:
    notes = []
    when = instant(r.triaged_at, zone)
    if r.status == ReferralStatus.ACCEPTED and r.triage_note:
        notes.append({"text": f"Accepted: {r.triage_note}", "time": when})
    if r.status == ReferralStatus.DECLINED and r.decline_reason:
        notes.append({"text": f"Declined: {r.decline_reason}", "time": when})
    if r.status == ReferralStatus.INFO_REQUESTED and r.info_request:
        notes.append({"text": f"More information requested: {r.info_request}", "time": when})
    for flag in r.open_red_flags:
        notes.append({"text": f"Open red flag: {flag.question}"})
    return notes


def service_request(r: Referral, zone: str) -> dict:
    """The referral as a request to the clinic. ``code`` is the planned procedure once a radiologist
    accepted it; the triage decision is the status, the performer and a note."""
    pt = r.planned_procedure_type
    physician = r.referring_physician
    planned = r.status == ReferralStatus.ACCEPTED or pt is not None
    return compact(
        {
            "resourceType": "ServiceRequest",
            "id": str(r.id),
            "status": codes.REFERRAL_STATUS[ReferralStatus(r.status)],
            "intent": "order",
            "category": [
                {
                    "coding": [
                        {"system": codes.TRIAGE_CODES, "code": r.status, "display": ReferralStatus(r.status).label}
                    ]
                }
            ],
            "priority": codes.REFERRAL_PRIORITY[Priority(r.priority)],
            "code": procedure_concept(pt)
            if pt is not None
            else {"text": "Image-guided spinal injection (to be planned)"},
            "orderDetail": [
                {
                    "coding": [
                        {"system": codes.PRIORITY_CODES, "code": r.priority, "display": Priority(r.priority).label}
                    ]
                }
            ],
            "subject": ref("Patient", r.patient_id),
            "authoredOn": day(r.received_on),
            "requester": {"display": str(physician)} if physician is not None else None,
            "performer": [ref("Practitioner", r.triaged_by_id)] if r.triaged_by_id else [],
            "reasonCode": [{"text": r.clinical_question}],
            "bodySite": (
                site(r.planned_region, r.planned_side, r.planned_levels) if planned else site(r.region, r.side)
            ),
            "note": _triage_notes(r, zone),
        }
    )


def appointment(a: Appointment, zone: str) -> dict:
    """Room and radiologist for the table time, then the observation bed: each a participant with its
    own period. start and end span the whole stay (table and observation)."""
    pt = a.procedure_type
    table = {"start": instant(a.table_start, zone), "end": instant(a.table_end, zone)}
    participants = [
        {"actor": ref("Patient", a.patient_id), "required": "required", "status": "accepted"},
        {"actor": ref("Location", f"room-{a.room_id}"), "required": "required", "status": "accepted", "period": table},
        {
            "type": [
                {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PPRF"}]}
            ],
            "actor": ref("Practitioner", a.radiologist_id),
            "required": "required",
            "status": "accepted",
            "period": table,
        },
    ]
    if a.bed_id is not None:
        participants.append(
            {
                "actor": ref("Location", f"bed-{a.bed_id}"),
                "required": "required",
                "status": "accepted",
                "period": {"start": instant(a.table_end, zone), "end": instant(a.obs_end, zone)},
            }
        )
    words = [pt.code, a.region, a.side, a.levels, a.stage]
    return compact(
        {
            "resourceType": "Appointment",
            "id": str(a.id),
            "meta": {"versionId": str(a.version)},
            "identifier": [{"system": codes.APPOINTMENT_REFERENCE, "value": a.reference}],
            "status": codes.APPOINTMENT_STATUS[a.status],
            "cancelationReason": (
                {"text": a.cancel_reason} if a.status == AppointmentStatus.CANCELLED and a.cancel_reason else None
            ),
            "serviceType": [procedure_concept(pt)],
            "description": " ".join(w for w in words if w),
            "start": instant(a.table_start, zone),
            "end": instant(a.obs_end, zone),
            "minutesDuration": int((a.obs_end - a.table_start).total_seconds() // 60),
            "created": instant(a.created_at, zone),
            "comment": a.note,
            "basedOn": [ref("ServiceRequest", a.referral_id)] if a.referral_id else [],
            "participant": participants,
        }
    )
