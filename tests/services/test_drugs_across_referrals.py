"""Walk 26 (patient safety): phenprocoumon recorded on one referral of a patient did not reach the patient's
other referral, whose questionnaire said "no blood thinners"; an epidural was booked for the same day with
no hold. A blood thinner on another open referral of the patient keeps this one's questionnaire open."""

from __future__ import annotations

import pytest

from clinic.core.errors import DomainError
from clinic.models.vocab import ReferralStatus
from clinic.services import booking_queue, prereg_items, preregistration
from tests.factories import book, build_clinic, make_patient, make_ready_referral


def _medication(session, referral):
    items = preregistration.checklist(session, referral, people=False)
    return next(item for item in items if item.key == "medication")


def test_a_blood_thinner_on_the_patients_other_referral_keeps_this_one_from_booking(session, settings):
    clinic = build_clinic(session, texts=True)
    patient = make_patient(session, family_name="Nagy")
    make_ready_referral(session, clinic, patient, medications=[("phenprocoumon", "", None)])
    epidural = make_ready_referral(session, clinic, patient)
    other = make_ready_referral(session, clinic, make_patient(session, family_name="Andere"))
    session.flush()

    item = _medication(session, epidural)
    assert not item.done
    assert str(item.detail).startswith("Phenprocoumon (Marcumar) recorded on another referral of this patient")
    assert _medication(session, other).done  # another patient's drugs are not this one's
    batch = preregistration.checklists(session, [epidural, other], brief=True)
    assert [i.done for i in batch[epidural.id] if i.key == "medication"] == [False]
    session.commit()
    sorting = booking_queue.sorting(session)
    assert epidural.id not in {e.referral_id for e in sorting.ready}
    assert epidural.id in {e.referral_id for e in sorting.prepare}
    with pytest.raises(DomainError, match="recorded on another referral of this patient"):
        book(session, settings, epidural)
    session.rollback()

    prereg_items.add_medication(session, None, epidural, drug_code="phenprocoumon", dose_class="", last_dose_on=None)
    session.flush()
    assert "recorded on another referral" not in str(_medication(session, epidural).detail)


def test_a_closed_referrals_drugs_do_not_hold_up_a_new_one(session, settings):
    clinic = build_clinic(session, texts=True)
    patient = make_patient(session)
    old = make_ready_referral(session, clinic, patient, medications=[("clopidogrel", "", None)])
    old.status = ReferralStatus.CLOSED
    new = make_ready_referral(session, clinic, patient)
    session.flush()
    assert _medication(session, new).done


def test_many_referrals_at_once_each_see_their_own_patients_other_drugs_only(session, settings):
    """``checklists`` reads the other referrals' drugs of many patients in one go: each referral names the drugs
    of its own patient's other referrals, sorted, each once, and none recorded on its own questionnaire."""
    clinic = build_clinic(session, texts=True)
    nagy, weber = make_patient(session, family_name="Nagy"), make_patient(session, family_name="Weber")
    first = make_ready_referral(
        session, clinic, nagy, medications=[("phenprocoumon", "", None), ("clopidogrel", "", None)]
    )
    second = make_ready_referral(session, clinic, nagy, medications=[("clopidogrel", "", None)])
    third = make_ready_referral(session, clinic, nagy, medications=[("clopidogrel", "", None)])
    weber_one = make_ready_referral(
        session, clinic, weber, medications=[("rivaroxaban", "", None), ("apixaban", "", None)]
    )
    weber_two = make_ready_referral(session, clinic, weber)
    session.flush()

    found = preregistration._elsewhere(session, [second, weber_two, first, third, weber_one])
    assert {rid: [str(drug) for drug in drugs] for rid, drugs in found.items()} == {
        second.id: ["Phenprocoumon (Marcumar)"],
        third.id: ["Phenprocoumon (Marcumar)"],
        weber_two.id: ["Apixaban", "Rivaroxaban"],
    }
    assert [drug.names["de"] for drug in found[weber_two.id]] == ["Apixaban", "Rivaroxaban"]
