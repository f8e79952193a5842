"""Referrals: take one in, read it, triage it, and its pre-registration status."""

from __future__ import annotations

from flask_login import current_user

from ...auth.access import roles
from ...core.errors import InvalidInput
from ...extensions import db
from ...models import Patient, Referral, ReferringPhysician
from ...models.vocab import Role
from ...scheduling.plan import ProcedurePlan
from ...services import intake, triage
from ...services.readiness import assess
from ...web import local_today, scheduling_settings
from .. import bp, present
from ..lookup import ID, find
from ..openapi import operation
from ..schemas.referrals import Accept, Decline, Preregistration, ReferralIn, TriageDecision
from ..schemas.referrals import Referral as ReferralOut

REFERRAL = f"<{ID}:referral_id>"
STAFF = (Role.FRONT_DESK, Role.RADIOLOGIST)


def _physician(json: ReferralIn) -> ReferringPhysician | None:
    if json.referring_physician_id is not None and json.physician is not None:
        raise InvalidInput("Give referring_physician_id or physician, not both.")
    if json.referring_physician_id is not None:
        return find(ReferringPhysician, json.referring_physician_id, "referring physician")
    if json.physician is not None:
        return intake.add_physician(db.session, intake.PhysicianDetails(**json.physician.model_dump()))
    return None


@bp.post("/referrals")
@roles(Role.FRONT_DESK)
@operation(ok=ReferralOut, status=201, errors=(404,), tags=["referrals"])
def create_referral(json: ReferralIn):
    """Record a referral for a registered patient. Any red flag makes it urgent."""
    patient = find(Patient, json.patient_id, "patient")
    details = intake.ReferralDetails(
        received_on=json.received_on,
        clinical_question=json.clinical_question,
        region=json.region,
        side=json.side,
        symptom_duration_weeks=json.symptom_duration_weeks,
        treatments=list(json.treatments),
        treatments_note=json.treatments_note,
        red_flags=json.red_flags.model_dump(),
    )
    referral = intake.take_referral(
        db.session, current_user, patient=patient, details=details, physician=_physician(json), today=local_today()
    )
    return present.referral(referral), 201


@bp.get(f"/referrals/{REFERRAL}")
@roles(*STAFF)
@operation(ok=ReferralOut, errors=(404,), tags=["referrals"])
def get_referral(referral_id: int):
    """A referral with its red-flag answers and triage decision."""
    referral = find(Referral, referral_id, "referral")
    return present.referral(referral)


@bp.post(f"/referrals/{REFERRAL}/triage")
@roles(Role.RADIOLOGIST)
@operation(ok=ReferralOut, errors=(404, 422), tags=["referrals"])
def triage_referral(referral_id: int, json: TriageDecision):
    """Accept with a planned procedure, decline with a reason, or ask for more information."""
    referral = find(Referral, referral_id, "referral")
    decision = json.root
    if isinstance(decision, Accept):
        plan = triage.PlanDetails(**decision.model_dump(exclude={"decision"}))
        triage.accept(db.session, current_user, referral, plan)
    elif isinstance(decision, Decline):
        triage.decline(db.session, current_user, referral, decision.reason)
    else:
        triage.request_information(db.session, current_user, referral, decision.text)
    return present.referral(referral)


@bp.get(f"/referrals/{REFERRAL}/preregistration")
@roles(*STAFF)
@operation(ok=Preregistration, errors=(404,), tags=["referrals"])
def get_preregistration(referral_id: int):
    """The checklist, what is missing, and (once a procedure is planned) whether it can be booked."""
    referral = find(Referral, referral_id, "referral")
    readiness = None
    if referral.planned_procedure_type is not None:
        readiness = assess(db.session, scheduling_settings(), referral, ProcedurePlan.from_referral(referral))
    return present.prereg(db.session, referral, readiness)
