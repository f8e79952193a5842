"""The count of committed transactions that changed data, for memos that must never outlive the data
they were computed from.

Every session counts its own changes: a flush that wrote a row of any table but the audit trail and the
scheduler's run records, or an UPDATE, DELETE or INSERT sent through the session, marks the transaction.
A marked transaction raises the mark (``change_marks``, one row) as its last statement before COMMIT, in
the same transaction: the new data and the new mark become visible together, in every process (gunicorn
workers, the scheduler, the DICOM process). A memo read under mark ``n`` is therefore at least as new as
every change counted up to ``n``, and a change is never visible while an older memo still looks current.

The mark is raised after the transaction's last flush and nothing is written after it, so a transaction
that holds the mark's row lock waits on nothing else: the lock cannot close a deadlock. Writes that bypass
the session (a raw connection: migrations, the test suite's emptying of tables) are not counted.
"""

from __future__ import annotations

import secrets
from itertools import chain

from sqlalchemy import event, select, text
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session

from ..models import ChangeMark

NAME = "data"
UNCOUNTED = frozenset({"audit_events", "job_runs", "change_marks"})  # rows no memo is derived from
_CHANGED = "clinic.changes.changed"

# One statement on both databases (SQLite 3.24+ and PostgreSQL have the same upsert).
_RAISE = text(
    "INSERT INTO change_marks (name, epoch, generation) VALUES (:name, :epoch, 1) "
    "ON CONFLICT (name) DO UPDATE SET generation = change_marks.generation + 1"
)


def current(session: Session) -> tuple[str, int] | None:
    """The mark as this transaction sees it, ``(epoch, generation)``; None before the first change."""
    row = session.execute(select(ChangeMark.epoch, ChangeMark.generation).where(ChangeMark.name == NAME)).first()
    return None if row is None else (row.epoch, row.generation)


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


def _after_flush(session: Session, _flush_context) -> None:
    # Still the flush's own new/dirty/deleted and the attributes' history here (reset after this event).
    # "Dirty" includes an attribute set to the value it had: no UPDATE was sent for it, nothing changed.
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    if any(_counted(obj) for obj in chain(session.new, dirty, session.deleted)):
        session.info[_CHANGED] = True


def _on_execute(state: ORMExecuteState) -> None:
    """An UPDATE, DELETE or INSERT statement sent through the session (a bulk change): counted, whatever
    table it writes; a false count only costs a memo. (Nothing here writes through textual SQL.)"""
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info[_CHANGED] = True


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT's release: the mark is raised once, by the transaction's own COMMIT
    session.flush()  # the commit's own flush comes after this event: its changes are counted first
    if session.info.pop(_CHANGED, False):
        # On the connection, not the session: the session's execute event would count this statement.
        session.connection().execute(_RAISE, {"name": NAME, "epoch": secrets.token_hex(8)})


def _after_rollback(session: Session, previous) -> None:
    """A transaction rolled back whole changed nothing: a refused request (which may still commit its audit
    row afterwards) leaves the mark as it was. A SAVEPOINT rolled back keeps the count: what came before it
    in the transaction stands."""
    if previous.parent is None:
        session.info.pop(_CHANGED, None)


def install() -> None:
    """Count the changes of every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
