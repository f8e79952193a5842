"""Who may see a page of the link: the token finds the link, the date of birth opens it for a while.

After the date of birth, the browser's (signed) session remembers the link for ``PORTAL_IDLE_MINUTES``
of inactivity; every page checks the link again (revoked, locked, episode over), so a link staff revoke
stops working at once. Rates (Flask-Limiter, counts in memory unless RATELIMIT_STORAGE_URI says
otherwise): every request per token and per client address, and wrong dates of birth per address.
"""

from __future__ import annotations

import datetime as dt
import functools

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import db
from ..models import PortalLink
from ..scheduling.finder import Candidate
from ..services import portal_links, portal_settings
from ..services import settings as clinic_settings
from ..services.portal_links import LinkState
from ..web import now

SESSION_KEY = "portal"


# --- rates ------------------------------------------------------------------------------------------


def token_key() -> str:
    return "portal-token:" + portal_links.token_hash((request.view_args or {}).get("token", ""))[:32]


def address_key() -> str:
    return f"portal-address:{get_remote_address()}"


def birth_date_address_key() -> str:
    return f"portal-birth-date-address:{get_remote_address()}"


def per_token_rate() -> str:
    return current_app.config["PORTAL_TOKEN_RATE"]


def per_address_rate() -> str:
    return current_app.config["PORTAL_ADDRESS_RATE"]


def birth_date_failures_rate() -> str:
    return current_app.config["PORTAL_ADDRESS_BIRTH_DATE_FAILURES"]


def refused(response) -> bool:
    return response.status_code == 401


# --- the session ------------------------------------------------------------------------------------


def remember(link: PortalLink) -> None:
    session[SESSION_KEY] = {"link": link.id, "seen": now().timestamp()}


def forget() -> None:
    session.pop(SESSION_KEY, None)
    session.pop("portal_hold", None)


def is_verified(link: PortalLink) -> bool:
    mark = session.get(SESSION_KEY) or {}
    if mark.get("link") != link.id:
        return False
    idle = dt.timedelta(minutes=current_app.config["PORTAL_IDLE_MINUTES"])
    seen = dt.datetime.fromtimestamp(float(mark.get("seen", 0)), dt.UTC)
    return now() - seen <= idle


def steps() -> frozenset[str]:
    return portal_settings.enabled(db.session)


def clinic_phone() -> str:
    return clinic_settings.get(db.session, "clinic_phone")


def problem_page(status: int, kind: str, **context):
    return render_template(
        "portal/problem.html", kind=kind, status=status, phone=clinic_phone(), link=g.get("portal_link"), **context
    ), status


def verified(page: str, step: str | None = None):
    """A page of an opened link: the link open and the step on, the date of birth given in this
    browser recently. The view gets the link. Every opening of a page is audited as the patient."""

    def wrap(view):
        @functools.wraps(view)
        def run(token: str, **kwargs):
            link = g.get("portal_link")
            if link is None:
                return problem_page(404, "not_found")
            on = steps()
            if portal_settings.PortalStep.LINKS not in on:
                return problem_page(403, "portal_off")
            link_state = portal_links.state(link)
            if link_state != LinkState.OPEN:
                forget()
                return problem_page(403 if link_state != LinkState.LOCKED else 423, link_state.value)
            if not is_verified(link):
                return redirect(url_for("portal.entry", token=token))
            if step is not None and step not in on:
                return problem_page(403, "step_off")
            remember(link)  # the idle time starts again
            if request.method == "GET":
                portal_links.opened(db.session, link, page)
            return view(link, token=token, **kwargs)

        return run

    return wrap


# --- a chosen time, carried in the form, signed so that it cannot be altered ------------------------


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portal-time")


def sign_candidate(link: PortalLink, c: Candidate) -> str:
    return _signer().dumps(
        [
            link.id,
            c.room_id,
            c.radiologist_id,
            c.bed_id,
            c.table_start.isoformat(),
            c.table_end.isoformat(),
            c.obs_end.isoformat(),
        ]
    )


def unsign_candidate(signed: str) -> tuple[int, Candidate]:
    """The link id and the chain of a signed choice; raises on a bad signature or a changed value."""
    link_id, room, radiologist, bed, start, end, obs_end = _signer().loads(signed)
    times = (dt.datetime.fromisoformat(value) for value in (start, end, obs_end))
    return link_id, Candidate(room, radiologist, bed, *times)


def read_candidate(link: PortalLink, signed: str | None) -> Candidate | None:
    try:
        link_id, candidate = unsign_candidate(signed or "")
    except (BadSignature, ValueError, TypeError):
        return None
    return candidate if link_id == link.id else None


# --- what a refusal says, in the patient's words ----------------------------------------------------


def message(code: str) -> str:
    messages = {
        "slot_taken": _("Someone else has just taken this time. Here are the next free times."),
        "hold_lapsed": _("The time was kept for you for a few minutes only. Please choose a time again."),
        "not_ready": _("We cannot offer times yet: the front desk still needs to check some of your answers."),
        "medication_hold": _("Because of your medicines, this time is too early. Please choose a later one."),
        "steroid_interval": _("Your injections need at least a week between them. Please choose another time."),
        "too_soon": _("Times within the next 24 hours cannot be booked online. Please call us."),
        "too_late": _("Your appointment is less than 24 hours away: it can no longer be changed online."),
        "already_booked": _("There is already an appointment for you."),
        "reason_needed": _("Please give a short reason."),
        "contact_needed": _("Please give a telephone number or an email address."),
        "address_needed": _("Please give your full postal address."),
        "insurance_needed": _("Please give your health insurer and your insurance number."),
        "bad_email": _("That email address does not look right."),
        "none_and_some": _("Please either tick 'no blood-thinning medicines' or name the ones you take."),
        "medication_needed": _("Please name the blood-thinning medicines you take, or tick that you take none."),
        "implant_note_needed": _("Please say which pacemaker or implant you have."),
        "escort_needed": _("Please name the adult who takes you home."),
        "last_dose_before_birth": _("Please check the year of the last dose."),
        "last_dose_implausible": _(
            "Please check the date of the last dose: it cannot be more than a year ago, nor after your "
            "appointment, nor more than 90 days from today."
        ),
        "bad_phone": _("That telephone number does not look right. Please use digits only, e.g. 040 1234 5670."),
    }
    return messages.get(code, _("That did not work. Please try again, or call us."))
