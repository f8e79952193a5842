"""Small but real files for the demo clinic's prior imaging: a DICOM slice and a PDF report."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def dicom_slice(
    family: str,
    given: str,
    birth_date: dt.date,
    study_date: dt.date,
    *,
    modality: str = "MR",
    body_part: str = "LSPINE",
    description: str = "MRT LWS nativ",
    number: int = 1,
) -> bytes:
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8: names such as Łukasz or Dvořák
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = f"{family}^{given}"
    ds.PatientBirthDate = birth_date.strftime("%Y%m%d")
    ds.Modality = modality
    ds.BodyPartExamined = body_part
    ds.StudyDate = study_date.strftime("%Y%m%d")
    ds.StudyDescription = description
    ds.InstanceNumber = number
    ds.Rows = ds.Columns = 8
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelRepresentation = 0
    ds.PixelData = bytes((x * 37 + number * 11) % 256 for x in range(64))
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def report_pdf(patient_name: str, birth_date: dt.date, study_date: dt.date, finding: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setFont("Helvetica-Bold", 13)
    page.drawString(72, 770, "Radiologischer Befund")
    page.setFont("Helvetica", 11)
    for i, line in enumerate(
        [
            f"Patient: {patient_name}, geb. {birth_date:%d.%m.%Y}",
            f"Untersuchung vom {study_date:%d.%m.%Y}: MRT der Lendenwirbelsäule",
            "",
            f"Befund: {finding}",
            "Beurteilung: Befund passend zur klinischen Fragestellung.",
        ]
    ):
        page.drawString(72, 740 - 18 * i, line)
    page.save()
    return buffer.getvalue()
