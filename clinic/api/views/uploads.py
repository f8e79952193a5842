"""POST /referrals/{id}/imaging: prior imaging, as the front desk uploads it (multipart/form-data)."""

from __future__ import annotations

from flask_login import current_user

from ...auth.access import roles
from ...core.errors import InvalidInput
from ...extensions import db
from ...frontdesk.upload_requests import limits, read_files, store
from ...models import ImagingStudy, Referral
from ...models.vocab import Role
from ...services import uploads
from .. import bp, present
from ..lookup import ID, find
from ..openapi import operation
from ..schemas.uploads import ImagingUpload, UploadResult

STAFF = (Role.FRONT_DESK, Role.RADIOLOGIST)


@bp.post(f"/referrals/<{ID}:referral_id>/imaging")
@roles(*STAFF)
@operation(ok=UploadResult, status=201, errors=(404, 409, 413, 422), tags=["imaging"])
def upload_imaging(referral_id: int, form: ImagingUpload):
    """Store prior imaging for the referral's patient: all files, or none with the reason.
    DICOM headers are read and checked against the patient (identity_status)."""
    referral = find(Referral, referral_id, "referral")
    if form.study_id is not None:
        study = find(ImagingStudy, form.study_id, "imaging study")
        if study.patient_id != referral.patient_id:
            raise InvalidInput("That study belongs to another patient.")
    else:
        study = uploads.create_study(
            db.session,
            current_user,
            patient=referral.patient,
            referral=referral,
            modality=form.modality,
            body_region=form.body_region,
            study_date=form.study_date,
            facility=form.facility,
        )
    # Streamed to temporary files and hashed on the way: memory stays small whatever the upload's size.
    with read_files(form.files) as files:
        added = uploads.add_files(db.session, current_user, store(), limits(), study=study, files=files)
    return present.uploaded(study, added), 201
