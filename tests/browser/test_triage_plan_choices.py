"""Browser, staff walk: the triage form offered every stage and every procedure's targets whatever the
procedure, and then refused them (a facet block aimed at the stellate ganglion, at the stage "neurolytic").
Once a procedure is chosen the stage and the target offer only what it takes."""

from __future__ import annotations

import datetime as dt

from tests.browser_fixtures import hand_over
from tests.factories import build_clinic, make_referral


def _offered(page, field: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#accept-{field} option", "options => options.filter(o => !o.hidden && !o.disabled).map(o => o.value)"
    )


def test_the_stage_and_target_offer_only_what_the_procedure_takes(session, staff):
    clinic = build_clinic(session)
    referral = make_referral(session, received_on=dt.date(2026, 11, 20))
    facet, prt, symp = clinic.pt("FACET").id, clinic.pt("PRT").id, clinic.pt("SYMP").id
    [referral_id] = hand_over(session, referral)
    doctor = staff("rad1")
    page = doctor.go(f"/radiology/referrals/{referral_id}")
    page.select_option("#accept-procedure_type_id", str(facet))
    assert _offered(page, "stage") == ["", "diagnostic", "therapeutic"]
    assert _offered(page, "target") == ["", "intra_articular", "medial_branch"]
    page.select_option("#accept-stage", "therapeutic")
    page.select_option("#accept-target", "medial_branch")

    page.select_option("#accept-procedure_type_id", str(symp))  # a choice the new procedure lacks is cleared
    assert _offered(page, "stage") == ["", "diagnostic", "neurolytic"]
    assert "medial_branch" not in _offered(page, "target") and "stellate" in _offered(page, "target")
    assert page.input_value("#accept-stage") == "" and page.input_value("#accept-target") == ""

    page.select_option("#accept-procedure_type_id", str(prt))
    assert _offered(page, "stage") == [""] and _offered(page, "target") == [""]
    assert doctor.console_errors == []
