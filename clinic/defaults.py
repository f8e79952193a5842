"""What a new clinic starts with: the procedure catalogue (DESIGN.md §1), stage rules, the drugs a
procedure record may list, the anticoagulant hold rules (ASRA 2018, clinical facts §4) and the printed
texts. All of it is clinic data that an admin edits afterwards, read from the files in ``content/``
(catalogue.toml, hold_rules.toml, texts/); ``seed_defaults`` only fills what is missing, so it is safe to run
again."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AnticoagulantRule, DocumentText, DrugOption, ProcedureType, StageRule
from .models.vocab import BleedingClass, DocumentKind, HoldAction, Language, Stage

CONTENT_DIR = Path(__file__).parent / "content"
TEXTS_DIR = CONTENT_DIR / "texts"


def _read_toml(name: str) -> dict:
    with (CONTENT_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


_CATALOGUE_DATA = _read_toml("catalogue.toml")

# The procedures a new clinic starts with (content/catalogue.toml), each as the ProcedureType's columns; TOML
# has no null, so a column left out of a row is filled here.
CATALOGUE = [{"bleeding_class_cervical": None, "fasting_hours": 0, **row} for row in _CATALOGUE_DATA["procedure"]]

# (procedure, stage or None for any) needs a positive (procedure, stage)
STAGE_RULES = [
    (rule["code"], Stage(rule["stage"]) if "stage" in rule else None, rule["needs_code"], Stage(rule["needs_stage"]))
    for rule in _CATALOGUE_DATA["stage_rule"]
]

DRUG_OPTIONS = [(drug["name"], drug["unit"]) for drug in _CATALOGUE_DATA["drug_option"]]


class HoldRule(NamedTuple):
    """One drug and dose class of content/hold_rules.toml: for each bleeding class, (action, hold hours,
    restart hours)."""

    drug_code: str
    drug_name_en: str
    drug_name_de: str
    dose_class: str
    by_class: dict[BleedingClass, tuple[HoldAction, int | None, int | None]]
    requires_inr: bool
    evidence: str
    note: str | None
    note_de: str | None


def _hold_rule(row: dict) -> HoldRule:
    def step(bleeding: BleedingClass) -> tuple[HoldAction, int | None, int | None]:
        given = row[bleeding.value]
        return HoldAction(given["action"]), given.get("hold_hours"), given.get("restart_hours")

    return HoldRule(
        drug_code=row["drug_code"],
        drug_name_en=row["drug_name_en"],
        drug_name_de=row["drug_name_de"],
        dose_class=row["dose_class"],
        by_class={
            bleeding: step(bleeding) for bleeding in (BleedingClass.HIGH, BleedingClass.INTERMEDIATE, BleedingClass.LOW)
        },
        requires_inr=row["requires_inr"],
        evidence=row["evidence"],
        note=row.get("note"),
        note_de=row.get("note_de"),
    )


HOLD_RULES = [_hold_rule(row) for row in _read_toml("hold_rules.toml")["rule"]]


def seed_catalogue(session: Session) -> dict[str, ProcedureType]:
    existing = {p.code: p for p in session.scalars(select(ProcedureType))}
    for order, columns in enumerate(CATALOGUE):
        code = columns["code"]
        if code in existing:
            continue
        existing[code] = ProcedureType(**columns, sort_order=order, active=True)
        session.add(existing[code])
    session.flush()
    for code, stage, needs_code, needs_stage in STAGE_RULES:
        pt = existing[code]
        if not any(r.stage == stage for r in pt.stage_rules):
            pt.stage_rules.append(
                StageRule(stage=stage, requires_procedure_type_id=existing[needs_code].id, requires_stage=needs_stage)
            )
    session.flush()
    return existing


def seed_drug_options(session: Session) -> None:
    have = set(session.scalars(select(DrugOption.name)))
    for order, (name, unit) in enumerate(DRUG_OPTIONS):
        if name not in have:
            session.add(DrugOption(name=name, unit=unit, sort_order=order, active=True))
    session.flush()


# Given as injections: letters speak of the last injection.
INJECTED_DRUGS = {"heparin", "lmwh", "fondaparinux"}


def seed_hold_rules(session: Session) -> None:
    have = {
        tuple(row)
        for row in session.execute(
            select(AnticoagulantRule.drug_code, AnticoagulantRule.dose_class, AnticoagulantRule.bleeding_class)
        )
    }
    for code, en, de, dose, by_class, inr, evidence, note, note_de in HOLD_RULES:
        # What the drug's rows share; each bleeding class has its own action and hours.
        drug = {"drug_code": code, "drug_name_en": en, "drug_name_de": de, "dose_class": dose}
        drug |= {"injected": code in INJECTED_DRUGS, "note": note, "note_de": note_de, "evidence": evidence}
        for bleeding, (action, hold_hours, restart_hours) in by_class.items():
            if (code, dose, bleeding.value) in have:
                continue
            requires_inr = inr and action == HoldAction.HOLD
            session.add(
                AnticoagulantRule(
                    **drug,
                    bleeding_class=bleeding.value,
                    action=action.value,
                    hold_hours=hold_hours,
                    restart_hours=restart_hours,
                    requires_inr=requires_inr,
                )
            )
    session.flush()


def parse_text_file(path: Path) -> tuple[str, str]:
    """(title, body) of a text file: the first line is "# Title"."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[0].removeprefix("# ").strip()
    return title, "\n".join(lines[1:]).strip() + "\n"


# The first version's change note, in the text's language (the version history shows it beside the text).
FIRST_VERSION_NOTE = {
    Language.EN: "Initial text, written from the clinical facts file.",
    Language.DE: "Erste Fassung, aus der Datei der klinischen Fakten geschrieben.",
}


def seed_texts(session: Session, procedure_types: dict[str, ProcedureType]) -> int:
    added = 0
    for code, pt in procedure_types.items():
        for kind in DocumentKind:
            for language in Language:
                path = TEXTS_DIR / f"{code}.{kind.value}.{language.value}.md"
                if not path.exists():
                    continue
                exists = session.scalar(
                    select(DocumentText.id).where(
                        DocumentText.procedure_type_id == pt.id,
                        DocumentText.kind == kind.value,
                        DocumentText.language == language.value,
                    )
                )
                if exists:
                    continue
                title, body = parse_text_file(path)
                session.add(
                    DocumentText(
                        procedure_type_id=pt.id,
                        kind=kind.value,
                        language=language.value,
                        version=1,
                        title=title,
                        body=body,
                        change_note=FIRST_VERSION_NOTE[language],
                    )
                )
                added += 1
    session.flush()
    return added


def seed_defaults(session: Session) -> dict[str, ProcedureType]:
    catalogue = seed_catalogue(session)
    seed_drug_options(session)
    seed_hold_rules(session)
    seed_texts(session, catalogue)
    return catalogue
