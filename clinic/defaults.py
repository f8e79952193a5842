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

# The procedures a new clinic starts with, each as the ProcedureType's columns: minutes on the table and in
# observation, extra minutes per level beyond the first and for the second side, the bleeding-risk class (and
# for cervical levels where it is higher), which details a plan must give. RFA: 30 minutes for one level, 5 more
# per level (30-45 minutes for up to four levels, clinical facts §2.4), 15 more for the second side.
CATALOGUE = [
    dict(
        code="PRT",
        name_en="Periradicular therapy (nerve-root injection)",
        name_de="Periradikuläre Therapie (PRT)",
        modality="CT",
        table_minutes=20,
        observation_minutes=30,
        extra_minutes_per_level=5,
        extra_minutes_per_side=10,
        bleeding_class="intermediate",
        bleeding_class_cervical=None,
        needs_side=True,
        needs_levels=True,
        needs_stage=False,
    ),
    dict(
        code="FACET",
        name_en="Facet joint block (intra-articular or medial branch block)",
        name_de="Facetteninfiltration (Gelenkinjektion oder Ramus-medialis-Blockade)",
        modality="CT",
        table_minutes=15,
        observation_minutes=20,
        extra_minutes_per_level=5,
        extra_minutes_per_side=5,
        bleeding_class="low",
        bleeding_class_cervical="intermediate",
        needs_side=True,
        needs_levels=True,
        needs_stage=True,
    ),
    dict(
        code="SYMP",
        name_en="Sympathetic block (diagnostic or neurolytic)",
        name_de="Sympathikolyse (Sympathikusblockade)",
        modality="CT",
        table_minutes=30,
        observation_minutes=60,
        extra_minutes_per_level=0,
        extra_minutes_per_side=15,
        bleeding_class="intermediate",
        bleeding_class_cervical=None,
        needs_side=True,
        needs_levels=False,
        needs_stage=True,
    ),
    dict(
        code="RFA",
        name_en="Radiofrequency denervation of the facet joints (medial branches)",
        name_de="Radiofrequenz-Denervation (Thermokoagulation) der Facettengelenke",
        modality="CT",
        table_minutes=30,
        observation_minutes=30,
        extra_minutes_per_level=5,
        extra_minutes_per_side=15,
        bleeding_class="low",
        bleeding_class_cervical="intermediate",
        needs_side=True,
        needs_levels=True,
        needs_stage=False,
    ),
    dict(
        code="EPI",
        name_en="Epidural steroid injection (ESI), interlaminar or caudal",
        name_de="Epidurale Steroidinjektion (interlaminär oder kaudal)",
        modality="CT",
        table_minutes=20,
        observation_minutes=30,
        extra_minutes_per_level=0,
        extra_minutes_per_side=0,
        bleeding_class="intermediate",
        bleeding_class_cervical=None,
        needs_side=False,
        needs_levels=True,
        needs_stage=False,
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
    for order, columns in enumerate(CATALOGUE):
        code = columns["code"]
        if code in existing:
            continue
        existing[code] = ProcedureType(
            **columns, fasting_hours=FASTING_HOURS.get(code, 0), sort_order=order, active=True
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
