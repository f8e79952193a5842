"""Study-level query/retrieve with the PACS: our C-FIND identifier, and the studies its answers describe."""

from __future__ import annotations

from pydicom.dataset import Dataset

from ...models.vocab import IdentityCheck
from ...services.pacs_retrievals import FoundStudy, StudySearch
from .values import UTF8, da, parse_date

STUDY_KEYS = (
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "StudyDescription",
    "ModalitiesInStudy",
    "NumberOfStudyRelatedInstances",
    "AccessionNumber",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
)


def study_query(search: StudySearch | None = None, *, study_instance_uid: str | None = None) -> Dataset:
    """A study-level C-FIND identifier: by patient ID, name and birth date, or by one study's UID."""
    ds = Dataset()
    ds.SpecificCharacterSet = UTF8
    ds.QueryRetrieveLevel = "STUDY"
    for key in STUDY_KEYS:
        setattr(ds, key, "")
    if study_instance_uid:
        ds.StudyInstanceUID = study_instance_uid
        return ds
    assert search is not None
    ds.PatientID = search.patient_id.strip()
    family, given = search.family_name.strip(), search.given_name.strip()
    if family or given:
        ds.PatientName = f"{family}*^{given}*" if given else f"{family}*"
    if search.birth_date:
        ds.PatientBirthDate = da(search.birth_date)
    return ds


def found_study(ds: Dataset) -> FoundStudy | None:
    uid = str(ds.get("StudyInstanceUID", "") or "").strip()
    if not uid:
        return None
    modalities = ds.get("ModalitiesInStudy", "")
    if not isinstance(modalities, str):
        modalities = "/".join(str(m) for m in modalities)
    count = str(ds.get("NumberOfStudyRelatedInstances", "") or "").strip()
    birth_text = str(ds.get("PatientBirthDate", "") or "").strip()
    return FoundStudy(
        study_instance_uid=uid,
        study_date=parse_date(str(ds.get("StudyDate", "") or "")),
        modalities=str(modalities),
        description=str(ds.get("StudyDescription", "") or ""),
        instances=int(count) if count.isdigit() else None,
        patient_id=str(ds.get("PatientID", "") or ""),
        patient_name=str(ds.get("PatientName", "") or ""),
        birth_date_text=birth_text,
        birth_date=parse_date(birth_text),
        accession_number=str(ds.get("AccessionNumber", "") or ""),
        identity=IdentityCheck.NOT_APPLICABLE,
    )
