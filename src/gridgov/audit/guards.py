"""The app cannot change or remove a trail entry: ORM guards refuse it before any SQL is sent
(the database triggers of migration ``20261125_auth`` refuse it for everyone else)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from gridgov.models.audit import AuditEntry


class AuditImmutableError(RuntimeError):
    """Raised on any attempt to update or delete an audit entry through the ORM."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            raise AuditImmutableError("audit entries cannot be deleted / 审计记录不可删除")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and session.is_modified(obj):
            raise AuditImmutableError("audit entries cannot be changed / 审计记录不可修改")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    table = getattr(state.statement, "table", None)
    if (mapper is not None and mapper.class_ is AuditEntry) or (
        table is not None and getattr(table, "name", None) == AuditEntry.__tablename__
    ):
        raise AuditImmutableError("audit entries cannot be changed / 审计记录不可修改")
