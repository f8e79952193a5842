"""The data a new clinic starts with is read from clinic/content/catalogue.toml and hold_rules.toml (issue 16:
moved there from Python literals). What the seeding writes stays what it was: the same values, and the
Python types the columns take (TOML has no null: a value left out is None)."""

from __future__ import annotations

import pytest

from clinic.defaults import CATALOGUE, DRUG_OPTIONS, HOLD_RULES, STAGE_RULES
from clinic.models import ProcedureType
from clinic.models.vocab import BleedingClass, HoldAction, Stage

# As seeded before the move: table, observation, per extra level, per second side and fasting hours;
# bleeding class, for cervical levels; whether a plan needs a side, levels, a stage.
SEEDED = {
    "PRT": (20, 30, 5, 10, 0, "intermediate", None, True, True, False),
    "FACET": (15, 20, 5, 5, 0, "low", "intermediate", True, True, True),
    "SYMP": (30, 60, 0, 15, 6, "intermediate", None, True, False, True),
    "RFA": (30, 30, 5, 15, 0, "low", "intermediate", True, True, False),
    "EPI": (20, 30, 0, 0, 0, "intermediate", None, False, True, False),
}
COLUMNS = (
    "table_minutes",
    "observation_minutes",
    "extra_minutes_per_level",
    "extra_minutes_per_side",
    "fasting_hours",
    "bleeding_class",
    "bleeding_class_cervical",
    "needs_side",
    "needs_levels",
    "needs_stage",
)


def test_the_catalogue_rows_are_those_seeded_before_in_their_order():
    assert {row["code"]: tuple(row[name] for name in COLUMNS) for row in CATALOGUE} == SEEDED
    assert [row["code"] for row in CATALOGUE] == list(SEEDED)
    assert {row["modality"] for row in CATALOGUE} == {"CT"}
    symp = next(row for row in CATALOGUE if row["code"] == "SYMP")
    assert symp["name_en"] == "Sympathetic block (diagnostic or neurolytic)"
    assert symp["name_de"] == "Sympathikolyse (Sympathikusblockade)"
    epi = next(row for row in CATALOGUE if row["code"] == "EPI")
    assert epi["name_de"] == "Epidurale Steroidinjektion (interlaminär oder kaudal)"


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda row: row["code"])
def test_a_catalogue_row_gives_each_column_a_value_of_the_columns_type(row):
    """Minutes as int (not float or str), flags as bool, names and classes as str; None only where the
    column takes it."""
    columns = ProcedureType.__table__.columns
    for name, value in row.items():
        column = columns[name]
        if value is None:
            assert column.nullable, name
        else:
            assert type(value) is column.type.python_type, (name, value)
    assert set(row) == set(COLUMNS) | {"code", "name_en", "name_de", "modality"}


def test_stage_rules_and_drug_options_are_those_seeded_before():
    symp, rfa = STAGE_RULES
    assert symp == ("SYMP", Stage.NEUROLYTIC, "SYMP", Stage.DIAGNOSTIC)
    assert rfa == ("RFA", None, "FACET", Stage.DIAGNOSTIC)
    assert [type(stage) for stage in (symp[1], symp[3], rfa[3])] == [Stage] * 3
    assert DRUG_OPTIONS == [
        ("Triamcinolone", "mg"),
        ("Dexamethasone", "mg"),
        ("Ropivacaine", "ml"),
        ("Bupivacaine", "ml"),
        ("Lidocaine", "ml"),
        ("Ethanol", "ml"),
        ("Contrast", "ml"),
    ]


def test_hold_rules_give_every_bleeding_class_an_action_and_hours_as_whole_numbers():
    assert len(HOLD_RULES) == 24
    assert len({(rule.drug_code, rule.dose_class) for rule in HOLD_RULES}) == 24
    for rule in HOLD_RULES:
        assert list(rule.by_class) == [BleedingClass.HIGH, BleedingClass.INTERMEDIATE, BleedingClass.LOW]
        assert type(rule.requires_inr) is bool and rule.evidence in ("V", "S")
        assert rule.note is None or rule.note.strip() == rule.note != ""
        for action, hold_hours, restart_hours in rule.by_class.values():
            assert type(action) is HoldAction
            assert hold_hours is None or type(hold_hours) is int
            assert restart_hours is None or type(restart_hours) is int
            assert (action == HoldAction.HOLD) == (hold_hours is not None), rule.drug_code


@pytest.mark.parametrize(
    ("drug", "dose", "expected"),
    [
        ("aspirin", "primary", [("hold", 144, 24), ("shared_assessment", None, 24), ("no_hold", None, None)]),
        ("dipyridamole", "", [("hold", 48, None), ("no_hold", None, None), ("no_hold", None, None)]),
        ("warfarin", "", [("hold", 120, 6), ("hold", 120, 6), ("shared_assessment", None, 6)]),
        ("heparin", "sc", [("hold", 24, 6), ("hold", 6, 2), ("hold", 6, 2)]),
        ("dabigatran", "renal_impaired", [("hold", 144, 24), ("hold", 144, 24), ("shared_assessment", None, 24)]),
        ("apixaban", "", [("hold", 72, 24), ("hold", 72, 24), ("shared_assessment", None, 24)]),
    ],
)
def test_hold_rules_are_those_seeded_before(drug, dose, expected):
    rule = next(rule for rule in HOLD_RULES if (rule.drug_code, rule.dose_class) == (drug, dose))
    assert list(rule.by_class.values()) == expected


def test_hold_rules_keep_names_inr_evidence_and_notes():
    by_drug = {(rule.drug_code, rule.dose_class): rule for rule in HOLD_RULES}
    aspirin = by_drug["aspirin", "primary"]
    assert (aspirin.drug_name_en, aspirin.drug_name_de) == ("Aspirin (ASA)", "Acetylsalicylsäure (ASS)")
    assert [code for code, rule in by_drug.items() if rule.requires_inr] == [("warfarin", ""), ("acenocoumarol", "")]
    assert [code for code, rule in by_drug.items() if rule.note is None] == [
        ("cilostazol", ""),
        ("rivaroxaban", ""),
        ("edoxaban", ""),
    ]
    assert by_drug["prasugrel", ""].evidence == "S" and by_drug["ibuprofen", ""].evidence == "V"
    assert by_drug["dabigatran", "renal_impaired"].note == "Impaired kidney function."


def test_every_seeded_hold_note_has_its_german_version():
    """A German admin read the seeded notes in English: each note has a German one beside it, and only then."""
    for rule in HOLD_RULES:
        assert (rule.note is None) == (rule.note_de is None), rule.drug_code
        assert rule.note_de is None or rule.note_de.strip() == rule.note_de != rule.note
    by_drug = {(rule.drug_code, rule.dose_class): rule for rule in HOLD_RULES}
    assert by_drug["clopidogrel", ""].note_de == (
        "Wiederbeginn nach 12-24 h (unsicher). Koronarstent jünger als 12 Monate: zuerst die Kardiologie fragen."
    )
    assert by_drug["dabigatran", "renal_impaired"].note_de == "Eingeschränkte Nierenfunktion."
