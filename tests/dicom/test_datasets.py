"""DICOM values in and out, without a network or a database: dates and times across the clocks'
change, the scanner's dose in its several spellings, the worklist's matching rules, staff names."""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal

import pytest
from pydicom.dataset import Dataset

from clinic.core.errors import InvalidInput
from clinic.dicom import datasets
from clinic.services.modality_worklist import PersonName, WorklistEntry, person_name
from tests.conftest import TODAY, ZONE


def step(**values) -> Dataset:
    """A dataset as it comes off the wire: values are not checked (a scanner may send anything)."""
    ds = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in values.items():
            setattr(ds, key, value)
    return ds


@pytest.mark.parametrize(
    ("day", "time", "offset", "expected"),
    [
        ("20261123", "090200", None, dt.datetime(2026, 11, 23, 8, 2, tzinfo=dt.UTC)),  # CET
        ("20260615", "090200.123", None, dt.datetime(2026, 6, 15, 7, 2, tzinfo=dt.UTC)),  # CEST
        ("20261025", "023000", None, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)),  # the hour that repeats: first
        ("20261123", "0902", "+0000", dt.datetime(2026, 11, 23, 9, 2, tzinfo=dt.UTC)),  # the scanner's own offset
        ("20261123", "", None, dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)),
        ("", "090200", None, None),
        ("2026-11-23", "090200", None, None),
    ],
)
def test_scanner_times_become_instants_in_the_clinics_zone(day, time, offset, expected):
    assert datasets.instant(day, time, ZONE, offset) == expected


@pytest.mark.parametrize(
    ("values", "ctdi", "dlp"),
    [
        ({"CommentsOnRadiationDose": "Total DLP = 412.7 mGy*cm"}, None, Decimal("412.7")),
        ({"CommentsOnRadiationDose": "CTDIvol: 8,5 mGy; DLP: 210,4 mGycm"}, Decimal("8.5"), Decimal("210.4")),
        ({"CommentsOnRadiationDose": "no dose report"}, None, None),
        ({}, None, None),
    ],
)
def test_the_dose_is_read_where_the_scanner_writes_it(values, ctdi, dlp):
    assert datasets.dose(step(**values)) == (ctdi, dlp)


def test_the_highest_ctdivol_of_several_series_is_taken():
    exposures = []
    for value in (4.1, 12.5, 7.0):
        item = Dataset()
        item.CTDIvol = value
        exposures.append(item)
    assert datasets.dose(step(ExposureDoseSequence=exposures))[0] == Decimal("12.5")


def test_a_step_report_reads_status_accession_and_times():
    item = Dataset()
    item.AccessionNumber = "ABCDEFGH2345"
    report = datasets.step_report(
        step(
            PerformedProcedureStepStatus="COMPLETED",
            ScheduledStepAttributesSequence=[item],
            PerformedProcedureStepEndDate="20261123",
            PerformedProcedureStepEndTime="092100",
        ),
        "1.2.3",
        "CT1 ",
        ZONE,
    )
    assert (report.status, report.accession_number, report.station_ae_title) == ("completed", "ABCDEFGH2345", "CT1")
    assert report.started_at is None and report.ended_at == dt.datetime(2026, 11, 23, 8, 21, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput):
        datasets.step_report(step(PerformedProcedureStepStatus="HALF DONE"), "1.2.3", "CT1", ZONE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (TODAY, TODAY)),
        ("20261124", (dt.date(2026, 11, 24), dt.date(2026, 11, 24))),
        ("20261123-20261125", (dt.date(2026, 11, 23), dt.date(2026, 11, 25))),
        ("20261123-", (dt.date(2026, 11, 23), dt.date(2026, 11, 29))),
        ("-20261129", (dt.date(2026, 11, 23), dt.date(2026, 11, 29))),
    ],
)
def test_the_asked_days_come_from_the_scheduled_date(text, expected):
    item = Dataset()
    item.ScheduledProcedureStepStartDate = text
    assert datasets.requested_days(step(ScheduledProcedureStepSequence=[item]), TODAY) == expected


def test_a_scheduled_date_that_is_no_date_is_refused():
    item = step(ScheduledProcedureStepStartDate="tomorrow")
    with pytest.raises(InvalidInput):
        datasets.requested_days(step(ScheduledProcedureStepSequence=[item]), TODAY)


def entry(**changes) -> WorklistEntry:
    values = dict(
        appointment_id=1,
        accession_number="ABCDEFGH2345",
        requested_procedure_id="ABCDEFGH",
        study_instance_uid="2.25.1",
        patient_id="P-4711",
        patient_name=PersonName("Müller", "Zoë"),
        birth_date=dt.date(1961, 4, 9),
        sex="F",
        procedure_code="PRT",
        procedure_meaning="Periradicular therapy",
        procedure_description="PRT lumbar left L4/5",
        scheduled_start=dt.datetime(2026, 11, 23, 9, 0),
        scheduled_end=dt.datetime(2026, 11, 23, 9, 20),
        station_ae_title="CT1",
        station_name="CT 1",
        location="Radiology",
        modality="CT",
        performing_physician=PersonName("Schmidt", "Anna", "Dr."),
        checked_in=True,
    )
    values.update(changes)
    return WorklistEntry(**values)


