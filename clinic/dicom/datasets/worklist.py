"""The worklist's answers: our entries matched against a scanner's query by DICOM's rules (universal,
wildcard, range, sequence), each answer holding the keys it asked for."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from pydicom import config
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.valuerep import PersonName as DicomPersonName

from ...core.errors import InvalidInput
from ...core.text import search_key
from ...services.modality_worklist import CODING_SCHEME, WorklistEntry
from .values import CHARACTER_SET_TAG, UTF8, da, parse_date, person_name, tm


@cache
def _tag_and_vr(keyword: str) -> tuple[int, str]:
    tag = tag_for_keyword(keyword)
    return tag, dictionary_VR(tag)


def _put(ds: Dataset, keyword: str, value) -> None:
    """Set an element we made ourselves, without pydicom's checks and conversions (the values are ours
    and already cut to their VR's length): a day's worklist is built at every query of every scanner."""
    tag, vr = _tag_and_vr(keyword)
    ds[tag] = _element(tag, vr, DicomPersonName(value) if vr == "PN" else value)


def _code(entry: WorklistEntry) -> dict:
    return {
        "CodeValue": entry.procedure_code[:16],
        "CodingSchemeDesignator": CODING_SCHEME,
        "CodeMeaning": entry.procedure_meaning[:64],
    }


def worklist_values(entry: WorklistEntry) -> dict:
    """Everything we know about one scheduled step, by DICOM keyword (sequences as lists of dicts).
    Plain values: datasets are only made for what a scanner asked for, of the entries that match."""
    return {
        "SpecificCharacterSet": UTF8,
        "AccessionNumber": entry.accession_number,
        "ReferringPhysicianName": "",
        "PatientName": person_name(entry.patient_name),
        "PatientID": entry.patient_id[:64],
        "PatientBirthDate": da(entry.birth_date),
        "PatientSex": entry.sex,
        "StudyInstanceUID": entry.study_instance_uid,
        "RequestedProcedureID": entry.requested_procedure_id[:16],
        "RequestedProcedureDescription": entry.procedure_description[:64],
        "RequestedProcedureCodeSequence": [_code(entry)],
        "ScheduledProcedureStepSequence": [
            {
                "ScheduledStationAETitle": entry.station_ae_title,
                "ScheduledStationName": entry.station_name[:16],
                "ScheduledProcedureStepLocation": entry.location[:16],
                "ScheduledProcedureStepStartDate": da(entry.scheduled_start),
                "ScheduledProcedureStepStartTime": tm(entry.scheduled_start),
                "ScheduledProcedureStepEndDate": da(entry.scheduled_end),
                "ScheduledProcedureStepEndTime": tm(entry.scheduled_end),
                "Modality": entry.modality,
                "ScheduledPerformingPhysicianName": person_name(entry.performing_physician),
                "ScheduledProcedureStepDescription": entry.procedure_description[:64],
                "ScheduledProcedureStepID": entry.requested_procedure_id[:16],
                "ScheduledProcedureStepStatus": "ARRIVED" if entry.checked_in else "SCHEDULED",
                "ScheduledProtocolCodeSequence": [_code(entry)],
            }
        ],
    }


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


def _value_matches(vr: str, wanted: str, have: str) -> bool:
    if vr in ("DA", "TM") and "-" in wanted:
        low, high = _range(wanted)
        return (not low or have >= low) and (not high or have <= high)
    if vr == "UI":
        return have in {v.strip() for v in wanted.split("\\")}
    if vr == "PN":
        # Scanners type names in upper case and often without umlauts ("MULLER*" finds "Müller").
        return _wildcard(wanted, have, search_key)
    if "*" in wanted or "?" in wanted:
        return _wildcard(wanted, have, lambda s: s)
    return wanted == have


@dataclass(frozen=True)
class Key:
    """One key of a scanner's query: what it matches on (``wanted``, empty for "anything") and returns;
    a sequence key carries the keys of its item (None: the whole items are wanted)."""

    keyword: str  # empty for tags we do not know
    tag: int
    vr: str
    wanted: str = ""
    items: tuple[Key, ...] | None = None


def query_keys(query: Dataset) -> tuple[Key, ...]:
    """The query read once, rather than once per candidate."""
    keys = []
    for element in query:
        if element.tag == CHARACTER_SET_TAG or element.tag.group in (0x0000, 0x0002):
            continue
        if element.VR == "SQ":
            items = query_keys(element.value[0]) if element.value else None
            keys.append(Key(element.keyword, int(element.tag), "SQ", "", items))
            continue
        value = element.value
        if value is None or value == "" or value == b"" or element.VM == 0:
            wanted = ""
        elif element.VM > 1:  # a list of values (UIDs): any of them
            wanted = "\\".join(str(v).strip() for v in value)
        else:
            wanted = str(value).strip()
        keys.append(Key(element.keyword, int(element.tag), element.VR, wanted))
    return tuple(keys)


def _matches(keys: tuple[Key, ...], values: dict) -> bool:
    """DICOM matching: empty keys match everything, a sequence key matches when any item does, keys
    we do not keep do not narrow the answer."""
    for key in keys:
        mine = values.get(key.keyword)
        if mine is None:
            continue
        if key.vr == "SQ":
            if key.items is not None and not any(_matches(key.items, item) for item in mine):
                return False
        elif key.wanted and not _value_matches(key.vr, key.wanted, str(mine).strip()):
            return False
    return True


def _element(tag: int, vr: str, value) -> DataElement:
    return DataElement(tag, vr, value, already_converted=True, validation_mode=config.IGNORE)


def _dataset(values: dict, keys: tuple[Key, ...] | None, *, top: bool, into: Dataset | None = None) -> Dataset:
    """The answer: the keys asked for (empty when we do not keep them; all of an item when its keys
    are not given), in our character set (items take the character set of the dataset around them)."""
    ds = Dataset() if into is None else into
    if top:
        _put(ds, "SpecificCharacterSet", UTF8)
    wanted = keys if keys is not None else tuple(Key(k, *_tag_and_vr(k)) for k in values)
    for key in wanted:
        mine = values.get(key.keyword) if key.keyword else None
        if mine is None:
            ds[key.tag] = _element(key.tag, key.vr, Sequence() if key.vr == "SQ" else None)
        elif isinstance(mine, list):
            items = Sequence([_dataset(item, key.items, top=False) for item in mine])
            ds[key.tag] = _element(key.tag, "SQ", items)
        else:
            _put(ds, key.keyword, mine)
    return ds


class PrebuiltAnswer(Dataset):
    """An answer made once for an entry and a query's keys, and handed out again while both stay the
    same (a scanner asks the same question every few minutes, and the day's entries rarely change).
    ``encodings`` keeps its encoded bytes per transfer syntax, filled by ``encode_once`` in the DICOM
    process. Read-only once made: it is shared between queries and their threads."""

    def __init__(self) -> None:
        super().__init__()
        self.encodings: dict[tuple[bool, bool, bool], bytes] = {}


# Entries and keys are frozen values: the same ones make the same answer. A day of a few rooms and the
# query shapes of their scanners fit many times over.
PREBUILT = 4096


@lru_cache(maxsize=PREBUILT)
def _values(entry: WorklistEntry) -> dict:
    return worklist_values(entry)  # only read (matching, building): shared safely


@lru_cache(maxsize=PREBUILT)
def _answer(entry: WorklistEntry, keys: tuple[Key, ...]) -> PrebuiltAnswer:
    return _dataset(_values(entry), keys, top=True, into=PrebuiltAnswer())


def answers(entries: list[WorklistEntry], query: Dataset) -> list[Dataset]:
    """The scanner's answers: one dataset per matching entry, holding what the query asked for (made
    once per entry and query shape, see ``PrebuiltAnswer``)."""
    keys = query_keys(query)
    return [_answer(entry, keys) for entry in entries if _matches(keys, _values(entry))]


def encode_once(encode: Callable[..., bytes | None]) -> Callable[..., bytes | None]:
    """``encode`` (pynetdicom's dataset encoder) that encodes a ``PrebuiltAnswer`` once per transfer
    syntax and reuses the bytes; any other dataset is encoded as before."""

    def encoded(ds: Dataset, is_implicit_vr: bool, is_little_endian: bool, deflated: bool = False) -> bytes | None:
        if not isinstance(ds, PrebuiltAnswer):
            return encode(ds, is_implicit_vr, is_little_endian, deflated)
        syntax = (is_implicit_vr, is_little_endian, deflated)
        found = ds.encodings.get(syntax)
        if found is None:
            found = encode(ds, is_implicit_vr, is_little_endian, deflated)
            if found:
                ds.encodings[syntax] = found
        return found

    encoded.wrapped = encode  # type: ignore[attr-defined]
    return encoded
