"""Every query of the sources capability. Records, links and findings are read through
``scope_clause`` (the department's own rows, or the grid of the record); batch writes are Core
statements (a department file is hundreds of thousands of rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, func, insert, or_, select, update
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal
from gridgov.kit.errors import NotFound
from gridgov.models.house import House
from gridgov.models.source import (
    LinkDecision,
    PersonMerge,
    Source,
    SourceFinding,
    SourceLink,
    SourceLoad,
    SourceRecord,
)

CHUNK = 2_000


def table_of(model: Any) -> Table:
    """A model's table for Core statements (bulk inserts, updates)."""
    return cast(Table, model.__table__)


def _col(column: Any) -> ColumnElement[str]:
    """A nullable code column where ``scope_clause`` wants a code (NULL is never in scope)."""
    return cast(
        ColumnElement[str], column
    )  # keys per IN list: under SQLite's and psycopg's parameter limits


def source_by_name(session: Session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise NotFound(f"没有名为 {name} 的数据来源", f"No source named {name}")
    return source


def list_sources(session: Session) -> Sequence[Source]:
    """The registry (configuration, no personal data)."""
    return session.scalars(select(Source).order_by(Source.name)).all()


def record_scope(principal: Principal) -> Any:
    """A source record is readable by its department and by whoever's region holds it."""
    return or_(
        scope_clause(principal, department_code=Source.department_code, category="person"),
        scope_clause(principal, grid_code=_col(SourceRecord.grid_code)),
    )


def readable_records(principal: Principal) -> Select[Any]:
    return (
        select(SourceRecord)
        .join(Source, Source.id == SourceRecord.source_id)
        .where(record_scope(principal))
    )


def readable_links(principal: Principal) -> Select[Any]:
    return (
        select(SourceLink)
        .join(Source, Source.id == SourceLink.source_id)
        .where(
            SourceLink.current.is_(True),
            or_(
                scope_clause(principal, department_code=Source.department_code),
                scope_clause(principal, grid_code=_col(SourceLink.grid_code)),
            ),
        )
    )


def readable_findings(principal: Principal) -> Select[Any]:
    return select(SourceFinding).where(
        or_(
            scope_clause(principal, department_code=_col(SourceFinding.department_code)),
            scope_clause(principal, grid_code=_col(SourceFinding.grid_code)),
        )
    )


def findings_statement(
    principal: Principal, *, status: str = "open", kind: str | None = None
) -> Select[Any]:
    """The findings list: ``status`` open, closed or all; newest first."""
    statement = readable_findings(principal)
    if status != "all":
        statement = statement.where(SourceFinding.status == status)
    if kind:
        statement = statement.where(SourceFinding.kind == kind)
    return statement.order_by(SourceFinding.id.desc())


def readable_merges(principal: Principal) -> Select[Any]:
    return select(PersonMerge).where(scope_clause(principal, grid_code=_col(PersonMerge.grid_code)))


def link_for_review(session: Session, principal: Principal, link_id: int) -> SourceLink:
    link: SourceLink | None = session.scalar(
        readable_links(principal).where(
            SourceLink.id == link_id, SourceLink.decision == LinkDecision.REVIEW.value
        )
    )
    if link is None:
        raise NotFound("没有这条待复核记录", "No such pair waiting for review")
    return link


def record_by_id(session: Session, principal: Principal, record_id: int) -> SourceRecord:
    record: SourceRecord | None = session.scalar(
        readable_records(principal).where(SourceRecord.id == record_id)
    )
    if record is None:
        raise NotFound("没有这条来源记录", "No such source record")
    return record


def loads_of(session: Session, source_id: int, limit: int = 50) -> Sequence[SourceLoad]:
    return session.scalars(
        select(SourceLoad)
        .where(SourceLoad.source_id == source_id)
        .order_by(SourceLoad.id.desc())
        .limit(limit)
    ).all()


# -- batch writes ---------------------------------------------------------------------------------


def current_versions(
    session: Session, source_id: int, keys: Sequence[str]
) -> dict[str, tuple[int, int, str]]:
    """record key → (row id, version, content hash) of the current version."""
    out: dict[str, tuple[int, int, str]] = {}
    for start in range(0, len(keys), CHUNK):
        rows = session.execute(
            select(
                SourceRecord.record_key,
                SourceRecord.id,
                SourceRecord.version,
                SourceRecord.content_hash,
            ).where(
                SourceRecord.source_id == source_id,
                SourceRecord.current.is_(True),
                SourceRecord.record_key.in_(keys[start : start + CHUNK]),
            )
        )
        for key, row_id, version, digest in rows:
            out[key] = (row_id, version, digest)
    return out


def retire_versions(session: Session, record_ids: Sequence[int]) -> None:
    for start in range(0, len(record_ids), CHUNK):
        session.execute(
            update(SourceRecord)
            .where(SourceRecord.id.in_(record_ids[start : start + CHUNK]))
            .values(current=False)
        )
        session.execute(
            update(SourceLink)
            .where(
                SourceLink.source_record_id.in_(record_ids[start : start + CHUNK]),
                SourceLink.current.is_(True),
            )
            .values(current=False)
        )


def mark_seen(session: Session, record_ids: Sequence[int], when: Any) -> None:
    """The records a load carried again unchanged were seen now."""
    for start in range(0, len(record_ids), CHUNK):
        session.execute(
            update(SourceRecord)
            .where(SourceRecord.id.in_(record_ids[start : start + CHUNK]))
            .values(seen_at=when)
        )


def insert_records(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert record versions; their new ids in the order of ``rows``. A plain executemany
    (RETURNING in parameter order goes row by row on SQLite), then one query for the ids."""
    if not rows:
        return []
    session.execute(insert(table_of(SourceRecord)), rows)
    keys = [r["record_key"] for r in rows]
    found = _ids_in_chunks(session, rows[0]["source_id"], keys)
    return [found[key] for key in keys]


def _ids_in_chunks(session: Session, source_id: int, keys: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        out.update(
            (key, row_id)
            for key, row_id in session.execute(
                select(SourceRecord.record_key, SourceRecord.id).where(
                    SourceRecord.source_id == source_id,
                    SourceRecord.current.is_(True),
                    SourceRecord.record_key.in_(keys[start : start + CHUNK]),
                )
            )
        )
    return out


def houses_at(session: Session, addresses: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Standard address → (house id, grid code) for the addresses that are in the register."""
    wanted = sorted(set(addresses))
    out: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(House.address, House.id, House.grid_code).where(
                House.address.in_(wanted[start : start + CHUNK])
            )
        )
        for address, house_id, grid_code in rows:
            out[address] = (house_id, grid_code)
    return out


def count_current(session: Session, source_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(SourceRecord)
            .where(SourceRecord.source_id == source_id, SourceRecord.current.is_(True))
        )
        or 0
    )
