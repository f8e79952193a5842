"""What a new clinic starts with: the procedure catalogue (DESIGN.md §1), stage rules, the drugs a
procedure record may list, the anticoagulant hold rules (ASRA 2018, clinical facts §4) and the printed
texts. All of it is clinic data that an admin edits afterwards; ``seed_defaults`` only fills what is
missing, so it is safe to run again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AnticoagulantRule, DocumentText, DrugOption, ProcedureType, StageRule
from .models.vocab import BleedingClass, DocumentKind, HoldAction, Language, Stage

TEXTS_DIR = Path(__file__).parent / "content" / "texts"

# code, English name, German name, modality, table, observation, +per level, +per side, bleeding,
# bleeding when cervical, needs side, needs levels, needs stage. RFA: 30 minutes for one level, 5 more per
# level (30-45 minutes for up to four levels, clinical facts §2.4), 15 more for the second side.
CATALOGUE = [
    (
        "PRT",
        "Periradicular therapy (nerve-root injection)",
        "Periradikuläre Therapie (PRT)",
        "CT",
        20,
        30,
        5,
        10,
        "intermediate",
        None,
        True,
        True,
        False,
    ),
    (
        "FACET",
        "Facet joint block (intra-articular or medial branch block)",
        "Facetteninfiltration (Gelenkinjektion oder Ramus-medialis-Blockade)",
        "CT",
        15,
        20,
        5,
        5,
        "low",
        "intermediate",
        True,
        True,
        True,
    ),
    (
        "SYMP",
        "Sympathetic block (diagnostic or neurolytic)",
        "Sympathikolyse (Sympathikusblockade)",
        "CT",
        30,
        60,
        0,
        15,
        "intermediate",
        None,
        True,
        False,
        True,
    ),
    (
        "RFA",
        "Radiofrequency denervation of the facet joints (medial branches)",
        "Radiofrequenz-Denervation (Thermokoagulation) der Facettengelenke",
        "CT",
        30,
        30,
        5,
        15,
        "low",
        "intermediate",
        True,
        True,
        False,
    ),
    (
        "EPI",
        "Epidural steroid injection (ESI), interlaminar or caudal",
        "Epidurale Steroidinjektion (interlaminär oder kaudal)",
        "CT",
        20,
        30,
        0,
        0,
        "intermediate",
        None,
        False,
        True,
        False,
    ),
]

# Hours without food before the procedure (clinical facts §2.3: sympathetic blocks fast per local policy,
# often about 6 hours for solids when sedation may be given); the others allow a light meal (§2.1).
FASTING_HOURS = {"SYMP": 6}

# (procedure, stage or None for any) needs a positive (procedure, stage)
STAGE_RULES = [
    ("SYMP", Stage.NEUROLYTIC, "SYMP", Stage.DIAGNOSTIC),
    ("RFA", None, "FACET", Stage.DIAGNOSTIC),
]

DRUG_OPTIONS = [
    ("Triamcinolone", "mg"),
    ("Dexamethasone", "mg"),
    ("Ropivacaine", "ml"),
    ("Bupivacaine", "ml"),
    ("Lidocaine", "ml"),
    ("Ethanol", "ml"),
    ("Contrast", "ml"),
]

HIGH, MID, LOW = BleedingClass.HIGH, BleedingClass.INTERMEDIATE, BleedingClass.LOW
HOLD, NO, SHARED = HoldAction.HOLD, HoldAction.NO_HOLD, HoldAction.SHARED
DAY = 24

# drug code, English, German, dose class, {bleeding class: (action, hold hours, restart hours)}, INR, evidence, note
HOLD_RULES = [
    (
        "aspirin",
        "Aspirin (ASA)",
        "Acetylsalicylsäure (ASS)",
        "primary",
        {HIGH: (HOLD, 6 * DAY, 24), MID: (SHARED, None, 24), LOW: (NO, None, None)},
        False,
        "V",
        "Primary prevention. Intermediate risk: shared assessment with the prescriber.",
    ),
    (
        "aspirin",
        "Aspirin (ASA)",
        "Acetylsalicylsäure (ASS)",
        "secondary",
        {HIGH: (SHARED, None, 24), MID: (SHARED, None, 24), LOW: (NO, None, None)},
        False,
        "V",
        "Secondary prevention: often continued; decide with the prescriber.",
    ),
    (
        "ibuprofen",
        "Ibuprofen",
        "Ibuprofen",
        "",
        {HIGH: (HOLD, 1 * DAY, 24), MID: (NO, None, None), LOW: (NO, None, None)},
        False,
        "V",
        "Five half-lives. Consider holding in patients with a raised bleeding risk.",
    ),
    (
        "diclofenac",
        "Diclofenac",
        "Diclofenac",
        "",
        {HIGH: (HOLD, 1 * DAY, 24), MID: (NO, None, None), LOW: (NO, None, None)},
        False,
        "V",
        "Five half-lives.",
    ),
    (
        "naproxen",
        "Naproxen",
        "Naproxen",
        "",
        {HIGH: (HOLD, 4 * DAY, 24), MID: (NO, None, None), LOW: (NO, None, None)},
        False,
        "V",
        "Five half-lives.",
    ),
    (
        "meloxicam",
        "Meloxicam",
        "Meloxicam",
        "",
        {HIGH: (HOLD, 4 * DAY, 24), MID: (NO, None, None), LOW: (NO, None, None)},
        False,
        "V",
        "Five half-lives.",
    ),
    (
        "piroxicam",
        "Piroxicam",
        "Piroxicam",
        "",
        {HIGH: (HOLD, 10 * DAY, 24), MID: (NO, None, None), LOW: (NO, None, None)},
        False,
        "V",
        "Five half-lives.",
    ),
    (
        "cilostazol",
        "Cilostazol",
        "Cilostazol",
        "",
        {HIGH: (HOLD, 2 * DAY, 24), MID: (NO, None, None), LOW: (NO, None, None)},
        False,
        "V",
        None,
    ),
    (
        "dipyridamole",
        "Dipyridamole",
        "Dipyridamol",
        "",
        {HIGH: (HOLD, 2 * DAY, None), MID: (NO, None, None), LOW: (NO, None, None)},
        False,
        "V",
        "Restart time not stated.",
    ),
    (
        "clopidogrel",
        "Clopidogrel",
        "Clopidogrel",
        "",
        {HIGH: (HOLD, 7 * DAY, 24), MID: (HOLD, 7 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        "Restart 12-24 h (uncertain). Coronary stent under 12 months: cardiology first.",
    ),
    (
        "prasugrel",
        "Prasugrel",
        "Prasugrel",
        "",
        {HIGH: (HOLD, 10 * DAY, 24), MID: (HOLD, 10 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        "7-10 days in the source; the longer hold is seeded. Restart 12-24 h (uncertain).",
    ),
    (
        "ticagrelor",
        "Ticagrelor",
        "Ticagrelor",
        "",
        {HIGH: (HOLD, 5 * DAY, 24), MID: (HOLD, 5 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        "Restart 12-24 h (uncertain).",
    ),
    (
        "warfarin",
        "Warfarin",
        "Warfarin",
        "",
        {HIGH: (HOLD, 5 * DAY, 6), MID: (HOLD, 5 * DAY, 6), LOW: (SHARED, None, 6)},
        True,
        "V",
        "Normal INR before the procedure.",
    ),
    (
        "acenocoumarol",
        "Acenocoumarol",
        "Acenocoumarol",
        "",
        {HIGH: (HOLD, 3 * DAY, 24), MID: (HOLD, 3 * DAY, 24), LOW: (SHARED, None, 24)},
        True,
        "V",
        "Normal INR before the procedure.",
    ),
    (
        "heparin",
        "Heparin (unfractionated)",
        "Heparin (unfraktioniert)",
        "iv",
        {HIGH: (HOLD, 6, 2), MID: (HOLD, 6, 2), LOW: (HOLD, 6, 2)},
        False,
        "V",
        "Intravenous.",
    ),
    (
        "heparin",
        "Heparin (unfractionated)",
        "Heparin (unfraktioniert)",
        "sc",
        {HIGH: (HOLD, 24, 6), MID: (HOLD, 6, 2), LOW: (HOLD, 6, 2)},
        False,
        "V",
        "Subcutaneous, two or three times a day.",
    ),
    (
        "lmwh",
        "Low-molecular-weight heparin (e.g. enoxaparin)",
        "Niedermolekulares Heparin (z. B. Enoxaparin)",
        "prophylactic",
        {HIGH: (HOLD, 12, 24), MID: (HOLD, 12, 24), LOW: (HOLD, 12, 4)},
        False,
        "V",
        "Restart 12-24 h after intermediate and high-risk procedures.",
    ),
    (
        "lmwh",
        "Low-molecular-weight heparin (e.g. enoxaparin)",
        "Niedermolekulares Heparin (z. B. Enoxaparin)",
        "therapeutic",
        {HIGH: (HOLD, 24, 24), MID: (HOLD, 24, 24), LOW: (HOLD, 24, 4)},
        False,
        "V",
        "Restart 12-24 h after intermediate and high-risk procedures.",
    ),
    (
        "fondaparinux",
        "Fondaparinux",
        "Fondaparinux",
        "",
        {HIGH: (HOLD, 4 * DAY, 24), MID: (HOLD, 4 * DAY, 24), LOW: (SHARED, None, 6)},
        False,
        "S",
        "Low risk: shared assessment, about 2 days (uncertain).",
    ),
    (
        "dabigatran",
        "Dabigatran",
        "Dabigatran",
        "",
        {HIGH: (HOLD, 5 * DAY, 24), MID: (HOLD, 5 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        "4-5 days in the source; the longer hold is seeded.",
    ),
    (
        "dabigatran",
        "Dabigatran",
        "Dabigatran",
        "renal_impaired",
        {HIGH: (HOLD, 6 * DAY, 24), MID: (HOLD, 6 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        "Impaired kidney function.",
    ),
    (
        "rivaroxaban",
        "Rivaroxaban",
        "Rivaroxaban",
        "",
        {HIGH: (HOLD, 3 * DAY, 24), MID: (HOLD, 3 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        None,
    ),
    (
        "apixaban",
        "Apixaban",
        "Apixaban",
        "",
        {HIGH: (HOLD, 3 * DAY, 24), MID: (HOLD, 3 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        "Some summaries give 3-5 days.",
    ),
    (
        "edoxaban",
        "Edoxaban",
        "Edoxaban",
        "",
        {HIGH: (HOLD, 3 * DAY, 24), MID: (HOLD, 3 * DAY, 24), LOW: (SHARED, None, 24)},
        False,
        "S",
        None,
    ),
]


def seed_catalogue(session: Session) -> dict[str, ProcedureType]:
    existing = {p.code: p for p in session.scalars(select(ProcedureType))}
    for order, row in enumerate(CATALOGUE):
        code, en, de, modality, table, obs, per_level, per_side, bleeding, cervical, side, levels, stage = row
        if code in existing:
            continue
        existing[code] = ProcedureType(
            code=code,
            name_en=en,
            name_de=de,
            modality=modality,
            table_minutes=table,
            observation_minutes=obs,
            extra_minutes_per_level=per_level,
            extra_minutes_per_side=per_side,
            bleeding_class=bleeding,
            bleeding_class_cervical=cervical,
            needs_side=side,
            needs_levels=levels,
            needs_stage=stage,
            fasting_hours=FASTING_HOURS.get(code, 0),
            sort_order=order,
            active=True,
        )
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
    for code, en, de, dose, by_class, inr, evidence, note in HOLD_RULES:
        for bleeding, (action, hold_hours, restart_hours) in by_class.items():
            if (code, dose, bleeding.value) in have:
                continue
            session.add(
                AnticoagulantRule(
                    drug_code=code,
                    drug_name_en=en,
                    drug_name_de=de,
                    dose_class=dose,
                    bleeding_class=bleeding.value,
                    action=action.value,
                    hold_hours=hold_hours,
                    restart_hours=restart_hours,
                    requires_inr=inr and action == HOLD,
                    injected=code in INJECTED_DRUGS,
                    note=note,
                    evidence=evidence,
                )
            )
    session.flush()


def parse_text_file(path: Path) -> tuple[str, str]:
    """(title, body) of a text file: the first line is "# Title"."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[0].removeprefix("# ").strip()
    return title, "\n".join(lines[1:]).strip() + "\n"


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
                        change_note="Initial text, written from the clinical facts file.",
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
