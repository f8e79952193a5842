"""The count of committed transactions that changed data, for memos that must never outlive the data
they were computed from.

Every session counts its own changes: a flush that wrote a row of any table but the audit trail and the
scheduler's run records, or an UPDATE, DELETE or INSERT sent through the session, marks the transaction.
A marked transaction raises the mark (``change_marks``, one row) as its last statement before COMMIT, in
the same transaction: the new data and the new mark become visible together, in every process (gunicorn
workers, the scheduler, the DICOM process). A memo read under mark ``n`` is therefore at least as new as
every change counted up to ``n``, and a change is never visible while an older memo still looks current.

With the mark, the transaction writes its scope (``change_scopes``): the patients whose rows it wrote
(a row of a patient's own table, or of a table under one: a referral's pre-registration, an appointment's
consent), and the tables it wrote rows of that belong to no patient, or wrote by a bulk statement. A memo
kept under mark ``m`` and read under ``n`` then reads again only what the scopes ``m+1 .. n`` name
(``touched``); a scope it cannot find (kept for the last ``KEPT`` changes) makes it read everything.

The mark is raised after the transaction's last flush and nothing is written after it but the scope, so
a transaction that holds the mark's row lock waits on nothing else: the lock cannot close a deadlock.
Writes that bypass the session (a raw connection: migrations, the test suite's emptying of tables) are
not counted.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import delete, event, insert, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session

from ..models import ChangeMark, ChangeScope

NAME = "data"
UNCOUNTED = frozenset({"audit_events", "job_runs", "change_marks", "change_scopes"})  # no memo reads these
KEPT = 1000  # scopes kept: a memo more changes behind than this reads everything again
_CHANGED = "clinic.changes.changed"
_SCOPE = "clinic.changes.scope"

# One statement on both databases (SQLite 3.35+ and PostgreSQL have the same upsert and RETURNING).
_RAISE = text(
    "INSERT INTO change_marks (name, epoch, generation) VALUES (:name, :epoch, 1) "
    "ON CONFLICT (name) DO UPDATE SET generation = change_marks.generation + 1 "
    "RETURNING epoch, generation"
)

# Rows that belong to a patient through a parent row: table -> (its column naming the parent, the parent's
# table). A table with a ``patient_id`` column names its patient itself; any other table's rows belong
# to no patient and are scoped by the table's name.
UNDER = {
    "preregistrations": ("referral_id", "referrals"),
    "red_flag_answers": ("referral_id", "referrals"),
    "referral_documents": ("referral_id", "referrals"),
    "medication_entries": ("preregistration_id", "preregistrations"),
    "appointment_events": ("appointment_id", "appointments"),
    "consents": ("appointment_id", "appointments"),
    "follow_ups": ("appointment_id", "appointments"),
    "observation_records": ("appointment_id", "appointments"),
    "outbox_messages": ("appointment_id", "appointments"),
    "performed_steps": ("appointment_id", "appointments"),
    "procedure_records": ("appointment_id", "appointments"),
    "procedure_addenda": ("record_id", "procedure_records"),
    "procedure_drugs": ("record_id", "procedure_records"),
    "observation_checks": ("observation_id", "observation_records"),
    "study_files": ("study_id", "imaging_studies"),
}


@dataclass(frozen=True)
class Touched:
    """What the changes between two marks touched: patients by id, and tables by name (see module)."""

    patients: frozenset[int]
    tables: frozenset[str]


def current(session: Session) -> tuple[str, int] | None:
    """The mark as this transaction sees it, ``(epoch, generation)``; None before the first change."""
    row = session.execute(select(ChangeMark.epoch, ChangeMark.generation).where(ChangeMark.name == NAME)).first()
    return None if row is None else (row.epoch, row.generation)


def touched(session: Session, since: tuple[str, int], now: tuple[str, int]) -> Touched | None:
    """What the changes after mark ``since`` up to mark ``now`` touched; None when a scope among them is
    not found (another epoch, or more than ``KEPT`` changes ago): then anything may have changed."""
    (epoch, first), (now_epoch, last) = since, now
    if epoch != now_epoch or not 0 <= last - first <= KEPT:
        return None
    rows = session.execute(
        select(ChangeScope.patients, ChangeScope.tables).where(
            ChangeScope.epoch == epoch, ChangeScope.generation > first, ChangeScope.generation <= last
        )
    ).all()
    if len(rows) != last - first:
        return None
    patients = {int(p) for row in rows for p in row.patients.split(",") if p}
    tables = {t for row in rows for t in row.tables.split(",") if t}
    return Touched(frozenset(patients), frozenset(tables))


def unchanged(session: Session) -> bool:
    """Whether this transaction has changed nothing so far (what it reads is what others read too)."""
    return not session.info.get(_CHANGED) and not (session.new or session.dirty or session.deleted)


def once_per_transaction(session: Session, key: str, read):
    """``read()``, kept for the rest of this transaction while it changes nothing: a table several parts
    of one page read (the drug rules' names and dose classes) is read once. A transaction that changed
    data reads again each time, so it sees its own change."""
    if not unchanged(session):
        return read()
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    kept = session.info.get(key)
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1]
    found = read()
    session.info[key] = (session.get_transaction(), found)  # the transaction the read began, if it did
    return found


def _counted(obj) -> bool:
    return getattr(obj, "__tablename__", None) not in UNCOUNTED


def _scope(session: Session) -> dict[str, set]:
    """This transaction's scope so far: table name -> ids of its rows whose patient is yet to be found
    ("patients" holds patient ids, found), and "" -> the names of the tables scoped whole."""
    return session.info.setdefault(_SCOPE, defaultdict(set))


def _values(obj, column: str) -> set[int]:
    """The column's values in this flush: the one it has and, if the flush changed it, the one it had."""
    state = inspect(obj)
    key = state.mapper.get_property_by_column(state.mapper.local_table.c[column]).key
    return {v for v in state.attrs[key].history.sum() if v is not None}


def _after_flush(session: Session, _flush_context) -> None:
    # Still the flush's own new/dirty/deleted and the attributes' history here (reset after this event).
    # "Dirty" includes an attribute set to the value it had: no UPDATE was sent for it, nothing changed.
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    for obj in chain(session.new, dirty, session.deleted):
        if not _counted(obj):
            continue
        session.info[_CHANGED] = True
        table = obj.__table__
        scope = _scope(session)
        if table.name == "patients":
            found, into = _values(obj, "id"), "patients"
        elif "patient_id" in table.c:
            found, into = _values(obj, "patient_id"), "patients"
        elif table.name in UNDER:
            column, into = UNDER[table.name]
            found = _values(obj, column)
        else:
            found, into = set(), ""
        if found:
            scope[into].update(found)
        else:  # a row of no patient (a setting, a room; a study not matched yet)
            scope[""].add(table.name)


def _on_execute(state: ORMExecuteState) -> None:
    """An UPDATE, DELETE or INSERT statement sent through the session (a bulk change): counted, whatever
    table it writes; a false count only costs a memo. (Nothing here writes through textual SQL.)"""
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info[_CHANGED] = True
        table = getattr(state.statement, "table", None)
        _scope(state.session)[""].add(getattr(table, "name", "*"))  # "*": a table not known, read all


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT's release: the mark is raised once, by the transaction's own COMMIT
    session.flush()  # the commit's own flush comes after this event: its changes are counted first
    scope = session.info.pop(_SCOPE, None)
    if session.info.pop(_CHANGED, False):
        # On the connection, not the session: the session's execute event would count these statements.
        connection = session.connection()
        patients, tables = _resolved(connection, scope or {})  # reads, before the mark's row lock is taken
        epoch, generation = connection.execute(_RAISE, {"name": NAME, "epoch": secrets.token_hex(8)}).one()
        connection.execute(
            insert(ChangeScope).values(
                epoch=epoch,
                generation=generation,
                patients=",".join(str(p) for p in sorted(patients)),
                tables=",".join(sorted(tables)),
            )
        )
        if generation % 100 == 0:
            connection.execute(
                delete(ChangeScope).where(ChangeScope.epoch == epoch, ChangeScope.generation <= generation - KEPT)
            )


def _resolved(connection, scope: dict[str, set]) -> tuple[set[int], set[str]]:
    """The patients and the tables of a transaction's scope: rows under a parent are followed up to the
    patient (at most three tables up); a row not found (deleted, with its parent) scopes its whole table."""
    patients, tables = set(scope.get("patients", ())), set(scope.get("", ()))
    pending = {name: set(ids) for name, ids in scope.items() if name not in ("patients", "") and ids}
    tables_by_name = ChangeMark.metadata.tables
    while pending:
        name, ids = pending.popitem()
        table = tables_by_name[name]
        column = "patient_id" if "patient_id" in table.c else UNDER[name][0]
        rows = connection.execute(select(table.c.id, table.c[column]).where(table.c.id.in_(ids))).all()
        found = {value for _id, value in rows if value is not None}
        if len(rows) != len(ids) or any(value is None for _id, value in rows):
            tables.add(name)  # a row gone, or of no patient
        if column == "patient_id":
            patients.update(found)
        else:
            pending.setdefault(UNDER[name][1], set()).update(found)
    return patients, tables


def _after_rollback(session: Session, previous) -> None:
    """A transaction rolled back whole changed nothing: a refused request (which may still commit its audit
    row afterwards) leaves the mark as it was. A SAVEPOINT rolled back keeps the count: what came before it
    in the transaction stands."""
    if previous.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_SCOPE, None)


def install() -> None:
    """Count the changes of every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
