"""What is to be done: the procedure plan a slot is searched and booked for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import ProcedureType, Referral
from ..models.referrals import level_count
from ..models.vocab import Modality, Region, Side, Stage
from ..services.errors import InvalidInput


@dataclass(frozen=True)
class ProcedurePlan:
    procedure_type: ProcedureType
    region: str | None = None
    side: str | None = None
    levels: str | None = None
    stage: str | None = None
    guidance: str | None = None

    @property
    def modality(self) -> str:
        return self.guidance or self.procedure_type.modality

    @property
    def level_count(self) -> int:
        return level_count(self.levels)

    @property
    def table_minutes(self) -> int:
        return self.procedure_type.table_minutes_for(self.level_count, self.side)

    @property
    def observation_minutes(self) -> int:
        return self.procedure_type.observation_minutes

    @property
    def table_length(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.table_minutes)

    @property
    def observation_length(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.observation_minutes)

    def problems(self) -> list[str]:
        found = []
        pt = self.procedure_type
        if not pt.active:
            found.append(f"{pt.code} is no longer offered")
        if self.region is not None and self.region not in Region.values():
            found.append("unknown region")
        if pt.needs_side and not self.side:
            found.append(f"{pt.code} needs a side")
        if self.side is not None and self.side not in Side.values():
            found.append("unknown side")
        if pt.needs_levels and not (self.levels or "").strip():
            found.append(f"{pt.code} needs the spinal level(s)")
        if pt.needs_stage and not self.stage:
            found.append(f"{pt.code} needs a stage (diagnostic or neurolytic)")
        if self.stage is not None and self.stage not in Stage.values():
            found.append("unknown stage")
        if self.guidance is not None and self.guidance not in Modality.values():
            found.append("unknown guidance")
        if self.level_count > 10:
            found.append("more than 10 levels")
        return found

    def validate(self) -> ProcedurePlan:
        problems = self.problems()
        if problems:
            raise InvalidInput("The procedure plan is incomplete: " + "; ".join(problems) + ".", details=problems)
        return self

    @classmethod
    def from_referral(cls, referral: Referral) -> ProcedurePlan:
        if referral.planned_procedure_type is None:
            raise InvalidInput("This referral has no planned procedure yet: a radiologist accepts it first.")
        return cls(
            procedure_type=referral.planned_procedure_type,
            region=referral.planned_region,
            side=referral.planned_side,
            levels=referral.planned_levels,
            stage=referral.planned_stage,
            guidance=referral.planned_guidance,
        )

    def describe(self) -> str:
        parts = [self.procedure_type.code]
        for value in (self.region, self.side, self.levels, self.stage):
            if value:
                parts.append(str(value))
        return " ".join(parts)
