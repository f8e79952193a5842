"""The front desk and the patient's link: send, resend, revoke, unlock; confirm what the patient answered.

The referral and appointment pages include ``frontdesk/_portal.html``, which asks ``portal_panel`` for
the link's state, the answers waiting for confirmation and what the patient did through the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..models import Appointment, PortalAnswer, PortalLink, Referral
from ..models.vocab import ALLERGENS, Language, Role
from ..services import medication, portal_answers, portal_links, portal_mail, portal_settings
from ..web import get_or_404, refused
from . import bp
from .forms import CancelForm, ConditionsForm

LANGUAGE_LABELS = {language.value: language.label for language in Language}

ITEM_LABELS = {
    "contact": "Contact data and insurance",
    "medication": "Medication questionnaire",
    "allergies": "Allergies",
    "conditions": "Conditions",
    "escort": "Escort home",
    "language": "Language",
}
ACTIVITY_LABELS = {
    "sent": "link sent by email",
    "revoked": "link revoked",
    "unlocked": "link unlocked",
    "opened": "link opened",
    "verified": "date of birth given",
    "birth_date_wrong": "wrong date of birth",
    "locked": "locked after wrong dates of birth",
    "refused": "opened while closed",
    "answered": "answered a question",
    "answer_confirmed": "answer confirmed",
    "answer_closed": "answer closed",
    "uploaded": "uploaded imaging",
    "held": "chose a time (held)",
    "released": "let a held time go",
    "booked": "booked",
    "moved": "moved the appointment",
    "took_offer": "took an earlier time from the waitlist",
    "cancelled": "cancelled",
    "confirmed_attendance": "confirmed they will come",
    "joined_waitlist": "asked for an earlier time",
    "left_waitlist": "no longer wants an earlier time",
}


def base_url() -> str:
    """Where patients reach the app: PORTAL_BASE_URL (behind a proxy), else this request's own."""
    return current_app.config.get("PORTAL_BASE_URL") or request.url_root


def secret() -> str:
    return current_app.config["SECRET_KEY"]


@dataclass(frozen=True)
class Panel:
    enabled: bool
    link: PortalLink | None
    url: str | None
    answers: list[PortalAnswer]
    activity: list


@bp.app_template_global()
def portal_panel(referral: Referral, appointment_id: int | None = None) -> Panel:
    on = portal_settings.enabled(db.session)
    link = portal_links.live_link(db.session, referral.id)
    url = portal_links.url_of(link, secret(), base_url()) if link is not None else None
    return Panel(
        enabled=bool(on),
        link=link,
        url=url,
        answers=portal_answers.pending(db.session, referral.id) if appointment_id is None else [],
        activity=portal_links.activity(db.session, referral.id, appointment_id=appointment_id, limit=30),
    )


def letter_portal_url(appointment: Appointment) -> str | None:
    """The patient's link for the appointment letter: the referral's live link (made now if it has
    none) while the portal is on and the episode lasts; None prints the letter without it."""
    referral = appointment.referral
    if referral is None or not portal_settings.is_on(db.session, portal_settings.PortalStep.LINKS):
        return None
    if portal_links.episode_ended(referral):
        return None
    link = portal_links.ensure(db.session, current_user, referral, secret())
    return portal_links.url_of(link, secret(), base_url())


@bp.app_template_global()
def portal_labels() -> dict:
    return {
        "items": ITEM_LABELS,
        "activity": ACTIVITY_LABELS,
        "payload": portal_answers.payload_of,
        # What the patient chose, by its label rather than its code ("apixaban" → "Apixaban").
        "drugs": {code: names[0] for code, names in medication.drug_names(db.session).items()},
        "doses": medication.DOSE_CLASS_LABELS,
        "choices": {**ALLERGENS, **dict(ConditionsForm.found.kwargs["choices"]), **LANGUAGE_LABELS},
    }


def _back(referral: Referral, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor="portal"))


@bp.post("/referrals/<int:referral_id>/portal/send")
@roles(Role.FRONT_DESK)
def portal_send(referral_id: int):
    """Send the link by email: made now if the referral has none, the same link again if it has."""
    referral = get_or_404(Referral, referral_id)
    if not portal_settings.is_on(db.session, portal_settings.PortalStep.LINKS):
        return _back(referral, "The patient portal is turned off (Admin → Patient portal).", "warning")
    try:
        link = portal_links.ensure(db.session, current_user, referral, secret())
        portal_mail.queue(db.session, current_user, link, base_url())
    except DomainError as error:
        return _back(referral, refused(error), "danger")
    return _back(referral, f"The link is on its way to {referral.patient.email}.")


@bp.post("/referrals/<int:referral_id>/portal/revoke")
@roles(Role.FRONT_DESK)
def portal_revoke(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    link = portal_links.live_link(db.session, referral.id)
    if link is not None:
        portal_links.revoke(db.session, current_user, link)
    return _back(referral, "The link is revoked: it no longer opens. Sending again makes a new one.", "info")


@bp.post("/referrals/<int:referral_id>/portal/unlock")
@roles(Role.FRONT_DESK)
def portal_unlock(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    link = portal_links.live_link(db.session, referral.id)
    if link is None:
        return _back(referral, "There is no live link to unlock.", "warning")
    portal_links.unlock(db.session, current_user, link)
    return _back(referral, "Unlocked: the same link opens again with the date of birth.")


@bp.post("/referrals/<int:referral_id>/portal/answers/<int:answer_id>/confirm")
@roles(Role.FRONT_DESK)
def portal_confirm_answer(referral_id: int, answer_id: int):
    referral = get_or_404(Referral, referral_id)
    try:
        answer = portal_answers.confirm(db.session, current_user, referral, answer_id)
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor="portal")), 303
    return _back(referral, f"{ITEM_LABELS[answer.item]}: the patient's answer is taken into the checklist.")


@bp.post("/referrals/<int:referral_id>/portal/answers/<int:answer_id>/close")
@roles(Role.FRONT_DESK)
def portal_close_answer(referral_id: int, answer_id: int):
    referral = get_or_404(Referral, referral_id)
    form = CancelForm()  # one required text field: the reason
    note = form.reason.data if form.validate() else ""
    try:
        portal_answers.close(db.session, current_user, referral, answer_id, note)
    except DomainError as error:
        return _back(referral, refused(error), "danger")
    return _back(referral, "The answer is closed.", "info")
