"""Domain objects → response models. Reading only: nothing here changes or decides anything."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import models
from ..scheduling.finder import Candidate
from ..scheduling.plan import ProcedurePlan
from ..services import documents, preregistration
from ..services.readiness import Readiness
from ..services.uploads import AddedFiles
from ..services.worklist import Row
from .schemas import catalogue, day, patients, referrals, scheduling, uploads
from .schemas.common import Slot


def procedure_type(pt: models.ProcedureType) -> catalogue.ProcedureType:
    return catalogue.ProcedureType.model_validate(pt)


def patient_summary(patient: models.Patient) -> patients.PatientSummary:
    return patients.PatientSummary.model_validate(patient)


def patient(session: Session, patient: models.Patient) -> patients.Patient:
    referral_ids = session.scalars(
        select(models.Referral.id)
        .where(models.Referral.patient_id == patient.id)
        .order_by(models.Referral.received_on.desc(), models.Referral.id.desc())
    ).all()
    appointment_ids = session.scalars(
        select(models.Appointment.id)
        .where(models.Appointment.patient_id == patient.id)
        .order_by(models.Appointment.table_start.desc(), models.Appointment.id.desc())
    ).all()
    return patients.Patient.model_validate(
        {
            **patient_summary(patient).model_dump(),
            **{
                name: getattr(patient, name)
                for name in (
                    "phone",
                    "email",
                    "street",
                    "postal_code",
                    "city",
                    "insurance_name",
                    "insurance_number",
                    "preferred_language",
                )
            },
            "referral_ids": list(referral_ids),
            "appointment_ids": list(appointment_ids),
        }
    )


def referral(referral: models.Referral) -> referrals.Referral:
    plan = None
    if referral.planned_procedure_type is not None:
        planned = ProcedurePlan.from_referral(referral)
        plan = referrals.Plan(**_planned(planned), guidance=planned.guidance, target=planned.target)
    physician = referral.referring_physician
    return referrals.Referral(
        id=referral.id,
        patient_id=referral.patient_id,
        status=referral.status,
        priority=referral.priority,
        received_on=referral.received_on,
        clinical_question=referral.clinical_question,
        region=referral.region,
        side=referral.side,
        symptom_duration_weeks=referral.symptom_duration_weeks,
        treatments=referral.treatments,
        treatments_note=referral.treatments_note,
        red_flags=[referrals.RedFlagAnswer.model_validate(answer) for answer in referral.red_flags],
        referring_physician=referrals.Physician.model_validate(physician) if physician is not None else None,
        plan=plan,
        triage_note=referral.triage_note,
        decline_reason=referral.decline_reason,
        info_request=referral.info_request,
        triaged_at=referral.triaged_at,
        imaging_waived=referral.imaging_waived,
        created_at=referral.created_at,
    )


def prereg(session: Session, referral: models.Referral, readiness: Readiness | None) -> referrals.Preregistration:
    items = preregistration.checklist(session, referral)
    missing = preregistration.missing(items)
    return referrals.Preregistration(
        referral_id=referral.id,
        complete=not missing,
        items=[referrals.ChecklistItem.model_validate(item) for item in items],
        missing=missing,
        booking=(
            None
            if readiness is None
            else referrals.Readiness(ready=readiness.ready, missing=readiness.missing, not_before=readiness.not_before)
        ),
    )


def slot(candidate: Candidate) -> Slot:
    return Slot.model_validate(candidate)


def _planned(plan: ProcedurePlan) -> dict:
    """The fields of ``PlannedProcedure``."""
    return {
        "procedure_type_id": plan.procedure_type.id,
        "procedure_code": plan.procedure_type.code,
        "region": plan.region,
        "side": plan.side,
        "levels": plan.levels,
        "stage": plan.stage,
    }


def plan(plan: ProcedurePlan) -> scheduling.PlanOut:
    return scheduling.PlanOut(
        **_planned(plan),
        guidance=plan.modality,
        table_minutes=plan.table_minutes,
        observation_minutes=plan.observation_minutes,
    )


APPOINTMENT_FIELDS = tuple(name for name in scheduling.Appointment.model_fields if name != "procedure_code")


def appointment(appointment: models.Appointment) -> scheduling.Appointment:
    return scheduling.Appointment.model_validate(
        {
            **{name: getattr(appointment, name) for name in APPOINTMENT_FIELDS},
            "procedure_code": appointment.procedure_type.code,
        }
    )


def medication_holds(session: Session, appointment_: models.Appointment) -> list[scheduling.MedicationHold]:
    plan = documents.hold_plan_for(session, appointment_, language="en")
    return [
        scheduling.MedicationHold(
            drug=item.drug_code,
            drug_name=item.drug_name,
            dose_class=item.dose_class,
            action=item.action,
            hold_hours=item.hold_hours if item.holds else None,
            last_dose_no_later_than=item.last_dose_no_later_than(appointment_.table_start),
            restart_not_before=item.restart_not_before(appointment_.table_end),
            rule_verified=item.verified,
            plan_confirmed=plan.confirmed,
            requires_inr=item.requires_inr,
            injected=item.injected,
            last_dose_recorded_on=item.last_dose_on,
        )
        for item in plan.items
    ]


def appointment_detail(session: Session, appointment_: models.Appointment) -> scheduling.AppointmentDetail:
    consents = session.scalars(
        select(models.Consent).where(models.Consent.appointment_id == appointment_.id).order_by(models.Consent.id)
    ).all()
    return scheduling.AppointmentDetail.model_validate(
        {
            **appointment(appointment_).model_dump(),
            "events": [scheduling.AppointmentEvent.model_validate(e) for e in appointment_.events],
            "consents": [scheduling.Consent.model_validate(c) for c in consents],
            "medication_holds": medication_holds(session, appointment_),
        }
    )


def uploaded(study: models.ImagingStudy, added: AddedFiles) -> uploads.UploadResult:
    return uploads.UploadResult(
        study_id=study.id,
        patient_id=study.patient_id,
        files=[
            uploads.StoredFile(
                id=f.id,
                name=f.original_name,
                kind=f.kind,
                identity_status=f.identity_status,
                identity_note=f.identity_note,
                dicom_modality=f.dicom_modality,
                dicom_study_date=f.dicom_study_date,
            )
            for f in added
        ],
        duplicates=added.duplicates,
        skipped=added.skipped,
    )


def worklist_row(row: Row) -> day.WorklistRow:
    return day.WorklistRow(
        appointment=appointment(row.appointment),
        patient=patient_summary(row.appointment.patient),
        age=row.age,
        flags=[day.Flag.model_validate(flag) for flag in row.flags],
        alerts=row.alerts,
        next_action=row.next_action,
    )
