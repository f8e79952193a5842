"""Opening a link: the date of birth, and the overview the patient lands on."""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.access import public
from ..core.errors import DomainError
from ..extensions import db, limiter
from ..services import documents, portal_answers, portal_booking, portal_links, portal_settings, preregistration
from ..services.portal_links import LinkState
from ..web import lands_on, pdf_response, scheduling_settings
from . import access, bp, render
from .forms import BirthDateForm, EmptyForm


@bp.route("/<token>", methods=["GET", "POST"])
@public
@limiter.limit(
    access.birth_date_failures_rate,
    key_func=access.birth_date_address_key,
    methods=["POST"],
    deduct_when=access.refused,
    override_defaults=False,  # the blueprint's limits per token and per address still apply
)
def entry(token: str):
    link = g.get("portal_link")
    if link is None:
        return access.problem_page(404, "not_found")
    if portal_settings.PortalStep.LINKS not in access.steps():
        return access.problem_page(403, "portal_off")
    link_state = portal_links.state(link)
    if link_state != LinkState.OPEN:
        access.forget()
        return access.problem_page(423 if link_state == LinkState.LOCKED else 403, link_state.value)
    if access.is_verified(link):
        return redirect(url_for("portal.home", token=token))
    form = BirthDateForm()
    if not form.is_submitted():
        portal_links.record(db.session, link, "opened")
        return render("portal/entry.html", form=form)
    if not form.validate():
        return render("portal/entry.html", 422, form=form)
    try:
        birth_date = dt.date(form.year.data, form.month.data, form.day.data)
    except ValueError:
        # 31.02. is a slip of the fingers, not a guess: said so and not counted (it tells nobody anything;
        # the throttles per link and per address still apply).
        form.day.errors = [_("That day does not exist in that month. Please check the date.")]
        return render("portal/entry.html", 422, form=form)
    result = portal_links.verify(
        db.session, link, birth_date, max_failures=current_app.config["PORTAL_MAX_BIRTH_DATE_FAILURES"]
    )
    if result.ok:
        access.remember(link)
        return redirect(url_for("portal.home", token=token))
    # The wrong try is counted and audited although the answer is an error (as the staff login does).
    db.session.commit()
    if result.locked:
        return access.problem_page(401, "locked")
    form.year.errors = [
        ngettext(
            "This date of birth does not match. You have %(num)d more try.",
            "This date of birth does not match. You have %(num)d more tries.",
            result.tries_left,
        )
    ]
    return render("portal/entry.html", 401, form=form)


@bp.get("/<token>/home")
@public
@access.verified("home")
def home(link, token: str):
    referral = link.referral
    on = access.steps()
    items = {i.key: i for i in preregistration.checklist(db.session, referral, people=False)}
    appointment = portal_booking.active_appointment(db.session, referral.id)
    rules = portal_rules()
    settings = scheduling_settings()
    changeable = appointment is not None and portal_booking.can_change(settings, appointment, rules)
    offers = []
    if appointment is not None and "waitlist" in on:
        offers = portal_booking.earlier_offers(db.session, settings, link, appointment, rules)
    return render(
        "portal/home.html",
        referral=referral,
        patient=link.patient,
        steps=on,
        items=items,
        answers=portal_answers.latest(db.session, referral.id),
        ready=not preregistration.missing(list(items.values())),
        appointment=appointment,
        changeable=changeable,
        waitlisted=portal_booking.waitlist_entry(db.session, referral.id),
        offers=offers,
        sign=lambda c: access.sign_candidate(link, c),
        phone=access.clinic_phone(),
        button=EmptyForm(),
    )


@bp.get("/<token>/information.pdf")
@public
@access.verified("information sheet")
def information_sheet(link, token: str):
    procedure = link.referral.planned_procedure_type
    if procedure is None:
        return access.problem_page(404, "not_found")
    try:
        data = documents.information_sheet_pdf(db.session, procedure, link.patient.preferred_language)
    except DomainError:
        return access.problem_page(404, "no_sheet")
    return pdf_response(data, f"information-{procedure.code}.pdf")


@bp.post("/<token>/leave")
@lands_on("portal.entry")
@public
def leave(token: str):
    """End the session in this browser (a shared computer)."""
    EmptyForm().validate()
    access.forget()
    flash(_("You have left your page. The link opens again with your date of birth."), "info")
    return redirect(url_for("portal.entry", token=token))


def portal_rules() -> portal_booking.PortalRules:
    """The portal's booking rules from the configuration (how far ahead, how long a held time waits)."""
    return portal_booking.PortalRules(
        lead=dt.timedelta(hours=current_app.config["PORTAL_LEAD_HOURS"]),
        hold_minutes=current_app.config["PORTAL_HOLD_MINUTES"],
    )
