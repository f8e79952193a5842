"""The worklist's datasets: built from our entries, matched against a scanner's query by DICOM's rules
(universal, wildcard, range, sequence), cut down to the keys it asked for."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from functools import cache

from pydicom import config
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.valuerep import PersonName as DicomPersonName

from ...services.errors import InvalidInput
from ...services.modality_worklist import CODING_SCHEME, WorklistEntry
from ...text import search_key
from .values import CHARACTER_SET_TAG, UTF8, da, parse_date, person_name, tm


@cache
def _tag_and_vr(keyword: str) -> tuple[int, str]:
    tag = tag_for_keyword(keyword)
    return tag, dictionary_VR(tag)


def _put(ds: Dataset, keyword: str, value) -> None:
    """Set an element we made ourselves, without pydicom's checks and conversions (the values are ours
    and already cut to their VR's length): a day's worklist is built at every query of every scanner."""
    tag, vr = _tag_and_vr(keyword)
    if vr == "PN":
        value = DicomPersonName(value)
    ds[tag] = DataElement(tag, vr, value, already_converted=True, validation_mode=config.IGNORE)


def _code(entry: WorklistEntry) -> Dataset:
    code = Dataset()
    _put(code, "CodeValue", entry.procedure_code[:16])
    _put(code, "CodingSchemeDesignator", CODING_SCHEME)
    _put(code, "CodeMeaning", entry.procedure_meaning[:64])
    return code


def worklist_dataset(entry: WorklistEntry) -> Dataset:
    """Everything we know about one scheduled step; ``restrict`` cuts it to what the scanner asked."""
    ds = Dataset()
    for keyword, value in (
        ("SpecificCharacterSet", UTF8),
        ("AccessionNumber", entry.accession_number),
        ("ReferringPhysicianName", ""),
        ("PatientName", person_name(entry.patient_name)),
        ("PatientID", entry.patient_id[:64]),
        ("PatientBirthDate", da(entry.birth_date)),
        ("PatientSex", entry.sex),
        ("StudyInstanceUID", entry.study_instance_uid),
        ("RequestedProcedureID", entry.requested_procedure_id[:16]),
        ("RequestedProcedureDescription", entry.procedure_description[:64]),
        ("RequestedProcedureCodeSequence", Sequence([_code(entry)])),
    ):
        _put(ds, keyword, value)
    step = Dataset()
    for keyword, value in (
        ("ScheduledStationAETitle", entry.station_ae_title),
        ("ScheduledStationName", entry.station_name[:16]),
        ("ScheduledProcedureStepLocation", entry.location[:16]),
        ("ScheduledProcedureStepStartDate", da(entry.scheduled_start)),
        ("ScheduledProcedureStepStartTime", tm(entry.scheduled_start)),
        ("ScheduledProcedureStepEndDate", da(entry.scheduled_end)),
        ("ScheduledProcedureStepEndTime", tm(entry.scheduled_end)),
        ("Modality", entry.modality),
        ("ScheduledPerformingPhysicianName", person_name(entry.performing_physician)),
        ("ScheduledProcedureStepDescription", entry.procedure_description[:64]),
        ("ScheduledProcedureStepID", entry.requested_procedure_id[:16]),
        ("ScheduledProcedureStepStatus", "ARRIVED" if entry.checked_in else "SCHEDULED"),
        ("ScheduledProtocolCodeSequence", Sequence([_code(entry)])),
    ):
        _put(step, keyword, value)
    _put(ds, "ScheduledProcedureStepSequence", Sequence([step]))
    return ds


def _range(text: str) -> tuple[str, str]:
    low, _, high = text.partition("-")
    return low.strip(), high.strip()


def requested_days(query: Dataset, today: dt.date, span: int = 7) -> tuple[dt.date, dt.date]:
    """The days a worklist query asks for (ScheduledProcedureStepStartDate, a date or a range); today
    when it names none. An open end is read as ``span`` days from the other one."""
    text = ""
    steps = query.get("ScheduledProcedureStepSequence")
    if steps:
        text = str(steps[0].get("ScheduledProcedureStepStartDate", "") or "").strip()
    if not text:
        return today, today
    if "-" not in text:
        day = parse_date(text)
        if day is None:
            raise InvalidInput("The scheduled date is not a DICOM date.")
        return day, day
    low_text, high_text = _range(text)
    low, high = parse_date(low_text), parse_date(high_text)
    if (low_text and low is None) or (high_text and high is None):
        raise InvalidInput("The scheduled date range is not made of DICOM dates.")
    if low is None and high is None:
        return today, today
    low = low or high - dt.timedelta(days=span - 1)
    high = high or low + dt.timedelta(days=span - 1)
    return low, high


def _wildcard(pattern: str, value: str, fold) -> bool:
    regex = fnmatch.translate(fold(pattern).replace("[", "[[]"))
    return re.match(regex, fold(value), flags=re.DOTALL) is not None


def _value_matches(element: DataElement, candidate: DataElement) -> bool:
    wanted = str(element.value).strip()
    have = "" if candidate.value is None else str(candidate.value).strip()
    if element.VR in ("DA", "TM") and "-" in wanted:
        low, high = _range(wanted)
        return (not low or have >= low) and (not high or have <= high)
    if element.VR == "UI":
        return have in {v.strip() for v in wanted.split("\\")}
    if element.VR == "PN":
        # Scanners type names in upper case and often without umlauts ("MULLER*" finds "Müller").
        return _wildcard(wanted, have, search_key)
    if "*" in wanted or "?" in wanted:
        return _wildcard(wanted, have, lambda s: s)
    return wanted == have


def matches(query: Dataset, candidate: Dataset) -> bool:
    """DICOM matching of one candidate against a query: empty keys match everything, sequence keys
    match when any item matches, keys we do not keep are not used for matching."""
    for element in query:
        if element.tag == CHARACTER_SET_TAG or element.tag.group in (0x0000, 0x0002):
            continue
        if element.tag not in candidate:
            continue
        mine = candidate[element.tag]
        if element.VR == "SQ":
            if not element.value:
                continue
            if not any(matches(element.value[0], item) for item in (mine.value or [])):
                return False
            continue
        if element.value in (None, "", b"") or (element.VM == 0):
            continue
        if not _value_matches(element, mine):
            return False
    return True


def restrict(candidate: Dataset, query: Dataset, *, top: bool = True) -> Dataset:
    """The answer holds the keys the query asked for (empty when we do not keep them), in our
    character set (items take the character set of the dataset around them)."""
    answer = Dataset()
    if top:
        answer[CHARACTER_SET_TAG] = candidate[CHARACTER_SET_TAG]
    for element in query:
        tag = element.tag
        if tag == CHARACTER_SET_TAG or tag.group in (0x0000, 0x0002):
            continue
        mine = candidate.get(tag)
        if mine is None:
            empty = Sequence() if element.VR == "SQ" else None
            answer[tag] = DataElement(tag, element.VR, empty, already_converted=True, validation_mode=config.IGNORE)
        elif element.VR == "SQ" and element.value:
            items = Sequence([restrict(item, element.value[0], top=False) for item in mine.value])
            answer[tag] = DataElement(tag, "SQ", items, already_converted=True, validation_mode=config.IGNORE)
        else:
            answer[tag] = mine
    return answer
