"""The front desk and the patient's link: send, resend, revoke, unlock; confirm what the patient answered.

The referral and appointment pages include ``frontdesk/_portal.html``, which asks ``portal_panel`` for
the link's state, the answers waiting for confirmation and what the patient did through the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..i18n import screen_language
from ..models import Appointment, PortalAnswer, PortalLink, Referral
from ..models.vocab import ALLERGENS, Language, Role
from ..services import medication, portal_answers, portal_links, portal_mail, portal_settings
from ..web import get_or_404, lands_on, refused, zone
from . import bp
from .forms import CancelForm, condition_choices

ITEM_LABELS = {
    "contact": _l("Contact data and insurance"),
    "medication": _l("Medication questionnaire"),
    "allergies": _l("Allergies"),
    "conditions": _l("Conditions"),
    "escort": _l("Escort home"),
    "language": _l("Language"),
}
ACTIVITY_LABELS = {
    "sent": _l("link sent by email"),
    "revoked": _l("link revoked"),
    "unlocked": _l("link unlocked"),
    "opened": _l("link opened"),
    "verified": _l("date of birth given"),
    "birth_date_wrong": _l("wrong date of birth"),
    "locked": _l("locked after wrong dates of birth"),
    "refused": _l("opened while closed"),
    "answered": _l("answered a question"),
    "answer_confirmed": _l("answer confirmed"),
    "answer_closed": _l("answer closed"),
    "uploaded": _l("uploaded imaging"),
    "held": _l("chose a time (held)"),
    "released": _l("let a held time go"),
    "booked": _l("booked"),
    "moved": _l("moved the appointment"),
    "took_offer": _l("took an earlier time from the waitlist"),
    "cancelled": _l("cancelled"),
    "confirmed_attendance": _l("confirmed they will come"),
    "joined_waitlist": _l("asked for an earlier time"),
    "left_waitlist": _l("no longer wants an earlier time"),
}
# The names of what the patient sent (the answer's keys), as the confirmation list shows them.
FIELD_LABELS = {
    "phone": _l("Phone"),
    "email": _l("Email"),
    "street": _l("Street and number"),
    "postal_code": _l("Postal code"),
    "city": _l("City"),
    "insurance_name": _l("Insurance"),
    "insurance_number": _l("Insurance number"),
    "drugs": _l("Blood thinners"),
    "none": _l("No blood thinners"),
    "other": _l("Other"),
    "found": _l("Ticked"),
    "implant_note": _l("Which implant"),
    "note": _l("Notes"),
    "name": _l("Escort home"),
    "language": _l("Language"),
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
    """What the page's link section shows; it shows only while the portal is on or the link has a history
    (``_portal.html``), so without either the link and the answers waiting are not read (issue 20)."""
    on = portal_settings.enabled(db.session)
    activity = portal_links.activity(db.session, referral.id, appointment_id=appointment_id, limit=30)
    if not on and not activity:
        return Panel(enabled=False, link=None, url=None, answers=[], activity=[])
    link = portal_links.live_link(db.session, referral.id)
    url = portal_links.url_of(link, secret(), base_url()) if link is not None else None
    return Panel(
        enabled=bool(on),
        link=link,
        url=url,
        answers=portal_answers.pending(db.session, referral.id) if appointment_id is None else [],
        activity=activity,
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
        "fields": FIELD_LABELS,
        "payload": portal_answers.payload_of,
        # What the patient chose, by its label rather than its code ("apixaban" → "Apixaban"), in the
        # screen's language where the rule names the drug in German.
        "drugs": {
            code: (names[1] if screen_language() == "de" and names[1] else names[0])
            for code, names in medication.drug_names(db.session).items()
        },
        "doses": {code: _(text) for code, text in medication.DOSE_CLASS_LABELS.items()},
        # Allergens, conditions and languages by their words in the screen's language.
        "choices": {
            **{code: _(text) for code, text in ALLERGENS.items()},
            **condition_choices(),
            **{language.value: _(language.label) for language in Language},
        },
    }


def _back(referral: Referral, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor="portal"))


@bp.post("/referrals/<int:referral_id>/portal/send")
@lands_on("frontdesk.referral", anchor="portal")
@roles(Role.FRONT_DESK)
def portal_send(referral_id: int):
    """Send the link by email: made now if the referral has none, the same link again if it has."""
    referral = get_or_404(Referral, referral_id)
    if not portal_settings.is_on(db.session, portal_settings.PortalStep.LINKS):
        return _back(referral, _("The patient portal is turned off (Admin → Patient portal)."), "warning")
    try:
        link = portal_links.ensure(db.session, current_user, referral, secret())
        portal_mail.queue(db.session, current_user, link, base_url())
    except DomainError as error:
        return _back(referral, refused(error), "danger")
    return _back(referral, _("The link is on its way to %(email)s.", email=referral.patient.email))


@bp.post("/referrals/<int:referral_id>/portal/revoke")
@lands_on("frontdesk.referral", anchor="portal")
@roles(Role.FRONT_DESK)
def portal_revoke(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    link = portal_links.live_link(db.session, referral.id)
    if link is not None:
        portal_links.revoke(db.session, current_user, link)
    return _back(referral, _("The link is revoked: it no longer opens. Sending again makes a new one."), "info")


@bp.post("/referrals/<int:referral_id>/portal/unlock")
@lands_on("frontdesk.referral", anchor="portal")
@roles(Role.FRONT_DESK)
def portal_unlock(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    link = portal_links.live_link(db.session, referral.id)
    if link is None:
        return _back(referral, _("There is no live link to unlock."), "warning")
    portal_links.unlock(db.session, current_user, link)
    return _back(referral, _("Unlocked: the same link opens again with the date of birth."))


@bp.post("/referrals/<int:referral_id>/portal/answers/<int:answer_id>/confirm")
@lands_on("frontdesk.referral", anchor="portal")
@roles(Role.FRONT_DESK)
def portal_confirm_answer(referral_id: int, answer_id: int):
    referral = get_or_404(Referral, referral_id)
    try:
        answer = portal_answers.confirm(db.session, current_user, referral, answer_id, zone=zone())
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor="portal")), 303
    return _back(
        referral, _("%(item)s: the patient's answer is taken into the checklist.", item=ITEM_LABELS[answer.item])
    )


@bp.post("/referrals/<int:referral_id>/portal/answers/<int:answer_id>/close")
@lands_on("frontdesk.referral", anchor="portal")
@roles(Role.FRONT_DESK)
def portal_close_answer(referral_id: int, answer_id: int):
    referral = get_or_404(Referral, referral_id)
    form = CancelForm()  # one required text field: the reason
    note = form.reason.data if form.validate() else ""
    try:
        portal_answers.close(db.session, current_user, referral, answer_id, note)
    except DomainError as error:
        return _back(referral, refused(error), "danger")
    return _back(referral, _("The answer is closed."), "info")
