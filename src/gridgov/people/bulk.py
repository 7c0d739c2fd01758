"""Fast bulk loading for the import and the synthetic city: COPY on PostgreSQL, executemany on
SQLite. Rows carry explicit primary keys (allocated by :func:`next_ids`), so related rows can
reference each other before anything is written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import JSON, Date, DateTime, Table, func, insert, select, text
from sqlalchemy.orm import Session

from gridgov.kit.models import Base

DEFER_INDEXES_FROM = 50_000


def next_id(session: Session, model: type[Base]) -> int:
    table = _table(model)
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@lru_cache(maxsize=64)
def _isoformat(value: datetime) -> str:
    return value.isoformat()


def _copy_text(value: Any) -> str:
    """One field of PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return _isoformat(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value).translate(_COPY_ESCAPES)


def bulk_insert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into the model's table, in the session's
    transaction."""
    table = _table(model)
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        columns = list(rows[0])
        names = ", ".join(f'"{name}"' for name in columns)
        raw = session.connection().connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            lines: list[str] = []
            for row in rows:
                lines.append("\t".join([_copy_text(row[name]) for name in columns]))
                if len(lines) >= 5000:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
        return
    if session.get_bind().dialect.name == "sqlite":
        _sqlite_executemany(session, table, rows)
        return
    for start in range(0, len(rows), 20_000):
        session.execute(insert(table), list(rows[start : start + 20_000]))


def _sqlite_converter(column_type: Any) -> Callable[[Any], Any] | None:
    """Store values exactly as SQLAlchemy's SQLite types would (dates as ISO text, JSON text)."""
    if isinstance(column_type, DateTime):
        return _datetime_text
    if isinstance(column_type, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column_type, JSON):
        return _json_text
    return None


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=64)
def _datetime_text(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_executemany(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0])
    converters = [(i, _sqlite_converter(table.c[name].type)) for i, name in enumerate(columns)]
    active = [(i, conv) for i, conv in converters if conv is not None]
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[name] for name in columns]
        for i, conv in active:
            values[i] = conv(values[i])
        params.append(tuple(values))
    connection = session.connection()
    # A large page cache keeps the index B-trees in memory during the load (this connection only).
    connection.exec_driver_sql("PRAGMA cache_size = -262144")
    connection.exec_driver_sql(sql, params)


@contextmanager
def deferred_indexes(session: Session, models: Sequence[type[Base]], rows: int) -> Iterator[None]:
    """Big loads: drop the non-unique secondary indexes of ``models`` for the load and build
    them again afterwards (one sort beats ~10 random B-tree inserts per row once the indexes
    outgrow the cache). Only when the load is at least as big as the table already is — an
    initial load or a first import — so small imports into a full base keep their indexes.
    The DDL is part of the transaction: on SQLite readers keep the committed schema, on
    PostgreSQL readers of these tables wait for the load (acceptable for an initial load only,
    hence the size rule)."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql") or rows < DEFER_INDEXES_FROM:
        yield
        return
    dropped: list[str] = []
    connection = session.connection()
    for model in models:
        table = _table(model)
        existing = session.scalar(select(func.count()).select_from(table)) or 0
        if existing > rows:
            continue
        if dialect == "sqlite":
            found = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
                (table.name,),
            ).all()
        else:
            found = connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                    "current_schema() AND tablename = :t AND indexdef NOT LIKE 'CREATE UNIQUE%'"
                ),
                {"t": table.name},
            ).all()
        for name, sql in found:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
            dropped.append(sql)
    try:
        yield
    finally:
        for sql in dropped:
            connection.exec_driver_sql(sql)


def analyze(session: Session, models: Sequence[type[Base]]) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL plans a search on a freshly
    loaded table as if it were empty until autovacuum gets round to it)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    names = ", ".join(f'"{_table(model).name}"' for model in models)
    session.execute(text(f"ANALYZE {names}"))


def sync_sequence(session: Session, model: type[Base]) -> None:
    table = _table(model)
    """After inserting explicit ids on PostgreSQL, move the id sequence past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false)'
        )
    )
