"""Walk finding: a PRT was accepted with the stage "Neurolytisch" (a PRT has no stages) and the side "Mitte"
(a nerve root lies left or right). Both are refused at their field at triage, and a plan saved before the
check lists them among its problems, so it is not booked."""

from __future__ import annotations

import re

import pytest

from clinic.models import Referral
from clinic.models.vocab import ReferralStatus
from clinic.scheduling.plan import ProcedurePlan
from tests.factories import at_triage, build_clinic


def _accept(pt_id: int, **changes: str) -> dict[str, str]:
    plan = {"region": "lumbar", "side": "right", "levels": "L4/5", "stage": "", "guidance": "CT", "target": ""}
    plan.update(changes)
    return {"accept-procedure_type_id": str(pt_id), "accept-priority": "routine"} | {
        f"accept-{name}": value for name, value in plan.items()
    }


def _field(html: str, name: str) -> str:
    """The accept form's field ``name`` as shown, to the end of its column."""
    start = html.index(f'id="accept-{name}"')
    return html[html.rindex("<select", 0, start) : html.index("</div>", html.index("</select>", start))]


@pytest.mark.parametrize(
    ("changes", "name", "message", "kept"),
    [
        ({"stage": "neurolytic"}, "stage", "Periradicular therapy has no stage: leave the stage empty.", "neurolytic"),
        (
            {"side": "midline"},
            "side",
            "Periradicular therapy is done on one side or both: choose left, right or both sides.",
            "midline",
        ),
    ],
)
def test_triage_refuses_a_stage_or_the_midline_for_a_prt_at_the_field(session, browser, changes, name, message, kept):
    clinic, referral, path = at_triage(session, browser)
    response = browser.post(f"{path}/accept", _accept(clinic.pt("PRT").id, **changes), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = _field(html, name)
    assert "is-invalid" in shown and message in shown, shown
    assert re.search(rf'<option selected value="{kept}">|<option value="{kept}" selected>', shown)  # kept
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.RECEIVED and stored.planned_procedure_type_id is None
    assert browser.post(f"{path}/accept", _accept(clinic.pt("PRT").id), form_page=path).status_code == 302


def test_a_saved_prt_plan_with_a_stage_or_the_midline_is_not_bookable(session):
    clinic = build_clinic(session)
    prt = clinic.pt("PRT")
    assert [str(p) for p in ProcedurePlan(prt, "lumbar", "left", "L4/5", stage="neurolytic").problems()] == [
        "Periradicular therapy has no stage"
    ]
    assert [str(p) for p in ProcedurePlan(prt, "lumbar", "midline", "L4/5").problems()] == [
        "Periradicular therapy needs left, right or both sides"
    ]
    assert ProcedurePlan(prt, "lumbar", "bilateral", "L4/5").problems() == []
    # the midline stays right where the target lies in it, and for a procedure without a side
    symp = ProcedurePlan(clinic.pt("SYMP"), "sacral", "midline", None, stage="diagnostic", target="impar")
    assert symp.problems() == []
    assert ProcedurePlan(clinic.pt("EPI"), "lumbar", "midline", "L4/5", target="interlaminar").problems() == []


def test_a_prt_aimed_at_the_ganglion_impar_is_refused_once_at_the_target_field(session, browser):
    """Walk finding: the refusal stood in the banner and under "Höhe(n)", not under the target, and named the
    target by its raw lowercase value ("ganglion impar")."""
    clinic, referral, path = at_triage(session, browser)
    response = browser.post(f"{path}/accept", _accept(clinic.pt("PRT").id, target="impar"), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    message = "Periradicular therapy cannot aim at “Ganglion impar”: it has no target, leave the field empty."
    start = html.index('id="accept-target"')
    shown = html[html.rindex("<select", 0, start) : html.index("<label", start)]  # the field, its help, messages
    assert "is-invalid" in shown and message in shown, shown
    assert html.count(message) == 1 and "ganglion impar" not in html
    assert "is-invalid" not in _field(html, "side")
    assert re.search(r'id="accept-levels"[^>]*value="L4/5"', html)  # what was typed stays
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.RECEIVED and stored.planned_target is None


def test_triage_refuses_a_stage_the_facet_block_does_not_have_at_the_field(session, browser):
    """Staff walk: a facet block is diagnostic or therapeutic (its neurolytic step is the RFA, a procedure of
    its own, clinical facts §2.2); "neurolytic" was accepted, while the stage's message named "diagnostic or
    neurolytic". Refused at the stage field, naming the facet block's stages; a therapeutic one is accepted."""
    clinic, referral, path = at_triage(session, browser)
    facet = clinic.pt("FACET").id
    response = browser.post(
        f"{path}/accept", _accept(facet, stage="neurolytic", target="medial_branch"), form_page=path
    )
    assert response.status_code == 422
    shown = _field(response.get_data(as_text=True), "stage")
    message = "Facet joint block is not done at the stage “Neurolytic”; its stages: diagnostic, therapeutic."
    assert "is-invalid" in shown and message in shown, shown
    session.expire_all()
    assert session.get(Referral, referral.id).planned_procedure_type_id is None
    accepted = browser.post(
        f"{path}/accept", _accept(facet, stage="therapeutic", target="medial_branch"), form_page=path
    )
    assert accepted.status_code == 302
    session.expire_all()
    assert session.get(Referral, referral.id).planned_stage == "therapeutic"


def test_a_plan_names_the_stages_of_its_procedure(session):
    clinic = build_clinic(session)
    facet, symp = clinic.pt("FACET"), clinic.pt("SYMP")
    plan = ProcedurePlan(facet, "lumbar", "left", "L4/5", stage="neurolytic", target="medial_branch")
    assert [str(p) for p in plan.problems()] == [
        "Facet joint block is not done at the stage “Neurolytic” (diagnostic, therapeutic)"
    ]
    assert [str(p) for p in ProcedurePlan(facet, "lumbar", "left", "L4/5", target="intra_articular").problems()] == [
        "Facet joint block needs a stage (diagnostic, therapeutic)"
    ]
    assert ProcedurePlan(symp, "lumbar", "left", None, stage="neurolytic", target="lumbar_chain").problems() == []
    assert [str(p) for p in ProcedurePlan(symp, "lumbar", "left", None, stage="therapeutic").problems()] == [
        "Sympathetic block is not done at the stage “Therapeutic” (diagnostic, neurolytic)"
    ]


def test_an_ablation_under_mri_is_refused_at_the_guidance_field(session, browser):
    """Walk finding: a radiofrequency ablation was planned and booked under MRI guidance, and its letter spoke of
    the "planning scan on the MRI table"; the clinical facts (§3) have RFA under fluoroscopy or CT, MRI being
    generally not practical. Only PRT and facet blocks may be planned under MRI; a plan saved before lists it
    among its problems, so it is not booked."""
    clinic, referral, path = at_triage(session, browser)
    response = browser.post(f"{path}/accept", _accept(clinic.pt("RFA").id, guidance="MRI"), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = _field(html, "guidance")
    assert "is-invalid" in shown and "is done under CT guidance, not MRI: choose CT." in shown, shown
    assert "The plan is incomplete" not in html
    session.expire_all()
    assert session.get(Referral, referral.id).status == ReferralStatus.RECEIVED
    assert (
        browser.post(
            f"{path}/accept",
            _accept(clinic.pt("FACET").id, guidance="MRI", stage="diagnostic", target="medial_branch"),
            form_page=path,
        ).status_code
        == 302
    )
    rfa = ProcedurePlan(clinic.pt("RFA"), "lumbar", "left", "L4/5", guidance="MRI")
    assert [str(p) for p in rfa.problems()] == [
        "Radiofrequency denervation of the facet joints is done under CT guidance, not MRI"
    ]
    assert ProcedurePlan(clinic.pt("PRT"), "lumbar", "left", "L4/5", guidance="MRI").problems() == []
