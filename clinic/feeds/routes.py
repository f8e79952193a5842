"""The feed URL (token in the path; unknown or revoked → 404) and the admin screens for feeds."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import DataRequired

from ..auth.access import public, roles
from ..core.errors import DomainError
from ..extensions import db
from ..forms import FlaskForm
from ..models import Room, User, UserRole
from ..models.vocab import Role
from ..services import feeds
from ..web import lands_on, now, refused, shows_page_after_post
from . import bp, ical

INVALID = 422


@bp.get("/feeds/<string:token>.ics")
@public
def calendar(token: str):
    feed = feeds.by_token(db.session, token)
    if feed is None:
        abort(404)
    at = now()
    body = ical.render(feed.owner_label, feeds.events(db.session, feed, at), current_app.config["CLINIC_TIMEZONE"], at)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="clinic.ics"', "Cache-Control": "private, no-store"},
    )


# The refusals of the feeds service (which knows no Flask), listed for the catalogue: the screens look each
# message up with gettext (the screens' blueprints do not import each other, so not clinic.admin.refusals).
FEED_REFUSALS = (
    _l("A feed belongs to one radiologist or one room."),
    _l("There is no such feed."),
    _l("There is no such radiologist."),
    _l("There is no such room."),
)


class FeedForm(FlaskForm):
    owner = SelectField(_l("Calendar of"), validators=[DataRequired(_l("Choose a radiologist or a room."))])


def _owners() -> list[tuple[str, str]]:
    radiologists = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.RADIOLOGIST, User.active).order_by(User.full_name)
    )
    rooms = db.session.scalars(select(Room).where(Room.active).order_by(Room.sort_order, Room.name))
    return [(f"radiologist:{u.id}", u.full_name) for u in radiologists] + [
        (f"room:{r.id}", _("Room %(name)s", name=r.name)) for r in rooms
    ]


def _page(form: FeedForm, *, new_url: str | None = None, status: int = 200):
    return render_template("feeds/admin.html", form=form, feeds=feeds.listing(db.session), new_url=new_url), status


@bp.get("/admin/calendar-feeds")
@roles(Role.ADMIN)
def admin_list():
    form = FeedForm()
    form.owner.choices = _owners()
    return _page(form)


@bp.post("/admin/calendar-feeds")
@roles(Role.ADMIN)
@shows_page_after_post("the new address is shown once, in this answer only")
def admin_create():
    form = FeedForm()
    form.owner.choices = _owners()
    if not form.validate_on_submit():
        return _page(form, status=INVALID)
    kind, _sep, ident = form.owner.data.partition(":")
    try:
        token = feeds.create(db.session, current_user, **{f"{kind}_id": int(ident)})
    except DomainError as error:
        form.owner.errors = [refused(error)]
        return _page(form, status=error.http_status)
    # Shown once, in this response only: neither stored nor put into the session cookie.
    return _page(form, new_url=url_for("feeds.calendar", token=token, _external=True))


@bp.post("/admin/calendar-feeds/<int:feed_id>/revoke")
@lands_on("feeds.admin_list")
@roles(Role.ADMIN)
def admin_revoke(feed_id: int):
    try:
        feed = feeds.revoke(db.session, feed_id)
    except DomainError as error:
        flash(refused(error), "danger")
    else:
        flash(
            _(
                "The feed %(prefix)s… of %(owner)s is revoked: its URL now answers 404.",
                prefix=feed.prefix,
                owner=feed.owner_label,
            ),
            "success",
        )
    return redirect(url_for("feeds.admin_list"))
