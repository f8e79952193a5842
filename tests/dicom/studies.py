"""The studies the test PACS holds, made from pydicom's own test images with our patients' names.

- ``CT_LWS``: two CT images of Zoë Müller (P-4711, born 9 April 1961), written in UTF-8 (ISO_IR 192).
- ``MR_OTHER_BIRTH``: an MR image under the same patient ID and name but another birth date: a
  different person as far as the identity check can tell.
- ``SCHMIDT``: someone else entirely.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid


def _uid(*parts: str) -> str:
    return generate_uid(entropy_srcs=["clinic-test-pacs", *parts])


@dataclass(frozen=True)
class Study:
    key: str
    source: str
    images: int
    patient_id: str
    patient_name: str
    birth_date: str
    description: str
    study_date: str

    @property
    def uid(self) -> str:
        return _uid(self.key)

    def files(self) -> list[bytes]:
        out = []
        for n in range(self.images):
            ds = pydicom.dcmread(get_testdata_file(self.source))
            ds.SpecificCharacterSet = "ISO_IR 192"
            ds.PatientName = self.patient_name
            ds.PatientID = self.patient_id
            ds.PatientBirthDate = self.birth_date
            ds.StudyDescription = self.description
            ds.StudyDate = self.study_date
            ds.StudyInstanceUID = self.uid
            ds.SeriesInstanceUID = _uid(self.key, "series")
            ds.SOPInstanceUID = _uid(self.key, "image", str(n))
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.InstanceNumber = n + 1
            buffer = io.BytesIO()
            ds.save_as(buffer, enforce_file_format=True)
            out.append(buffer.getvalue())
        return out


CT_LWS = Study("ct-lws", "CT_small.dcm", 2, "P-4711", "Müller^Zoë", "19610409", "CT LWS nativ", "20260301")
MR_OTHER_BIRTH = Study("mr-other", "MR_small.dcm", 1, "P-4711", "Müller^Zoë", "19610410", "MRT LWS", "20250612")
SCHMIDT = Study("schmidt", "CT_small.dcm", 1, "P-0001", "Schmidt^Hans", "19500101", "CT HWS", "20260115")


class _All:
    studies = (CT_LWS, MR_OTHER_BIRTH, SCHMIDT)

    def files(self) -> list[bytes]:
        return [data for study in self.studies for data in study.files()]


PACS_STUDIES = _All()
