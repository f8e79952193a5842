"""A plan's spinal levels lie in its region: the cervical spine with "L4/5" is refused at the levels field
at triage (screen and API), and a plan saved before the check is not booked (walk finding: a radiologist
accepted a cervical PRT with the level L4/5, which went onto the booking page as "Halswirbelsäule Rechts
L4/5")."""

from __future__ import annotations

import re

import pytest

from clinic.core.errors import InvalidInput
from clinic.core.spine import outside, vertebrae
from clinic.models import Referral
from clinic.models.vocab import ReferralStatus
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import procedure_records
from tests.conftest import ZONE
from tests.factories import at_triage, build_clinic, make_referral, record_details
from tests.radiology.day_helpers import day_appointment, to_procedure


@pytest.mark.parametrize(
    ("levels", "region", "wrong"),
    [
        ("L4/5", "cervical", ["L4/5"]),
        ("C5/6", "lumbar", ["C5/6"]),
        ("C5/6, L4/5", "cervical", ["L4/5"]),
        ("l4-l5", "thoracic", ["l4-l5"]),
        ("Th12/L1", "lumbar", []),  # across a junction: fits either side
        ("C7/Th1", "cervical", []),
        ("C7/Th1", "thoracic", []),
        ("L5/S1", "lumbar", []),
        ("L5/S1", "sacral", []),
        ("S1", "lumbar", []),  # the S1 root at the lumbosacral junction
        ("T12", "thoracic", []),
        ("C8", "cervical", []),
        ("L4/5; L5/S1", "lumbar", []),
        ("caudal", "sacral", []),  # names no vertebra: not judged
        ("L4/5", "other", []),
        ("L4/5", None, []),
        ("", "cervical", []),
    ],
)
def test_levels_outside_their_region(levels, region, wrong):
    assert outside(levels, region) == wrong


def test_vertebrae_read_as_staff_write_them():
    assert vertebrae("Th12/L1") == {("thoracic", 12), ("lumbar", 1)}
    assert vertebrae("L4–S1 beidseits") == {("lumbar", 4), ("sacral", 1)}
    assert vertebrae("links") == set()


def _accept(levels: str, region: str, pt_id: int) -> dict[str, str]:
    return {
        "accept-procedure_type_id": str(pt_id),
        "accept-region": region,
        "accept-side": "right",
        "accept-levels": levels,
        "accept-stage": "",
        "accept-guidance": "CT",
        "accept-target": "",
        "accept-priority": "routine",
    }


def test_triage_refuses_a_lumbar_level_on_a_cervical_plan_at_the_field(session, browser):
    clinic, referral, path = at_triage(session, browser)
    refused = browser.post(f"{path}/accept", _accept("L4/5", "cervical", clinic.pt("PRT").id), form_page=path)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "L4/5 does not lie in the chosen region (Cervical): check the level(s) and the region." in html
    assert re.search(r'id="accept-levels"[^>]*is-invalid|class="[^"]*is-invalid[^"]*"[^>]*id="accept-levels"', html)
    assert re.search(r'id="accept-levels"[^>]*value="L4/5"|value="L4/5"[^>]*id="accept-levels"', html)
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.RECEIVED and stored.planned_procedure_type_id is None

    accepted = browser.post(f"{path}/accept", _accept("C5/6", "cervical", clinic.pt("PRT").id), form_page=path)
    assert accepted.status_code == 302
    session.expire_all()
    assert session.get(Referral, referral.id).planned_levels == "C5/6"


def test_a_plan_saved_before_the_check_is_not_bookable(session):
    clinic = build_clinic(session)
    plan = ProcedurePlan(clinic.pt("PRT"), region="cervical", side="right", levels="L4/5")
    assert [str(p) for p in plan.problems()] == ["level L4/5 lies outside the region (Cervical)"]
    assert ProcedurePlan(clinic.pt("PRT"), region="cervical", side="right", levels="C5/6").problems() == []


def _record_in_progress(session, settings, **plan):
    """The record of a procedure started now (``plan`` as for make_ready_referral) and its radiologist."""
    clinic, appointment = day_appointment(session, settings, **plan)
    return to_procedure(session, clinic, appointment), clinic.radiologists[0]


def _save_levels(session, radiologist, record, levels: str) -> None:
    procedure_records.update(
        session, radiologist, record, record_details(record, levels=levels, ended_at=None), zone=ZONE
    )


