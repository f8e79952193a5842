"""Plain values to DICOM datasets and back: worklist entries, the scanner's step reports, the PACS's
study answers. Also DICOM's matching rules for the worklist (universal, wildcard, range, sequence)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from functools import cache
from zoneinfo import ZoneInfo

from pydicom import config
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.valuerep import PersonName as DicomPersonName

from ..models.dicom import StepStatus
from ..models.vocab import IdentityCheck
from ..services.errors import InvalidInput
from ..services.modality_worklist import CODING_SCHEME, PersonName, WorklistEntry
from ..services.mpps import StepReport
from ..services.pacs_retrievals import FoundStudy, StudySearch
from ..text import search_key

UTF8 = "ISO_IR 192"
CHARACTER_SET_TAG = 0x00080005
_PN_FORBIDDEN = re.compile(r"[\^\\=\x00-\x1f]")


# --- small conversions ------------------------------------------------------------------------------


def da(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def tm(at: dt.datetime | dt.time) -> str:
    return at.strftime("%H%M%S")


def person_name(name: PersonName) -> str:
    """DICOM's family^given^middle^prefix, without the characters that would split a component."""
    parts = [_PN_FORBIDDEN.sub(" ", p).strip() for p in (name.family, name.given, "", name.prefix)]
    return "^".join(parts).rstrip("^")


_DA = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TM = re.compile(r"^(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?(?:\.\d{1,6})?$")  # HHMMSS.FFFFFF, colons of old


def parse_date(text) -> dt.date | None:
    """A DICOM date (YYYYMMDD); None when empty or not a date."""
    match = _DA.match(str(text or "").strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_time(text) -> dt.time | None:
    """A DICOM time (HH, HHMM, HHMMSS, with fractions); None when empty or not a time."""
    match = _TM.match(str(text or "").strip())
    if not match:
        return None
    try:
        return dt.time(*(int(g or 0) for g in match.groups()))
    except ValueError:
        return None


def instant(day_text: str | None, time_text: str | None, zone: str, offset: str | None = None) -> dt.datetime | None:
    """A DICOM date and time (local at the scanner) as an instant. The scanner's own UTC offset
    (TimezoneOffsetFromUTC, "+0100") wins; otherwise the clinic's zone is assumed."""
    day = parse_date(day_text)
    if day is None:
        return None
    at = parse_time(time_text) or dt.time(0)
    match = re.fullmatch(r"([+-])(\d{2})(\d{2})", (offset or "").strip())
    if match:
        sign = 1 if match.group(1) == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    else:
        tz = ZoneInfo(zone)
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


# --- the worklist -----------------------------------------------------------------------------------


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


# --- the scanner's performed procedure steps (MPPS) -------------------------------------------------

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


# --- the PACS's studies -----------------------------------------------------------------------------

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
