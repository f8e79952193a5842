"""What is to be done: the procedure plan a slot is searched and booked for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.errors import DomainError, InvalidInput
from ..core.messages import N_, Phrase, Phrases
from ..core.spine import outside, unreadable
from ..models import ProcedureType, Referral
from ..models.referrals import level_count
from ..models.vocab import (
    MRI_GUIDED_PROCEDURES,
    STAGES_BY_PROCEDURE,
    TARGETS_BY_PROCEDURE,
    Modality,
    Region,
    Side,
    Stage,
    Target,
)


class NotPlanned(DomainError):
    """The referral has no planned procedure yet (422, like a referral that is not ready). The API and
    FHIR answer it as not_ready with the checklist, whose first missing item says the same."""

    code = "not_planned"


@dataclass(frozen=True)
class ProcedurePlan:
    procedure_type: ProcedureType
    region: str | None = None
    side: str | None = None
    levels: str | None = None
    stage: str | None = None
    guidance: str | None = None
    target: str | None = None

    @property
    def targets(self) -> tuple[str, ...]:
        """The targets this procedure offers (empty: the procedure has no choice of target)."""
        return TARGETS_BY_PROCEDURE.get(self.procedure_type.code, ())

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages this procedure is done at (empty: the procedure has no stage)."""
        return stages_of(self.procedure_type)

    @property
    def foreign_stage(self) -> bool:
        """A stage the procedure has, but not this one (a facet block "neurolytic": that step is the RFA)."""
        return self.procedure_type.needs_stage and self.stage in Stage.values() and self.stage not in self.stages

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

    @property
    def stray_stage(self) -> bool:
        """A stage for a procedure that has none (a PRT "neurolytic"): the stage would name a step the
        procedure does not take."""
        return not self.procedure_type.needs_stage and self.stage is not None

    @property
    def midline_side(self) -> bool:
        """The side "midline" for a procedure done on one or both sides (a PRT, a facet block, an RFA), whose
        target does not lie in the midline: it needs left, right or both."""
        midline_target = self.target in Target.values() and Target(self.target).midline
        return self.procedure_type.needs_side and self.side == Side.MIDLINE and not midline_target

    def problems(self, *, require_target: bool = False) -> list[str]:
        """What is wrong with the plan. ``require_target``: at triage, a procedure with a choice of
        target needs one (plans accepted before targets were recorded can still be booked)."""
        return [problem for problem, _field in self.problems_at(require_target=require_target)]

    def problems_at(self, *, require_target: bool = False) -> list[tuple[str, str]]:
        """The ``problems``, each with the field of the plan it is about (procedure_type_id, region, side,
        levels, stage, guidance, target), for a screen to show it there."""
        found = []
        pt = self.procedure_type
        if not pt.active:
            found.append((Phrase(N_("{procedure} is no longer offered"), procedure=pt.named), "procedure_type_id"))
        if self.region is not None and self.region not in Region.values():
            found.append((N_("unknown region"), "region"))
        if pt.needs_side and not self.side:
            found.append((Phrase(N_("{procedure} needs a side"), procedure=pt.named), "side"))
        if self.side is not None and self.side not in Side.values():
            found.append((N_("unknown side"), "side"))
        if pt.needs_levels and not (self.levels or "").strip() and self.target != "caudal":
            found.append((Phrase(N_("{procedure} needs the spinal level(s)"), procedure=pt.named), "levels"))
        if pt.needs_stage and not self.stage:
            found.append(
                (
                    Phrase(N_("{procedure} needs a stage ({choices})"), procedure=pt.named, choices=self._stage_names),
                    "stage",
                )
            )
        if self.stage is not None and self.stage not in Stage.values():
            found.append((N_("unknown stage"), "stage"))
        elif self.stray_stage:
            found.append((Phrase(N_("{procedure} has no stage"), procedure=pt.named), "stage"))
        elif self.foreign_stage:
            found.append(
                (
                    Phrase(
                        N_("{procedure} is not done at the stage “{stage}” ({choices})"),
                        procedure=pt.named,
                        stage=Phrase(Stage(self.stage).label),
                        choices=self._stage_names,
                    ),
                    "stage",
                )
            )
        if self.midline_side:
            found.append((Phrase(N_("{procedure} needs left, right or both sides"), procedure=pt.named), "side"))
        if self.guidance is not None and self.guidance not in Modality.values():
            found.append((N_("unknown guidance"), "guidance"))
        elif self.guidance == Modality.MRI and pt.code not in MRI_GUIDED_PROCEDURES:
            found.append((Phrase(N_("{procedure} is done under CT guidance, not MRI"), procedure=pt.named), "guidance"))
        if self.level_count > 10:
            found.append((N_("more than 10 levels"), "levels"))
        unknown = unreadable(self.levels)
        if unknown:
            found.append((Phrase(N_("{levels} is not a spinal level"), levels=", ".join(unknown)), "levels"))
        wrong = outside(self.levels, self.region)
        if wrong:
            found.append(
                (
                    Phrase(
                        N_("level {levels} lies outside the region ({region})"),
                        levels=", ".join(wrong),
                        region=Phrase(Region(self.region).label),
                    ),
                    "levels",
                )
            )
        if self.target is not None and self.target not in self.targets:
            known = self.target in Target.values()
            found.append(
                (
                    Phrase(
                        N_("{procedure} cannot aim at {target}"),
                        procedure=pt.named,
                        target=Phrase(Target(self.target).label, lower=True),
                    )
                    if known
                    else N_("unknown target"),
                    "target",
                )
            )
        elif self.target is None and self.targets and require_target:
            choices = Phrases([Phrase(Target(t).label, lower=True) for t in self.targets], ", ")
            found.append(
                (Phrase(N_("{procedure} needs the target ({choices})"), procedure=pt.named, choices=choices), "target")
            )
        midline = self.target in Target.values() and Target(self.target).midline
        if midline and self.side not in (None, "midline", "bilateral"):
            found.append(
                (
                    Phrase(
                        N_("{label} lies in the midline: no left or right side"),
                        label=Phrase(Target(self.target).label),
                    ),
                    "side",
                )
            )
        return found

    @property
    def _stage_names(self) -> Phrases:
        return Phrases([Stage(s).word for s in self.stages], ", ")

    def validate(self) -> ProcedurePlan:
        problems = self.problems()
        if problems:
            raise InvalidInput(
                N_("The procedure plan is incomplete: {problems}."), problems=Phrases(problems), details=problems
            )
        return self

    @classmethod
    def from_referral(cls, referral: Referral) -> ProcedurePlan:
        """The plan a radiologist set at triage. The one check of "no plan yet": the booking screens, the
        API, FHIR and the medication plan all ask here and give the same answer (NotPlanned)."""
        if referral.planned_procedure_type is None:
            raise NotPlanned(N_("This referral has no planned procedure yet: a radiologist accepts it first."))
        return cls(
            procedure_type=referral.planned_procedure_type,
            region=referral.planned_region,
            side=referral.planned_side,
            levels=referral.planned_levels,
            stage=referral.planned_stage,
            guidance=referral.planned_guidance,
            target=referral.planned_target,
        )

    def describe(self) -> str:
        parts = [self.procedure_type.code]
        for value in (self.region, self.side, self.levels, self.stage, self.target):
            if value:
                parts.append(str(value))
        return " ".join(parts)


def stages_of(procedure_type: ProcedureType) -> tuple[str, ...]:
    """The stages a procedure is done at (``STAGES_BY_PROCEDURE``; every stage for a procedure with stages
    not named there), empty for one without stages."""
    if not procedure_type.needs_stage:
        return ()
    return STAGES_BY_PROCEDURE.get(procedure_type.code, tuple(Stage.values()))
