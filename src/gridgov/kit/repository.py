"""Repository base: every query lives in a repository bound to the caller's session."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Insert, Table, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from gridgov.kit.db import on_rollback
from gridgov.kit.models import Base

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, pk: int) -> M | None:
        return self.session.get(self.model, pk)

    def add(self, obj: M) -> M:
        self.session.add(obj)
        self.session.flush()
        return obj


@dataclass(frozen=True)
class _InsertPlan:
    statement: Insert
    key: str
    columns: tuple[str, ...]
    defaults: dict[str, Any]
    null_by_default: tuple[str, ...]


@cache
def _plan(model: type[Base]) -> _InsertPlan:
    table = cast(Table, model.__table__)
    (key,) = (c.key for c in table.primary_key.columns)
    columns = tuple(c.key for c in table.c if not c.primary_key)
    assert {a.key for a in inspect(model).column_attrs} == {key, *columns}, model
    defaults = {
        c.key: c.default.arg for c in table.c if isinstance(c.default, ScalarElementColumnDefault)
    }
    return _InsertPlan(
        statement=table.insert().returning(table.c[key]),
        key=key,
        columns=columns,
        defaults=defaults,
        null_by_default=tuple(
            k for k in columns if k not in defaults and table.c[k].server_default is None
        ),
    )


def insert_now(session: Session, obj: M) -> M:
    """Write a new object with one Core ``INSERT … RETURNING <key>``, at once, instead of
    through the unit of work (hot paths: its bookkeeping costs more than the statement).

    ``obj`` comes back persistent and clean with its key, as a flush leaves it: later changes
    are flushed as usual (version counters included); a rollback of the transaction (or of the
    savepoint) it was written in takes it out of the session again. Unset columns get their
    Python defaults or NULL; a column the database fills (``created_at``) is read if somebody
    asks for it. No flush runs first: whatever the row refers to must already be in the
    database."""
    plan = _plan(type(obj))
    given = inspect(obj).dict  # the instance's own values: no attribute events below
    values = {k: given[k] for k in plan.columns if k in given}
    for k, default in plan.defaults.items():
        values.setdefault(k, default)
    key = session.connection().execute(plan.statement, values).scalar_one()
    given.update(values)
    for k in plan.null_by_default:
        given.setdefault(k, None)
    given[plan.key] = key
    make_transient_to_detached(obj)  # what it holds now counts as loaded from the database
    session.add(obj)
    # As a rolled-back flush would: the row is gone, so is the object (its key may come again).
    on_rollback(session, lambda: _forget(session, obj))
    return obj


def _forget(session: Session, obj: Base) -> None:
    if obj in session:
        session.expunge(obj)
