"""The admin index and the audit trail; the setup screens (issue 9) live in their own modules."""

import datetime as dt

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.access import roles
from ..core.numbers import whole
from ..core.timefmt import local_midnight
from ..extensions import db
from ..i18n import say
from ..models import Patient
from ..models.vocab import Role
from ..services import audit_query
from ..services.audit_query import AuditFilter, statement
from . import bp
from .display import HELPERS
from .forms import AuditFilterForm

ADMIN_SECTIONS = [
    (
        "admin.procedures",
        _l("Procedure catalogue"),
        _l("Codes, names, times, bleeding class, stage rules, qualified radiologists"),
    ),
    ("admin.rooms", _l("Rooms and beds"), _l("CT and MRI rooms, observation beds")),
    ("admin.sessions", _l("Session templates"), _l("When each room is open, week by week")),
    ("admin.rosters", _l("Rosters"), _l("Radiologists on duty, with dated exceptions")),
    ("admin.closures", _l("Closures"), _l("Holidays, maintenance and absences")),
    ("admin.users", _l("Users"), _l("Accounts, roles, passwords, API tokens")),
    ("feeds.admin_list", _l("Calendar feeds"), _l("Private calendar addresses per radiologist and room")),
    ("admin.texts", _l("Document texts"), _l("Information sheets and consent forms, by procedure and language")),
    ("admin.hold_rules", _l("Medication hold rules"), _l("Anticoagulant and antiplatelet holds by bleeding class")),
    (
        "admin.stranded",
        _l("Appointments to reschedule"),
        _l("Booked appointments that no longer fit the clinic's setup"),
    ),
    ("admin.settings", _l("Clinic settings"), _l("Name, address, arrival time, reminders, follow-up")),
    ("admin.portal", _l("Patient portal"), _l("What patients may do through their personal link")),
    ("admin.outbox", _l("Outbox"), _l("Emails sent and waiting, with their delivery state")),
    ("admin.audit", _l("Audit trail"), _l("Who changed what, and who opened which record")),
]


@bp.context_processor
def admin_helpers() -> dict:
    return HELPERS


@bp.get("/")
@roles(Role.ADMIN)
def index():
    return render_template("admin/index.html", admin_sections=ADMIN_SECTIONS, endpoints=set(current_app.view_functions))


@bp.get("/audit")
@roles(Role.ADMIN)
def audit():
    form = AuditFilterForm(request.args)
    # The codes are the filters' values; the choices read as words, in the screen's language.
    actors = {name: say(audit_query.actor_label(name, is_user)) for name, is_user in audit_query.actors(db.session)}
    form.actor.choices = _choices(_("Anyone"), actors, form.actor.data)
    actions = {value: say(label) for value, label in audit_query.action_choices(db.session).items()}
    form.action.choices = _choices(_("Any"), actions, form.action.data)
    objects = {code: say(audit_query.object_label(code)) for code in audit_query.object_types(db.session)}
    form.object_type.choices = _choices(_("Any"), objects, form.object_type.data)
    zone = current_app.config["CLINIC_TIMEZONE"]
    if not form.validate():
        # A filter that cannot be read lists nothing (not the whole trail under its error): the field says
        # what is wrong and keeps what was typed.
        return render_template("admin/audit.html", form=form, page=None), 400
    f = AuditFilter(
        actor=form.actor.data or None,
        action=(form.action.data or "").strip() or None,
        object_type=form.object_type.data or None,
        object_id=(form.object_id.data or "").strip() or None,
        patient_id=form.patient_id.data,
        since=local_midnight(form.since.data, zone) if form.since.data else None,
        until=local_midnight(form.until.data + dt.timedelta(days=1), zone) if form.until.data else None,
    )
    page = db.paginate(statement(f), page=request.args.get("page", 1, type=whole), per_page=50, error_out=False)
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    patient_ids = {e.patient_id for e in page.items if e.patient_id}
    patients = (
        {p.id: p for p in db.session.scalars(select(Patient).where(Patient.id.in_(patient_ids)))} if patient_ids else {}
    )
    locale = current_app.config["CLINIC_LOCALE"]
    names = audit_query.names(db.session, page.items)  # rooms, beds, users, procedures by id: one query
    changes = {e.id: audit_query.changes(e, zone, locale, names) for e in page.items}
    object_names = {e.id: audit_query.object_name(e, names) for e in page.items}
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        params=params,
        patients=patients,
        changes=changes,
        objects=object_names,
        action_label=audit_query.action_label,
        object_label=audit_query.object_label,
        actor_label=audit_query.actor_label,
    )


def _choices(anything: str, labels: dict[str, str], chosen: str | None) -> dict[str, str]:
    """A filter's choices by their words (sorted as read); a value asked for that the trail does not hold
    (an address kept from before) stays chosen, shown as it is."""
    choices = dict(sorted(labels.items(), key=lambda item: item[1].casefold()))
    if chosen and chosen not in choices:
        choices[chosen] = chosen
    return {"": anything, **choices}


# The setup screens register their routes on the blueprint when imported.
from . import catalogue, closures, holds, resources, schedules, settings_view, texts, users  # noqa: E402,F401
