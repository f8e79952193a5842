"""Plain values to DICOM datasets and back (character set ISO_IR 192 throughout):

- ``values``: dates, times, instants, person names;
- ``worklist``: the worklist's datasets and DICOM's matching rules;
- ``steps``: the scanner's performed procedure step reports (MPPS), with the dose;
- ``studies``: the PACS's study-level queries and answers.
"""

from .steps import dose, step_report
from .studies import STUDY_KEYS, found_study, study_query
from .values import CHARACTER_SET_TAG, UTF8, da, instant, parse_date, parse_time, person_name, tm
from .worklist import PrebuiltAnswer, answers, encode_once, query_keys, requested_days, worklist_values

__all__ = [
    "CHARACTER_SET_TAG",
    "STUDY_KEYS",
    "UTF8",
    "PrebuiltAnswer",
    "answers",
    "da",
    "dose",
    "encode_once",
    "found_study",
    "instant",
    "parse_date",
    "parse_time",
    "person_name",
    "query_keys",
    "requested_days",
    "step_report",
    "study_query",
    "tm",
    "worklist_values",
]