@pytest.mark.parametrize(
    ("query", "hit"),
    [
        ({"PatientName": ""}, True),
        ({"PatientName": "MÜLLER^ZOË"}, True),
        ({"PatientName": "mul*"}, True),
        ({"PatientName": "M?ller*"}, True),
        ({"PatientName": "Meier*"}, False),
        ({"PatientName": "[M]*"}, False),  # brackets are letters here, not a character class
        ({"PatientID": "P-4711"}, True),
        ({"PatientID": "p-4711"}, False),
        ({"PatientID": "P-47*"}, True),
        ({"StudyInstanceUID": "2.25.9\\2.25.1"}, True),  # a list of UIDs
        ({"StudyInstanceUID": "2.25.9"}, False),
        ({"OtherPatientIDs": "X"}, True),  # a key we do not keep does not narrow the answer
    ],
)
def test_dicom_matching(query, hit):
    assert len(datasets.answers([entry()], step(SpecificCharacterSet="ISO_IR 192", **query))) == int(hit)


def test_sequence_matching_and_the_answer_holds_only_what_was_asked():
    item = step(ScheduledStationAETitle="CT2")
    assert datasets.answers([entry()], step(ScheduledProcedureStepSequence=[item])) == []
    item = step(ScheduledStationAETitle="CT1", ScheduledProcedureStepStartTime="0800-0930")
    query = step(PatientName="", OtherPatientIDs="", ScheduledProcedureStepSequence=[item])
    [answer] = datasets.answers([entry(), entry(scheduled_start=dt.datetime(2026, 11, 23, 10, 0))], query)
    assert [e.keyword for e in answer] == [
        "SpecificCharacterSet",
        "PatientName",
        "OtherPatientIDs",
        "ScheduledProcedureStepSequence",
    ]
    assert str(answer.PatientName) == "Müller^Zoë" and answer.OtherPatientIDs in (None, "")
    assert [e.keyword for e in answer.ScheduledProcedureStepSequence[0]] == [
        "ScheduledStationAETitle",
        "ScheduledProcedureStepStartTime",
    ]
    # An empty sequence key asks for the whole items.
    [whole] = datasets.answers([entry()], step(RequestedProcedureCodeSequence=[]))
    code = whole.RequestedProcedureCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning) == (
        "PRT",
        "99PAINCLINIC",
        "Periradicular therapy",
    )


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Dr. Anna Schmidt", PersonName("Schmidt", "Anna", "Dr.")),
        ("Prof. Dr. Jörg Weiß", PersonName("Weiß", "Jörg", "Prof. Dr.")),
        ("Schmidt", PersonName("Schmidt")),
    ],
)
def test_staff_names_become_dicom_person_names(full_name, expected):
    assert person_name(full_name) == expected


def test_a_person_name_cannot_break_its_components():
    assert datasets.person_name(PersonName("Mül^ler", "Zo\\ë", "Dr.")) == "Mül ler^Zo ë^^Dr."


def test_a_repeated_query_gets_the_answers_made_before_and_their_bytes():
    """The worklist's answers are made once per entry and query shape and encoded once per transfer
    syntax (issue 19's benchmark): the bytes are the ones pydicom writes, and a changed entry (checked
    in meanwhile) gets a new answer."""
    from pynetdicom.dsutils import encode

    query = step(PatientName="", ScheduledProcedureStepSequence=[step(ScheduledProcedureStepStatus="")])
    [first] = datasets.answers([entry()], query)
    [again] = datasets.answers([entry()], query)
    assert again is first
    [waiting, arrived] = datasets.answers([entry(checked_in=False), entry(checked_in=True)], query)
    assert {waiting is first, arrived is first} == {True, False}
    statuses = [a.ScheduledProcedureStepSequence[0].ScheduledProcedureStepStatus for a in (waiting, arrived)]
    assert statuses == ["SCHEDULED", "ARRIVED"]
    encode_once = datasets.encode_once(encode)
    for syntax in [(True, True), (False, True), (False, False)]:
        assert encode_once(first, *syntax) == encode(first, *syntax) == encode_once(first, *syntax)
    assert set(first.encodings) == {(True, True, False), (False, True, False), (False, False, False)}
    other = step(PatientName="Müller^Zoë", SpecificCharacterSet="ISO_IR 192")
    assert encode_once(other, True, True) == encode(other, True, True)


def test_command_sets_are_encoded_once_per_content():
    from pydicom.uid import UID
    from pynetdicom.dsutils import encode

    from clinic.dicom.network import remember_command_sets

    calls = []

    def counting(ds, *syntax):
        calls.append(1)
        return encode(ds, *syntax)

    remembered = remember_command_sets(counting)
    command = step(AffectedSOPClassUID=UID("1.2.840.10008.5.1.4.31"), MessageIDBeingRespondedTo=7, Status=0xFF00)
    assert remembered(command, True, True) == encode(command, True, True)
    assert remembered(command, True, True) == encode(command, True, True) and len(calls) == 1
    command.Status = 0x0000
    assert remembered(command, True, True) == encode(command, True, True) and len(calls) == 2
