"""The procedure catalogue and document languages."""

from __future__ import annotations

from ..fields import LanguageCode
from .common import Out, Query


class ProcedureType(Out):
    id: int
    code: str
    name_en: str
    name_de: str
    modality: str
    table_minutes: int
    observation_minutes: int
    bleeding_class: str
    needs_side: bool
    needs_levels: bool
    needs_stage: bool


class ProcedureTypeList(Out):
    items: list[ProcedureType]


class LanguageQuery(Query):
    language: LanguageCode = "de"
