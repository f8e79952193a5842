"""The audit trail. Every flush of clinical or administrative data writes events automatically
(actor, action, object, what changed); opening a patient's record is recorded explicitly.

The acting user travels with the session (``set_actor``): the request boundary sets it for web and
API requests, jobs and commands set their own. Services that take ``actor`` arguments pass it on.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Text, event, insert, inspect, select
from sqlalchemy.orm import Session

from ..models import Appointment, AuditEvent, ObservationRecord, ProcedureRecord, Referral
from ..models.base import utcnow

ACTOR_KEY = "audit_actor"
PENDING_KEY = "audit_pending"
PATIENTS_KEY = "audit_patients"  # patients this session's work has already written events about

# Tables whose rows are bookkeeping rather than clinical or administrative data.
NOT_AUDITED = {
    "audit_events",
    "job_runs",
    "bookings",
    "appointment_events",
    "stored_files",
    "outbox_messages",
    "idempotent_requests",
    "change_marks",  # a count, raised on the connection (clinic.core.changes), never through the session
    "change_scopes",  # what each change touched, written with the mark on the connection (clinic.core.changes)
    # Recorded by their services with the values before and after (``services.settings.update``, the portal's
    # steps): a row's own event said only "changed" of the text column, and was a second event per change.
    "clinic_settings",
    # Recorded by ``services.restart_calls.record_call`` with the drug's name, the agreed restart in the clinic's
    # time and the note (the row's own event named the patient only); a call is never changed after.
    "restart_calls",
    # Recorded by ``services.procedure_day.release_critical`` as "observation.critical_released" with the values
    # and the reason (walk 27: the row's event said "Observation changed", the reason only "changed").
    "critical_releases",
}
# Columns whose changes their service records as events of their own: a change of them alone writes no row
# event. Walk 25: every login also wrote "User changed: Last login 07.12.2026 09:49 → 07.12.2026 09:49" beside
# "Logged in" (``accounts.authenticate`` records "login.succeeded" and "login.failed").
OWN_EVENT_COLUMNS = {
    "users": {"last_login_at", "failed_logins"},
    # The latest release of critical values: recorded as "observation.critical_released" (see NOT_AUDITED).
    "observation_records": {
        "critical_released_at",
        "critical_released_by_id",
        "critical_release_reason",
        "critical_released_check_id",
    },
}
# Never copied into a summary, not even as a before/after value.
SECRET_COLUMNS = {"password_hash", "token_hash", "session_version", "failed_logins", "body"}
MAX_VALUE_LENGTH = 60
# Rows whose creation is the clinical record itself (a drug given, a nurse's check): their event keeps the
# values recorded, as a change's event keeps what changed (walk 22: "Observation check created" said neither
# whose check it was nor what was measured). A long text (a check's note) is left to the record.
CREATED_VALUES = {
    "observation_checks": ("systolic", "diastolic", "pulse", "pain_score", "motor_normal", "sensory_normal"),
    "procedure_drugs": ("drug_option_id", "dose", "unit"),
}
# The patient of a row that names only its observation or procedure record: (column, the record's model).
PATIENT_THROUGH = {
    "observation_checks": ("observation_id", ObservationRecord),
    "procedure_drugs": ("record_id", ProcedureRecord),
    "procedure_addenda": ("record_id", ProcedureRecord),
}


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str


SYSTEM = Actor(None, "system")


def actor_of(user) -> Actor:
    if user is None:
        return SYSTEM
    if isinstance(user, Actor):
        return user
    return Actor(user.id, user.username)


def set_actor(session: Session, user) -> None:
    session.info[ACTOR_KEY] = actor_of(user)
    session.info[PATIENTS_KEY] = set()


def patients_audited(session: Session) -> set[int]:
    return session.info.setdefault(PATIENTS_KEY, set())


def current_actor(session: Session) -> Actor:
    return session.info.get(ACTOR_KEY, SYSTEM)


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: object = None,
    *,
    summary: str | dict | None = None,
    patient_id: int | None = None,
    actor=None,
) -> AuditEvent:
    who = actor_of(actor) if actor is not None else current_actor(session)
    if isinstance(summary, dict):
        summary = json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str)
    event_row = AuditEvent(
        actor_id=who.id,
        actor_name=who.name,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        patient_id=patient_id,
        summary=summary,
        at=utcnow(),
    )
    session.add(event_row)
    if patient_id is not None:
        patients_audited(session).add(patient_id)
    return event_row


def _patient_id(obj) -> int | None:
    if obj.__tablename__ == "patients":
        return obj.id
    return getattr(obj, "patient_id", None)


def _patient_via(session: Session, obj) -> int | None:
    """The patient of a row that names only its appointment or referral (a consent, a record), or only the
    observation or procedure record it belongs to (a check, a drug given, an addendum)."""
    through = PATIENT_THROUGH.get(obj.__tablename__)
    if through is not None:
        attribute, model = through
        value = getattr(obj, attribute, None)
        if value is None:
            return None
        return (
            session.connection()
            .execute(
                select(Appointment.patient_id)
                .join(model, model.appointment_id == Appointment.id)
                .where(model.id == value)
            )
            .scalar()
        )
    for attribute, model in (("appointment_id", Appointment), ("referral_id", Referral)):
        value = getattr(obj, attribute, None)
        if value is not None:
            return session.connection().execute(select(model.patient_id).where(model.id == value)).scalar()
    return None


def _short(value) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def _same(old: object, new: object) -> bool:
    """Whether a column's old and new values are the same: an instant stored without its zone is UTC, so it
    equals the same instant given with one (Python says they differ)."""
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return (old if old.tzinfo else old.replace(tzinfo=dt.UTC)) == (
            new if new.tzinfo else new.replace(tzinfo=dt.UTC)
        )
    return old == new


def _changes(session: Session, obj) -> dict:
    state = inspect(obj)
    changed: dict = {}
    unknown_old: list = []
    own_events = OWN_EVENT_COLUMNS.get(obj.__tablename__, set())
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in {"updated_at", "version"} or key in own_events:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        column = attr.columns[0]
        if key in SECRET_COLUMNS or isinstance(column.type, Text):
            changed[key] = "(changed)"
            continue
        new = history.added[0] if history.added else None
        if history.deleted:
            if not _same(history.deleted[0], new):
                changed[key] = [_short(history.deleted[0]), _short(new)]
        else:
            # The attribute was expired (e.g. after a commit) before it was set: fetch the stored value.
            changed[key] = [None, _short(new)]
            unknown_old.append((key, column, new))
    if unknown_old and state.identity is not None:
        pk = [c == v for c, v in zip(state.mapper.primary_key, state.identity, strict=True)]
        row = session.connection().execute(select(*[c for _k, c, _n in unknown_old]).where(*pk)).first()
        if row is not None:
            for (key, _column, new), value in zip(unknown_old, row, strict=True):
                if _same(value, new):  # set again to what it was (walk: "Begonnen am 09:00 → 09:00")
                    del changed[key]
                else:
                    changed[key][0] = _short(value)
    return changed


def _created_values(obj) -> dict | None:
    """The values a new row of ``CREATED_VALUES`` was recorded with, those given (a check without a pulse
    names no pulse)."""
    values = {key: _short(getattr(obj, key)) for key in CREATED_VALUES[obj.__tablename__]}
    return {key: value for key, value in values.items() if value is not None} or None


def _before_flush(session: Session, _flush_context, _instances) -> None:
    pending = session.info.setdefault(PENDING_KEY, [])
    for obj in session.new:
        if getattr(obj, "__tablename__", None) and obj.__tablename__ not in NOT_AUDITED:
            pending.append((obj, "create", None))
    for obj in session.dirty:
        if obj.__tablename__ in NOT_AUDITED or not session.is_modified(obj, include_collections=False):
            continue
        changes = _changes(session, obj)
        if changes:
            pending.append((obj, "update", changes))
    for obj in session.deleted:
        if obj.__tablename__ not in NOT_AUDITED:
            pending.append((obj, "delete", None))


def _after_flush(session: Session, _flush_context) -> None:
    pending = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    who = current_actor(session)
    now = utcnow()
    rows = []
    for obj, verb, changes in pending:
        # The primary key as flushed (a new row's identity key is only set after this event).
        ident = inspect(obj).mapper.primary_key_from_instance(obj)
        if all(part is None for part in ident):
            ident = None
        if verb == "create" and obj.__tablename__ in CREATED_VALUES:
            changes = _created_values(obj)
        rows.append(
            {
                "at": now,
                "actor_id": who.id,
                "actor_name": who.name,
                "action": f"{obj.__tablename__}.{verb}",
                "object_type": obj.__tablename__,
                "object_id": None if ident is None else ":".join(str(i) for i in ident),
                "patient_id": _patient_id(obj) or _patient_via(session, obj),
                "summary": json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str) if changes else None,
            }
        )
    session.connection().execute(insert(AuditEvent.__table__), rows)
    patients_audited(session).update(row["patient_id"] for row in rows if row["patient_id"] is not None)


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
