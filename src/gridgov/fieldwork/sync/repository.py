"""Queries of the sync path: bulk, one statement per step of a batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import JSON, Select, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal, Role
from gridgov.models.case import Case
from gridgov.models.field_submission import FieldSubmission, SyncConflict

# Columns of a stored record and their PostgreSQL array types for the bulk insert.
_PG_COLUMNS = (
    ("uuid", "varchar"),
    ("content_hash", "varchar"),
    ("kind", "varchar"),
    ("module_code", "varchar"),
    ("module_version", "integer"),
    ("user_id", "integer"),
    ("grid_code", "varchar"),
    ("subject_type", "varchar"),
    ("subject_id", "varchar"),
    ("base_version", "integer"),
    ("task_id", "integer"),
    ("data", "text"),
    ("lng", "float8"),
    ("lat", "float8"),
    ("collected_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("state", "varchar"),
    ("result_ref", "varchar"),
)


def _pg_value(name: str, value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if name == "data" else value


def dialect_insert(session: Session, table: Any) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support on the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)

    return sqlite_insert(table)


class Stored(NamedTuple):
    """A stored record as a re-send of it is answered."""

    id: int
    content_hash: str
    result_ref: str | None
    state: str
    effect_error: dict[str, Any] | None  # with state error: why (Outcome.why)


class SubmissionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def existing(self, uuids: Sequence[str]) -> dict[str, Stored]:
        """uuid → what is stored under it, for the UUIDs already stored."""
        if not uuids:
            return {}
        if self.session.get_bind().dialect.name == "postgresql":
            # One array parameter instead of an IN list of 1,000 placeholders.
            rows = self.session.execute(
                text(
                    "SELECT uuid, id, content_hash, result_ref, state, effect_error "
                    "FROM field_submissions WHERE uuid = ANY(CAST(:uuids AS varchar[]))"
                ).columns(effect_error=JSON),
                {"uuids": list(uuids)},
            )
        else:
            rows = self.session.execute(
                select(
                    FieldSubmission.uuid,
                    FieldSubmission.id,
                    FieldSubmission.content_hash,
                    FieldSubmission.result_ref,
                    FieldSubmission.state,
                    FieldSubmission.effect_error,
                ).where(FieldSubmission.uuid.in_(list(uuids)))
            )
        return {r[0]: Stored(*r[1:]) for r in rows}

    def insert_new(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert rows whose UUID is not stored yet; uuid → id of those this call inserted."""
        if not rows:
            return {}
        if self.session.get_bind().dialect.name == "postgresql":
            return self._insert_new_postgresql(rows)
        table = FieldSubmission.__table__
        statement = (
            dialect_insert(self.session, table)
            .on_conflict_do_nothing(index_elements=["uuid"])
            .returning(table.c.uuid, table.c.id)
        )
        result = self.session.execute(statement, rows)
        inserted = {r[0]: r[1] for r in result}
        return inserted

    def _insert_new_postgresql(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """One statement over column arrays (``unnest``): the SQL text stays small and constant
        whatever the batch size, so neither the driver nor the server re-parses 20 k values.
        Columns with one value for the whole batch (the caller, the time) are plain parameters."""
        first = rows[0]
        constant = [
            name
            for name, _ in _PG_COLUMNS
            if name != "uuid" and all(row[name] == first[name] for row in rows)
        ]
        varying = [(name, cast) for name, cast in _PG_COLUMNS if name not in constant]
        casts = dict(_PG_COLUMNS)
        select_list = ", ".join(
            (f"CAST(:{name} AS {casts[name]})" if name in constant else name)
            + ("::json" if name == "data" else "")
            for name, _ in _PG_COLUMNS
        )
        arrays = ", ".join(f"CAST(:{name} AS {cast}[])" for name, cast in varying)
        statement = text(
            f"INSERT INTO field_submissions ({', '.join(name for name, _ in _PG_COLUMNS)}) "
            f"SELECT {select_list} FROM unnest({arrays}) AS t({', '.join(n for n, _ in varying)}) "
            "ON CONFLICT (uuid) DO NOTHING RETURNING uuid, id"
        )
        params: dict[str, Any] = {name: _pg_value(name, first[name]) for name in constant}
        for name, _ in varying:
            params[name] = [_pg_value(name, row[name]) for row in rows]
        return {r[0]: r[1] for r in self.session.execute(statement, params)}

    def add_conflicts(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        table = SyncConflict.__table__
        statement = dialect_insert(self.session, table).on_conflict_do_nothing(
            index_elements=["uuid", "content_hash"]
        )
        self.session.execute(statement, rows)

    def by_ids(self, ids: Sequence[int]) -> list[FieldSubmission]:
        if not ids:
            return []
        return list(
            self.session.scalars(select(FieldSubmission).where(FieldSubmission.id.in_(list(ids))))
        )

    def readable_statement(self, principal: Principal) -> Select[FieldSubmission]:
        statement = select(FieldSubmission)
        if principal.role == Role.GRID_WORKER:
            return statement.where(FieldSubmission.user_id == principal.user_id)
        return statement.where(scope_clause(principal, grid_code=FieldSubmission.grid_code))

    def list_readable(
        self, principal: Principal, *, kind: str | None = None, limit: int = 100
    ) -> list[FieldSubmission]:
        statement = self.readable_statement(principal)
        if kind:
            statement = statement.where(FieldSubmission.kind == kind)
        statement = statement.order_by(FieldSubmission.id.desc()).limit(limit)
        return list(self.session.scalars(statement))

    def case_states(self, case_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """case id → (state, number) for the cases the worker's reports became."""
        if not case_ids:
            return {}

        rows = self.session.execute(
            select(Case.id, Case.state, Case.number).where(Case.id.in_(list(case_ids)))
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def get_by_uuid(self, uuid: str) -> FieldSubmission | None:
        return self.session.scalars(
            select(FieldSubmission).where(FieldSubmission.uuid == uuid)
        ).first()


class ConflictRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def readable_statement(self, principal: Principal) -> Select[SyncConflict]:
        statement = select(SyncConflict)
        if principal.role == Role.GRID_WORKER:
            return statement.where(SyncConflict.user_id == principal.user_id)
        return statement.where(scope_clause(principal, grid_code=SyncConflict.grid_code))

    def list_readable(
        self, principal: Principal, *, state: str | None = "open"
    ) -> list[SyncConflict]:
        statement = self.readable_statement(principal)
        if state:
            statement = statement.where(SyncConflict.state == state)
        return list(self.session.scalars(statement.order_by(SyncConflict.id.desc()).limit(500)))

    def get_readable(self, principal: Principal, conflict_id: int) -> SyncConflict | None:
        return self.session.scalars(
            self.readable_statement(principal).where(SyncConflict.id == conflict_id)
        ).first()
