"""Prior imaging uploads (multipart/form-data)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, field_validator
from werkzeug.datastructures import FileStorage

from ..fields import Day, QueryId, text
from .common import Out

StudyModality = text(20)
BodyRegion = text(60)
Facility = text(120)


def _file(value: Any) -> FileStorage:
    if not isinstance(value, FileStorage) or not value.filename:
        raise ValueError("expected an uploaded file (a form part with a file name)")
    return value


UploadedFile = Annotated[
    FileStorage,
    PlainValidator(_file),
    WithJsonSchema({"type": "string", "contentMediaType": "application/octet-stream"}),
]


class ImagingUpload(BaseModel):
    """Prior X-ray, CT or MRI: PDF, JPEG, PNG, DICOM, or a ZIP of a DICOM CD. All files are stored, or none."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    files: list[UploadedFile] = Field(min_length=1, description="One part per file, all named `files`.")
    study_id: QueryId | None = Field(default=None, description="Add to this study of the patient; default a new one.")
    modality: StudyModality | None = None
    body_region: BodyRegion | None = None
    facility: Facility | None = None
    study_date: Day | None = None

    @field_validator("files", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return value if isinstance(value, list) else [value]


class StoredFile(Out):
    id: int
    name: str
    kind: str
    identity_status: str = Field(description="match, mismatch, cannot_verify or not_applicable (DICOM only).")
    identity_note: str | None
    dicom_modality: str | None
    dicom_study_date: dt.date | None


class UploadResult(Out):
    study_id: int
    patient_id: int
    files: list[StoredFile]
    duplicates: list[str] = Field(description="Files the study already had: not stored again.")
    skipped: list[str] = Field(description="Entries of a DICOM CD that are not images.")
