"""Safety net: a transaction that changed data through the ORM but wrote no trail entry gets
one anyway (``data.write``, listing tables and primary keys), so a forgotten ``trail.record``
never means an unrecorded write. Services still record their own, meaningful entries (action,
before/after); this only catches what they forgot.

Tables in :data:`EXEMPT_TABLES` are bookkeeping whose changes are not business writes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from gridgov.audit import trail
from gridgov.models.audit import AuditEntry

EXEMPT_TABLES = {"audit_entries", "auth_sessions"}
MAX_IDS_PER_TABLE = 50
PRINCIPAL_KEY = "gridgov_principal"
_CHANGES = "gridgov_unrecorded_changes"
RECORDED_KEY = "gridgov_trail_recorded"
_RECORDED = RECORDED_KEY


def _collect(session: Session, bucket: dict[str, dict[str, list[str]]], op: str, objs: Any) -> None:
    for obj in objs:
        if isinstance(obj, AuditEntry):
            session.info[_RECORDED] = True
            continue
        if op == "update" and not session.is_modified(obj, include_collections=False):
            continue
        table = getattr(obj, "__tablename__", type(obj).__name__)
        if table in EXEMPT_TABLES:
            continue
        ids = bucket.setdefault(table, {}).setdefault(op, [])
        if len(ids) < MAX_IDS_PER_TABLE:
            state = inspect(obj)
            key = state.mapper.primary_key_from_instance(obj)
            ids.append("/".join(map(str, key)))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_RECORDED):
        return  # the transaction has its trail entry: nothing to collect (bulk paths stay fast)
    bucket: dict[str, dict[str, list[str]]] = session.info.setdefault(_CHANGES, {})
    _collect(session, bucket, "insert", session.new)
    _collect(session, bucket, "update", session.dirty)
    _collect(session, bucket, "delete", session.deleted)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.info.get(_RECORDED) and (session.new or session.dirty or session.deleted):
        session.flush()  # commit would flush after this hook: collect those changes now
    changes = session.info.pop(_CHANGES, None)
    recorded = session.info.pop(_RECORDED, False)
    if not changes or recorded:
        return

    tables = sorted(changes)
    trail.record(
        session,
        action="data.write",
        object_type=tables[0] if len(tables) == 1 else "multiple",
        principal=session.info.get(PRINCIPAL_KEY),
        after={"changes": changes},
        note="written without an explicit trail entry",
    )


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _reset(session: Session) -> None:
    session.info.pop(_CHANGES, None)
    session.info.pop(_RECORDED, None)