def test_a_record_with_a_level_outside_the_appointments_region_is_refused_at_its_field(session, settings):
    record, radiologist = _record_in_progress(session, settings, region="cervical", side="right")
    with pytest.raises(InvalidInput) as refused:
        _save_levels(session, radiologist, record, "L4/5")
    assert refused.value.fields == ("levels",)
    assert str(refused.value) == "L4/5 does not lie in this appointment's region (Cervical): check the level(s)."
    assert record.levels == "C5/6"  # the plan's level, as the record started with: nothing saved
    _save_levels(session, radiologist, record, "C5/6")
    assert record.levels == "C5/6"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("l4/5", "L4/5"),
        ("L4-L5", "L4/5"),
        ("L 4/5", "L4/5"),
        ("T12/l1", "Th12/L1"),
        ("C7/Th1", "C7/Th1"),
        ("L5-S1", "L5/S1"),
        ("L3-5", "L3–5"),  # a range
        ("S1", "S1"),
        ("Kaudal", "caudal"),  # names no vertebra on purpose (core.spine): the caudal epidural
        # Staff walk: typed without a separator, refused; the second level names its letter.
        ("l5s1", "L5/S1"),
        ("L4L5", "L4/5"),
        ("Th12L1", "Th12/L1"),
        ("c7th1", "C7/Th1"),
        ("L3L5", "L3–5"),
        ("L5L4", None),
        ("L4L9", None),
        ("L45", None),
        ("blah", None),
        ("xyz", None),
        ("L9", None),
        ("L5/4", None),
        ("L4/5 links", None),  # the side has its own field
    ],
)
def test_a_level_is_read_in_one_spelling_or_refused(written, stored):
    from clinic.core.spine import normal_level

    assert normal_level(written) == stored


def test_levels_are_stored_once_each_in_one_spelling():
    from clinic.core.spine import normalised, unreadable

    assert normalised("L4/5, L4/5") == "L4/5"
    assert normalised("l4/5; L5/S1, l4-5") == "L4/5, L5/S1"
    assert normalised(" , ") is None
    assert unreadable("L4/5, blah, xyz") == ["blah", "xyz"]


def test_triage_refuses_a_level_that_is_no_level_at_the_field_and_stores_levels_normalised(session, browser):
    """Walk finding: "blah" was accepted as a level, "l4/5" stored as typed, "L4/5, L4/5" kept twice."""
    clinic, referral, path = at_triage(session, browser)
    refused = browser.post(f"{path}/accept", _accept("blah", "lumbar", clinic.pt("PRT").id), form_page=path)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    field = html[html.index('id="accept-levels"') :].split("</div>")[0]
    assert "blah: not a spinal level; write it like L4/5, L5/S1 or Th12/L1." in field
    assert re.search(r'id="accept-levels"[^>]*is-invalid|class="[^"]*is-invalid[^"]*"[^>]*id="accept-levels"', html)
    assert re.search(r'id="accept-levels"[^>]*value="blah"|value="blah"[^>]*id="accept-levels"', html)
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.RECEIVED and stored.planned_procedure_type_id is None

    accepted = browser.post(f"{path}/accept", _accept("l4/5, L4/5", "lumbar", clinic.pt("PRT").id), form_page=path)
    assert accepted.status_code == 302
    session.expire_all()
    assert session.get(Referral, referral.id).planned_levels == "L4/5"


def test_a_saved_plan_with_a_level_that_is_no_level_is_not_bookable(session):
    clinic = build_clinic(session)
    plan = ProcedurePlan(clinic.pt("PRT"), region="lumbar", side="right", levels="L4/5, xyz")
    assert [str(p) for p in plan.problems()] == ["xyz is not a spinal level"]


def test_the_record_refuses_a_level_that_is_no_level_at_its_field_and_stores_levels_normalised(session, settings):
    record, radiologist = _record_in_progress(session, settings)
    before = record.levels
    with pytest.raises(InvalidInput) as refused:
        _save_levels(session, radiologist, record, "L4/5, xyz")
    assert refused.value.fields == ("levels",)
    assert str(refused.value) == "xyz: not a spinal level; write it like L4/5, L5/S1 or Th12/L1."
    assert record.levels == before and record.approach is None  # nothing saved
    _save_levels(session, radiologist, record, "l4/5, L4/5")
    assert record.levels == "L4/5"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("L4/5 L5/S1", "L4/5, L5/S1"),  # walk finding: refused, the message showed the comma form
        ("L4/5  L5/S1", "L4/5, L5/S1"),
        ("l4-l5 l5-s1; L4/5", "L4/5, L5/S1"),
        ("L4/5; L5/S1", "L4/5, L5/S1"),
        ("L4 L5", "L4, L5"),  # two roots
        ("L4 - L5 S1", "L4/5, S1"),  # a level with spaces inside it stays one level
        ("L5/S1 caudal", "L5/S1, caudal"),
        ("L4L5 l5s1", "L4/5, L5/S1"),
        # One level written with spaces inside it, accepted before, in the same meaning.
        ("L4 / 5", "L4/5"),
        ("L4 - L5", "L4/5"),
        ("L 4/5", "L4/5"),
    ],
)
def test_levels_with_spaces_between_them_are_read_and_stored_in_one_spelling(written, stored):
    from clinic.core.spine import normalised, unreadable

    assert unreadable(written) == []
    assert normalised(written) == stored


