"""The triage queue and the triage page: accept, decline, ask for more; red flags; waivers."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth.access import roles
from ..core.errors import DomainError, InvalidInput
from ..extensions import db
from ..forms import correct_marked
from ..i18n import screen_language
from ..models import ImagingStudy, ProcedureType, RedFlagAnswer, Referral
from ..models.vocab import TARGETS_BY_PROCEDURE, Priority, ReferralStatus, Role
from ..scheduling import booking, steroid
from ..scheduling.plan import stages_of
from ..services import booking_queue, episodes, implants, medication, stages, triage
from ..web import get_or_404, lands_on, local_today, one_click, refused, refused_at, zone
from . import bp
from .forms import AcceptForm, HoldOverrideForm, ReasonForm


def targets_of(code: str) -> tuple[str, ...]:
    return TARGETS_BY_PROCEDURE.get(code, ())


@bp.get("/triage", endpoint="triage")
@roles(Role.RADIOLOGIST)
def triage_queue():
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.status.in_([ReferralStatus.RECEIVED, ReferralStatus.INFO_REQUESTED]))
        .order_by(Referral.received_on, Referral.id)
    ).all()
    urgent = [r for r in referrals if r.is_urgent and r.status == ReferralStatus.RECEIVED]
    routine = [r for r in referrals if not r.is_urgent and r.status == ReferralStatus.RECEIVED]
    waiting = [r for r in referrals if r.status == ReferralStatus.INFO_REQUESTED]
    # Accepted referrals can carry an open red flag too (answered later): they block booking.
    flagged = (
        db.session.scalars(
            select(Referral)
            .join(RedFlagAnswer)
            .where(
                Referral.status == ReferralStatus.ACCEPTED, RedFlagAnswer.present, RedFlagAnswer.cleared_at.is_(None)
            )
        )
        .unique()
        .all()
    )
    # Emergencies first: the red flags of the clinical facts file's "cauda equina / severe neurological" group
    # (procedures.md §5, items 1-4: "call now / emergency department", RedFlag.emergency) before the other
    # red flags and urgent referrals; oldest first within each group.
    urgent = sorted(urgent + list(flagged), key=lambda r: (not r.has_emergency_flag, r.received_on, r.id))
    return render_template(
        "radiology/triage.html",
        urgent=urgent,
        routine=routine,
        waiting=waiting,
        implant_checks=triage.awaiting_implant_check(db.session),
        stage_done=_stage_done(),
        today=local_today(),
    )


def _stage_done() -> list:
    """The accepted referrals whose planned stage is done and whose outcome decides what follows: a radiologist
    plans the next stage (or the same one again), or the desk closes the referral (walk 26: only the front
    desk's start page listed them). From the start page's sorting, oldest first as it sorts them."""
    entries = [e for e in booking_queue.sorting(db.session).blocked if e.done]
    rows = booking_queue.waiting(db.session, entries)
    return [rows[e.referral_id] for e in entries if e.referral_id in rows]


FORMS_WITH_THEIR_OWN_BANNER = {"accept"}  # the template shows form_errors() for these


def _forms(referral: Referral, posted: str | None = None) -> dict:
    """Only the posted form reads the request; the others keep their defaults (a refused decline does not
    empty the accept form)."""

    def bound(form_class, prefix: str):
        return form_class(prefix=prefix, **({} if posted == prefix else {"formdata": None}))

    accept = bound(AcceptForm, "accept")
    types = db.session.scalars(select(ProcedureType).where(ProcedureType.active).order_by(ProcedureType.sort_order))
    # Each procedure names its stages and targets: the page offers only those once it is chosen (clinic.js).
    accept.procedure_type_id.choices = [
        SelectChoice(0, _("— choose —")),
        *(
            SelectChoice(
                t.id,
                f"{t.code}: {t.name(screen_language())}",
                render_kw={"data-stages": " ".join(stages_of(t)), "data-targets": " ".join(targets_of(t.code))},
            )
            for t in types
        ),
    ]
    if posted != "accept":
        accept.region.data = referral.planned_region or referral.region or ""
        accept.side.data = referral.planned_side or referral.side or ""
        accept.procedure_type_id.data = referral.planned_procedure_type_id or 0
        accept.levels.data = referral.planned_levels
        accept.stage.data = referral.planned_stage or ""
        accept.target.data = referral.planned_target or ""
        accept.guidance.data = referral.planned_guidance or "CT"
        accept.priority.data = referral.priority or Priority.ROUTINE
        accept.note.data = referral.triage_note  # a changed plan keeps the team's note unless it is edited
        accept.implant_mr_checked.data = implants.mr_check_stands(referral)
    return {
        "accept": accept,
        "decline": bound(ReasonForm, "decline"),
        "info": bound(ReasonForm, "info"),
        "waive": bound(ReasonForm, "waive"),
        "override": bound(HoldOverrideForm, "override"),
        "clear": bound(ReasonForm, "clear"),
    }


def _override_on_page(referral: Referral, hold_plan=None) -> bool:
    """Whether the page offers the hold override form: not for an ended referral, nor for a patient with no
    blood thinner to hold (no date to override)."""
    if referral.has_ended:
        return False
    if hold_plan is None:
        hold_plan = medication.referral_plan(db.session, referral, screen_language())
    return medication.has_drug_to_hold(referral, hold_plan)


def _page(referral: Referral, forms: dict | None = None, status: int = 200, **shown):
    studies = db.session.scalars(select(ImagingStudy).where(ImagingStudy.patient_id == referral.patient_id)).all()
    # The blood thinners beside the hold override: the radiologist decides it seeing the drugs and the plan.
    hold_plan = medication.referral_plan(db.session, referral, screen_language())
    stage_done = episodes.awaiting_outcome(db.session, referral) if referral.status == ReferralStatus.ACCEPTED else None
    return render_template(
        "radiology/triage_referral.html",
        referral=referral,
        studies=studies,
        medications=referral.preregistration.medications if referral.preregistration else [],
        drug_names=medication.drug_names(db.session),
        dose_labels=medication.DOSE_CLASS_LABELS,
        hold_plan=hold_plan,
        drug_to_hold=medication.has_drug_to_hold(referral, hold_plan),
        override_on_page=_override_on_page(referral, hold_plan),
        broken_holds=medication.broken_holds(db.session, referral, zone(), screen_language()) if hold_plan else [],
        plan_can_change=triage.plan_can_change(db.session, referral),
        stage_done=stage_done,
        # The outcome the next stage is planned on, with a conflict said (walk 27: a negative follow-up after
        # a positive one showed nowhere, and the neurolysis stayed bookable).
        stage_outcome=None if referral.has_ended else stages.outcome_to_show(db.session, referral, stage_done),
        implant_recorded=implants.implant_recorded(referral),
        implant_check_missing=referral.status == ReferralStatus.ACCEPTED
        and implants.mr_check_missing(referral, referral.planned_guidance),
        # For planning this referral's injection: a declined or closed referral plans none (walk finding: a
        # closed referral warned of a "repeat" of its own finished RFA).
        series_notes=[]
        if referral.has_ended
        else steroid.history_notes(
            db.session,
            zone(),
            referral.patient_id,
            local_today(),
            own=booking.active_appointment(db.session, referral.id),
        ),
        **(forms or _forms(referral)),
        **shown,
    ), status


@bp.get("/referrals/<int:referral_id>")
@roles(Role.RADIOLOGIST)
def triage_referral(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    return _page(referral)


def _act(referral: Referral, form_key: str, action, success: str, on_page=None, **shown):
    """``shown``: more for the page when the form is refused (which red flag's form was posted). ``on_page``:
    whether the page offers the form (a function of nothing; always, if not given): when it does not, a
    refusal at its fields is said in words, there being no field to mark."""
    forms = _forms(referral, posted=form_key)
    form = forms[form_key]
    if not form.validate_on_submit():
        if form_key not in FORMS_WITH_THEIR_OWN_BANNER:  # one banner per refusal, not two
            flash(correct_marked(form, on_page=on_page is None or on_page()), "danger")
        return _page(referral, forms, 422, **shown)
    try:
        action(form)
    except DomainError as error:
        if refused_at(form, error):  # the refusal names fields of the form: said there, under one banner
            if form_key not in FORMS_WITH_THEIR_OWN_BANNER:
                flash(correct_marked(form, on_page=on_page is None or on_page()), "danger")
        else:
            flash(refused(error), "danger")
        # A refused form keeps what was typed and answers 422, as every form does (the API says 400).
        return _page(referral, forms, 422 if isinstance(error, InvalidInput) else error.http_status, **shown)
    flash(success() if callable(success) else success, "success")
    return redirect(url_for("radiology.triage_referral", referral_id=referral.id))


def _act_with_reason(referral: Referral, form_key: str, change, success: str, target=None, **shown):
    """``_act`` for a form that gives only a reason: ``change(session, user, target, reason)``, the target
    being the referral unless given (a red flag)."""
    return _act(
        referral,
        form_key,
        lambda f: change(db.session, current_user, referral if target is None else target, f.reason.data),
        success,
        **shown,
    )


def _accepted_message(referral: Referral, was_accepted: bool, stage_done: bool = False) -> str:
    """What accepting (or changing the plan) means for booking (DESIGN.md §2: an open red flag blocks it).
    ``stage_done``: the plan was saved after its stage was done (``episodes.awaiting_outcome``)."""
    if referral.open_red_flags and was_accepted:
        return _("Plan changed. Booking waits until a radiologist has reviewed the open red flag.")
    if referral.open_red_flags:
        return _(
            "Accepted. Booking waits until a radiologist has reviewed the open red flag; the referral stays on "
            "the urgent list until then."
        )
    if stage_done:  # the decision the booking waited for (walk 26: "Plan changed" although nothing had)
        return _("Plan saved after the stage done. The front desk can book it.")
    if was_accepted:
        return _("Plan changed. The front desk books with the new plan.")
    return _("Accepted. The front desk can book once the pre-registration is complete.")


@bp.post("/referrals/<int:referral_id>/accept")
@lands_on("radiology.triage_referral")
@roles(Role.RADIOLOGIST)
def accept(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    was_accepted = referral.status == ReferralStatus.ACCEPTED
    stage_done = was_accepted and episodes.awaiting_outcome(db.session, referral) is not None
    return _act(
        referral,
        "accept",
        lambda f: triage.accept(
            db.session,
            current_user,
            referral,
            triage.PlanDetails(
                procedure_type_id=f.procedure_type_id.data,
                region=f.region.data or None,
                side=f.side.data or None,
                levels=f.levels.data,
                stage=f.stage.data or None,
                guidance=f.guidance.data or None,
                priority=f.priority.data,
                note=f.note.data,
                target=f.target.data or None,
                implant_mr_checked=f.implant_mr_checked.data,
            ),
        ),
        lambda: _accepted_message(referral, was_accepted, stage_done),
    )


@bp.post("/referrals/<int:referral_id>/implant-checked")
@lands_on("radiology.triage_referral")
@roles(Role.RADIOLOGIST)
def implant_checked(referral_id: int):
    """The implant confirmed as MR-conditional and checked, the plan unchanged (an appointment may be booked)."""
    referral = get_or_404(Referral, referral_id)
    back = url_for("radiology.triage_referral", referral_id=referral.id)
    appointment_id = request.form.get("appointment_id", type=int)
    return one_click(
        lambda: triage.confirm_implant_check(db.session, current_user, referral),
        done=_("Implant checked for MRI: the MRI-guided procedure can go ahead."),
        back=back,
        next_url=url_for("radiology.appointment", appointment_id=appointment_id) if appointment_id else back,
    )


@bp.post("/referrals/<int:referral_id>/decline")
@lands_on("radiology.triage_referral")
@roles(Role.RADIOLOGIST)
def decline(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    return _act_with_reason(
        referral,
        "decline",
        triage.decline,
        _("Declined. The reason is kept with the referral; please let the referring physician know."),
    )


@bp.post("/referrals/<int:referral_id>/request-information")
@lands_on("radiology.triage_referral")
@roles(Role.RADIOLOGIST)
def request_information(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    return _act_with_reason(referral, "info", triage.request_information, _("Information requested."))


@bp.post("/referrals/<int:referral_id>/reopen")
@lands_on("frontdesk.referral")
@roles(Role.RADIOLOGIST, Role.FRONT_DESK)
def reopen(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    return one_click(
        lambda: triage.reopen(db.session, current_user, referral),
        done=_("Back on the triage queue."),
        back=url_for("frontdesk.referral", referral_id=referral.id),
    )


def red_flag_page(answer_id: int) -> str:
    """Where a red flag's form is: its referral's triage page."""
    answer = get_or_404(RedFlagAnswer, answer_id)
    return url_for("radiology.triage_referral", referral_id=answer.referral_id, _anchor="red-flags")


@bp.post("/red-flags/<int:answer_id>/clear")
@lands_on(red_flag_page)
@roles(Role.RADIOLOGIST)
def clear_red_flag(answer_id: int):
    answer = get_or_404(RedFlagAnswer, answer_id)
    referral = answer.referral
    return _act_with_reason(
        referral, "clear", triage.clear_red_flag, _("Red flag reviewed."), target=answer, posted_flag_id=answer.id
    )


@bp.post("/referrals/<int:referral_id>/waive-imaging")
@lands_on("radiology.triage_referral")
@roles(Role.RADIOLOGIST)
def waive_imaging(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    return _act_with_reason(
        referral, "waive", triage.waive_imaging, _("Imaging requirement waived (recorded with your reason).")
    )


@bp.post("/referrals/<int:referral_id>/override-hold")
@lands_on("radiology.triage_referral", anchor="blood-thinners")
@roles(Role.RADIOLOGIST)
def override_hold(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    return _act(
        referral,
        "override",
        lambda f: triage.override_hold(
            db.session, current_user, referral, f.earliest.data, f.reason.data, today=local_today()
        ),
        _("Medication hold overridden (recorded with your reason)."),
        on_page=lambda: _override_on_page(referral),
    )
