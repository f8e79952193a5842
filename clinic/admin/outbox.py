"""The outbox screen (issue 7): emails sent and waiting, with filters and resend."""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from ..auth.access import roles
from ..core.errors import DomainError
from ..core.numbers import whole
from ..core.timefmt import local_midnight
from ..extensions import db
from ..forms import FlaskForm, not_before, shown_day
from ..models import JobRun
from ..models.vocab import OutboxStatus, Role
from ..services import outbox as outbox_service
from ..templating import label
from ..web import lands_on, refused
from . import bp

FILTERS = ("status", "kind", "recipient", "since", "until")
PER_PAGE = 50


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only filter sent by GET

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("Any")), *(SelectChoice(v, _l(label)) for v, label in OutboxStatus.choices())],
        validators=[Optional()],
    )
    kind = SelectField(_l("Kind"), choices=[], validators=[Optional()], validate_choice=False)
    recipient = StringField(_l("Recipient contains"), validators=[Optional(), Length(max=254)])
    # Of the day created; labelled as the range's message names them ("To" cannot be before "From").
    since = DateField(_l("From"), validators=[Optional(), shown_day])
    until = DateField(_l("To (inclusive)"), validators=[Optional(), shown_day, not_before("since")])


def _filter(form: OutboxFilterForm, zone: str) -> outbox_service.OutboxFilter:
    return outbox_service.OutboxFilter(
        status=form.status.data or None,
        kind=form.kind.data or None,
        recipient=(form.recipient.data or "").strip() or None,
        since=local_midnight(form.since.data, zone) if form.since.data else None,
        until=local_midnight(form.until.data + dt.timedelta(days=1), zone) if form.until.data else None,
    )


@bp.get("/outbox")
@roles(Role.ADMIN)
def outbox():
    form = OutboxFilterForm(request.args)
    form.kind.choices = [
        SelectChoice("", _("Any")),
        *(SelectChoice(k, label(k, "MessageKind")) for k in outbox_service.kinds(db.session)),
    ]
    valid = form.validate()
    # A filter that cannot be read lists nothing (not every message under its error): the field says what is
    # wrong and keeps what was typed.
    page = (
        db.paginate(
            outbox_service.statement(_filter(form, current_app.config["CLINIC_TIMEZONE"])),
            page=request.args.get("page", 1, type=whole),
            per_page=PER_PAGE,
            error_out=False,
        )
        if valid
        else None
    )
    last_sender_run = db.session.scalar(
        select(JobRun).where(JobRun.job == "send_outbox").order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)
    )
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/outbox.html",
        form=form,
        page=page,
        params=params,
        counts=outbox_service.counts(db.session),
        mail_configured=bool(current_app.config.get("SMTP_HOST")),
        mail_from=current_app.config.get("MAIL_FROM", ""),
        last_sender_run=last_sender_run,
        not_configured=outbox_service.NOT_CONFIGURED,
        resendable=set(outbox_service.RESENDABLE),
    ), (200 if valid else 400)


@bp.post("/outbox/<int:message_id>/resend")
@lands_on("admin.outbox")
@roles(Role.ADMIN)
def outbox_resend(message_id: int):
    try:
        message = outbox_service.resend(db.session, current_user, message_id)
    except DomainError as error:
        flash(refused(error), "danger")
    else:
        flash(_("The message to %(recipient)s is queued to be sent again.", recipient=message.recipient), "success")
    # Back to the list as the admin had filtered it (the form carries the filters along).
    back = {k: request.form[k] for k in (*FILTERS, "page") if request.form.get(k)}
    return redirect(url_for("admin.outbox", **back))
