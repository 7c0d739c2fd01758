"""Writing to the trail. Services call :func:`record` inside the request's transaction, so an
entry exists exactly when the change it describes was committed.

Each entry gets ``entry_hash`` = HMAC of its content (key derived from ``GRIDGOV_SECRET_KEY``, so
nobody without the key can forge an entry or rebuild the chain after altering one). After the
transaction commits, the sealer (:mod:`gridgov.audit.chain`) gives it its place ``seq`` and
``chain_hash`` in the chain.

Safety net (below): a transaction that changed data through the ORM but wrote no trail entry gets
one anyway (``data.write``, listing tables and primary keys), so a forgotten :func:`record`
never means an unrecorded write. Services still record their own, meaningful entries (action,
before/after); this only catches what they forgot. Tables in :data:`EXEMPT_TABLES` are
bookkeeping whose changes are not business writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from gridgov.audit import guards as _guards  # noqa: F401  (installs the immutability guards)
from gridgov.audit.chain import seal_after_commit
from gridgov.audit.hashing import canonical, content_of, hash_content
from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.kit.context import channel_var, request_id_var
from gridgov.kit.db import after_commit
from gridgov.kit.repository import insert_now
from gridgov.models.audit import AuditEntry

_SEALER_HOOK = "gridgov_audit_seal_hook"
# The safety net (end of this module): which tables it ignores, how it knows who wrote.
EXEMPT_TABLES = {"audit_entries", "auth_sessions"}
MAX_IDS_PER_TABLE = 50
PRINCIPAL_KEY = "gridgov_principal"
_CHANGES = "gridgov_unrecorded_changes"
RECORDED_KEY = "gridgov_trail_recorded"
_RECORDED = RECORDED_KEY


def _text(value: str | None, limit: int | None = None) -> str | None:
    """Trail text never fails to store: NUL (refused by PostgreSQL) becomes U+FFFD."""
    if value is None:
        return None
    value = value.replace("\x00", "\ufffd")
    return value[:limit] if limit else value


def _json(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return json.loads(canonical(value).replace("\\u0000", "\\ufffd"))


@dataclass(frozen=True)
class Entry:
    """One entry of :func:`record_many`."""

    action: str
    object_type: str
    object_id: str | int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    outcome: str = "success"
    purpose: str | None = None
    note: str | None = None


def record(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    principal: Principal | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = "success",
    purpose: str | None = None,
    note: str | None = None,
) -> AuditEntry:
    """Write one trail entry in the session's transaction (the caller commits it)."""
    entry = AuditEntry(
        **_values(
            principal,
            Entry(action, object_type, object_id, before, after, outcome, purpose, note),
        )
    )
    if session.info.get(RECORDED_KEY):
        session.add(entry)  # a batch: the next flush inserts its entries together
    else:
        # The first entry of a transaction (a request's only one, mostly): one Core INSERT at
        # once costs less than the unit of work; it stays in the session, persistent, guarded.
        insert_now(session, entry)
    _recorded(session)
    return entry


def record_many(session: Session, *, principal: Principal, entries: Sequence[Entry]) -> None:
    """Many entries of one principal, inserted at once (one statement; for batches of the
    system's work). The same entries as :func:`record` would write, in the same transaction."""
    if entries:
        session.execute(insert(AuditEntry), [_values(principal, e) for e in entries])
        _recorded(session)


def _values(principal: Principal | None, entry: Entry) -> dict[str, Any]:
    values: dict[str, Any] = {
        "at": utcnow(),
        "user_id": principal.account_id if principal else None,
        "username": _text(principal.username) if principal else None,
        "role": (None if principal.system else str(principal.role)) if principal else None,
        "action": _text(entry.action, 64) or "",
        "object_type": _text(entry.object_type, 64) or "",
        "object_id": None if entry.object_id is None else _text(str(entry.object_id), 64),
        "outcome": _text(entry.outcome, 16) or "",
        "channel": principal.channel if principal else channel_var.get(),
        "request_id": _text(request_id_var.get(), 64),
        "purpose": _text(entry.purpose, 200),
        "before": _json(entry.before),
        "after": _json(entry.after),
        "note": _text(entry.note),
    }
    values["entry_hash"] = hash_content(content_of(values))
    return values


def _recorded(session: Session) -> None:
    session.info[RECORDED_KEY] = True
    _seal_after_commit(session)


def _seal_after_commit(session: Session) -> None:
    if session.info.get(_SEALER_HOOK):
        return
    session.info[_SEALER_HOOK] = True

    bind = session.get_bind()

    def effect() -> None:
        session.info.pop(_SEALER_HOOK, None)
        seal_after_commit(bind)

    after_commit(session, effect)


@event.listens_for(Session, "after_rollback")
def _forget_seal_hook(session: Session) -> None:
    session.info.pop(_SEALER_HOOK, None)


# ---- the safety net: writes without an entry of their own -------------------------------------


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
    record(
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
