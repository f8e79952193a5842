"""What a scanner's performed procedure step message (MPPS N-CREATE, N-SET) says: status, accession
number, times and dose."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

from ...core.errors import InvalidInput
from ...models.dicom import StepStatus
from ...services.mpps import StepReport
from .values import instant

_STEP_STATUS = {
    "IN PROGRESS": StepStatus.IN_PROGRESS,
    "COMPLETED": StepStatus.COMPLETED,
    "DISCONTINUED": StepStatus.DISCONTINUED,
}
_DLP = re.compile(r"DLP[^0-9]{0,30}?([0-9]+(?:[.,][0-9]+)?)", re.IGNORECASE)
_CTDI = re.compile(r"CTDI\s*vol[^0-9]{0,30}?([0-9]+(?:[.,][0-9]+)?)", re.IGNORECASE)


def _walk(ds: Dataset) -> Iterator[DataElement]:
    for element in ds:
        yield element
        if element.VR == "SQ":
            for item in element.value or []:
                yield from _walk(item)


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def dose(ds: Dataset) -> tuple[Decimal | None, Decimal | None]:
    """(CTDIvol in mGy, DLP in mGy·cm) where the scanner sends them: CTDIvol (0018,9345) anywhere in
    the message (the highest, if several series give one); the DLP, which has no attribute of its own
    in MPPS, from the radiation dose comments ("Total DLP = 412.7 mGy*cm"), as the CT makers write it."""
    ctdis = [_decimal(e.value) for e in _walk(ds) if e.keyword == "CTDIvol" and e.value not in (None, "")]
    comments = " ".join(
        str(e.value) for e in _walk(ds) if e.keyword == "CommentsOnRadiationDose" and e.value not in (None, "")
    )
    ctdi = max((c for c in ctdis if c is not None), default=None)
    if ctdi is None and (found := _CTDI.search(comments)):
        ctdi = _decimal(found.group(1))
    dlp = _decimal(found.group(1)) if (found := _DLP.search(comments)) else None
    return ctdi, dlp


def _when(ds: Dataset, which: str, zone: str, offset: str) -> dt.datetime | None:
    prefix = f"PerformedProcedureStep{which}"
    return instant(ds.get(f"{prefix}Date"), ds.get(f"{prefix}Time"), zone, offset)


def step_report(ds: Dataset, sop_instance_uid: str, station: str, zone: str) -> StepReport:
    """What an N-CREATE attribute list or an N-SET modification list says."""
    status = None
    if "PerformedProcedureStepStatus" in ds:
        text = str(ds.PerformedProcedureStepStatus or "").strip().upper()
        if text not in _STEP_STATUS:
            raise InvalidInput("Unknown performed procedure step status.")
        status = _STEP_STATUS[text]
    accession = None
    for item in ds.get("ScheduledStepAttributesSequence") or []:
        accession = str(item.get("AccessionNumber", "") or "").strip() or accession
    offset = str(ds.get("TimezoneOffsetFromUTC", "") or "")
    ctdi, dlp = dose(ds)
    return StepReport(
        sop_instance_uid=sop_instance_uid,
        station_ae_title=station.strip(),
        status=status,
        accession_number=accession,
        started_at=_when(ds, "Start", zone, offset),
        ended_at=_when(ds, "End", zone, offset),
        ctdivol_mgy=ctdi,
        dlp_mgycm=dlp,
    )
