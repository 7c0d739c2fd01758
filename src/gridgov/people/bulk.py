"""Fast bulk loading for the import and the synthetic city: COPY on PostgreSQL, executemany on
SQLite. Rows carry explicit primary keys (allocated by :func:`next_ids`), so related rows can
reference each other before anything is written.

Rows come as dicts (:func:`bulk_insert`) or column by column (:class:`Columns`, turned into the
driver's form by :func:`encode` — in another process if need be — and written by :func:`write`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import repeat
from typing import Any, cast

from sqlalchemy import JSON, Date, DateTime, Table, func, insert, select, text
from sqlalchemy.orm import Session

from gridgov.kit.models import Base

DEFER_INDEXES_FROM = 50_000
# SQLite page cache while loading (this connection only): keeps the unique indexes' B-trees
# in memory. Index builds run with the default again: CREATE INDEX sorts in runs as large as
# the cache, and many small runs merged beat one huge in-memory sort (~20 % faster here).
_LOAD_CACHE = "PRAGMA cache_size = -262144"
_DEFAULT_CACHE = "PRAGMA cache_size = -2000"


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
    connection.exec_driver_sql(_LOAD_CACHE)
    connection.exec_driver_sql(sql, params)


@dataclass(frozen=True)
class Columns:
    """Rows of one table, column by column. ``values``: one list per column, all as long as
    there are rows, holding the values as stored on both databases — str, int, float or None,
    dates as ISO text, JSON as its text. ``constants``: columns with one value for every row,
    any Python value (converted as :func:`bulk_insert` converts it)."""

    values: dict[str, list[Any]]
    constants: dict[str, Any]

    def __len__(self) -> int:
        return len(next(iter(self.values.values())))


@dataclass(frozen=True)
class Encoded:
    """A table's rows in the driver's form, picklable: COPY text (PostgreSQL), or one list of
    parameters per column with the constants as SQL literals (SQLite: a bound parameter costs
    a copy per row)."""

    table: str
    columns: tuple[str, ...]
    rows: int
    copy: bytes = b""
    values: tuple[list[Any], ...] = ()
    literals: tuple[str, ...] = ()


def encode(dialect: str, model: type[Base], columns: Columns) -> Encoded:
    """``columns`` of ``model``'s table for :func:`write` on ``dialect`` (sqlite, postgresql)."""
    table = _table(model)
    names = (*columns.values, *columns.constants)
    if dialect == "postgresql":
        fields: list[Iterable[str]] = [_copy_column(values) for values in columns.values.values()]
        fields += [repeat(_copy_text(value)) for value in columns.constants.values()]
        # zip stops at the end of the value columns; the constants repeat for ever.
        text = "\n".join(map("\t".join, zip(*fields, strict=False))) + "\n"
        return Encoded(table.name, names, len(columns), copy=text.encode())
    if dialect != "sqlite":
        raise ValueError(f"column-wise bulk loads support sqlite and postgresql, not {dialect}")
    literals = []
    for name, value in columns.constants.items():
        convert = _sqlite_converter(table.c[name].type)
        literals.append(_sqlite_literal(convert(value) if convert else value))
    return Encoded(
        table.name,
        names,
        len(columns),
        values=tuple(columns.values.values()),
        literals=tuple(literals),
    )


def _sqlite_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str) and "\0" not in value:
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQLite literal for {value!r}")


def _copy_column(values: list[Any]) -> list[str]:
    """One column's values as COPY text fields, the common cases (text with NULLs, integers)
    without a function call per value."""
    present = [value for value in values if value is not None]
    try:
        joined = "".join(present)
    except TypeError:  # not text
        if len(present) == len(values) and all(type(value) is int for value in values):
            return list(map(str, values))
        return [_copy_text(value) for value in values]
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return [_copy_text(value) for value in values]
    if len(present) == len(values):
        return values
    return ["\\N" if value is None else value for value in values]


def write(session: Session, encoded: Encoded) -> None:
    """Insert encoded rows in the session's transaction."""
    if not encoded.rows:
        return
    names = ", ".join(f'"{name}"' for name in encoded.columns)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    if encoded.copy:
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{encoded.table}" ({names}) FROM STDIN') as copy,
        ):
            copy.write(encoded.copy)
        return
    marks = ", ".join(["?"] * len(encoded.values) + list(encoded.literals))
    session.connection().exec_driver_sql(_LOAD_CACHE)
    # The driver takes the rows one by one from the iterator: no list of row tuples is built.
    raw.executemany(
        f'INSERT INTO "{encoded.table}" ({names}) VALUES ({marks})',
        zip(*encoded.values, strict=True),
    )


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
        if dialect == "sqlite":
            connection.exec_driver_sql(_DEFAULT_CACHE)
        for sql in dropped:
            # psycopg reads "%" as a placeholder (a tag's partial index has LIKE '%,x,%').
            connection.exec_driver_sql(sql if dialect == "sqlite" else sql.replace("%", "%%"))


@contextmanager
def deferred_foreign_keys(
    session: Session, models: Sequence[type[Base]], rows: int
) -> Iterator[None]:
    """Big loads on PostgreSQL: drop the foreign keys of ``models``' tables for the load and add
    them again afterwards, which checks every row in one join per key instead of a trigger-fired
    lookup per row (the lookups cost a COPY about a third of its time). Same size rule and
    locking as :func:`deferred_indexes`. SQLite's checks are cheap and cannot be switched off
    inside a transaction, so it keeps them."""
    if session.get_bind().dialect.name != "postgresql" or rows < DEFER_INDEXES_FROM:
        yield
        return
    dropped: list[tuple[str, str, str]] = []
    connection = session.connection()
    for model in models:
        table = _table(model)
        if (session.scalar(select(func.count()).select_from(table)) or 0) > rows:
            continue
        found = connection.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = CAST(:t AS regclass)"
            ),
            {"t": table.name},
        ).all()
        for name, definition in found:
            connection.exec_driver_sql(f'ALTER TABLE "{table.name}" DROP CONSTRAINT "{name}"')
            dropped.append((table.name, name, definition))
    yield
    # Not on an error: the failed transaction rolls the drop back.
    for table_name, name, definition in dropped:
        connection.exec_driver_sql(
            f'ALTER TABLE "{table_name}" ADD CONSTRAINT "{name}" {definition}'
        )


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