@pytest.mark.parametrize(
    ("written", "refused"),
    [
        ("L4/5 L5/S1 C3 ;DROP", ["DROP"]),
        ("L4/5 links", ["L4/5 links"]),  # the side has its own field
        ("L4/5L5/S1", ["L4/5L5/S1"]),  # not split where nothing separates
        ("L4/5 blah", ["L4/5 blah"]),
        ("L4 5", ["L4 5"]),
        ("L4/5 L9", ["L4/5 L9"]),
    ],
)
def test_a_spaced_list_with_something_that_is_no_level_is_still_refused(written, refused):
    from clinic.core.spine import unreadable

    assert unreadable(written) == refused


def test_a_spaced_list_is_judged_level_by_level_against_the_region():
    """ "L4/5 C5/6" was one part naming a cervical vertebra, so a cervical plan let the L4/5 through."""
    assert outside("C5/6 L4/5", "cervical") == ["L4/5"]
    assert outside("L4/5 L5/S1", "lumbar") == []


def test_triage_stores_levels_typed_with_spaces_between_them(session):
    from clinic.services import triage

    clinic = build_clinic(session)
    radiologist = clinic.radiologists[0]
    referral = make_referral(session)
    triage.accept(
        session,
        radiologist,
        referral,
        triage.PlanDetails(clinic.pt("PRT").id, "lumbar", "left", "L4/5 l5-s1", None, "CT"),
    )
    assert referral.planned_levels == "L4/5, L5/S1"


def test_the_record_stores_levels_typed_with_spaces_between_them(session, settings):
    from clinic.core.errors import InvalidInput
    from clinic.services import procedure_records
    from tests.conftest import ZONE
    from tests.factories import record_details
    from tests.radiology.day_helpers import day_appointment, to_procedure

    clinic, appointment = day_appointment(session, settings)
    record = to_procedure(session, clinic, appointment)
    radiologist = clinic.radiologists[0]
    procedure_records.update(
        session, radiologist, record, record_details(record, levels="L4/5 L5/S1", ended_at=None), zone=ZONE
    )
    assert record.levels == "L4/5, L5/S1"
    with pytest.raises(InvalidInput) as refused:
        procedure_records.update(
            session, radiologist, record, record_details(record, levels="L4/5 L5/S1 ;DROP", ended_at=None), zone=ZONE
        )
    assert str(refused.value) == "DROP: not a spinal level; write it like L4/5, L5/S1 or Th12/L1."
    assert record.levels == "L4/5, L5/S1"


def test_the_triage_form_accepts_levels_typed_with_spaces_between_them(session, browser):
    """Walk finding: "L4/5 L5/S1" was refused at the levels field; "L4/5, L5/S1" was accepted."""
    clinic, referral, path = at_triage(session, browser)
    accepted = browser.post(f"{path}/accept", _accept("L4/5 L5/S1", "lumbar", clinic.pt("PRT").id), form_page=path)
    assert accepted.status_code == 302
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert (stored.status, stored.planned_levels) == (ReferralStatus.ACCEPTED, "L4/5, L5/S1")


def test_the_triage_form_accepts_levels_typed_without_a_separator(session, browser):
    """Staff walk: "l5s1" and "L4L5" were refused at the levels field; "L5/S1" and "L4-L5" were read. Something
    that is no level is still refused there, saying how to write one."""
    clinic, referral, path = at_triage(session, browser)
    refused = browser.post(f"{path}/accept", _accept("L4L5x", "lumbar", clinic.pt("PRT").id), form_page=path)
    assert refused.status_code == 422
    assert "L4L5x: not a spinal level; write it like L4/5, L5/S1 or Th12/L1." in refused.get_data(as_text=True)
    accepted = browser.post(f"{path}/accept", _accept("L4L5, l5s1", "lumbar", clinic.pt("PRT").id), form_page=path)
    assert accepted.status_code == 302
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert (stored.status, stored.planned_levels) == (ReferralStatus.ACCEPTED, "L4/5, L5/S1")
