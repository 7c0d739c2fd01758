"""Every query of the sources capability, on ``SourceRepository(session)``. Records, links and findings are read through
``scope_clause`` (the department's own rows, or the grid of the record); batch writes are Core
statements (a department file is hundreds of thousands of rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    Table,
    any_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
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
from gridgov.sources.mapping import json_encoder

CHUNK = 2_000


def table_of(model: Any) -> Table:
    """A model's table for Core statements (bulk inserts, updates)."""
    return cast(Table, model.__table__)


def _col(column: Any) -> ColumnElement[str]:
    """A nullable code column where ``scope_clause`` wants a code (NULL is never in scope)."""
    return cast(
        ColumnElement[str], column
    )  # keys per IN list: under SQLite's and psycopg's parameter limits


def record_scope(principal: Principal) -> Any:
    """A source record is readable by its department and by whoever's region holds it."""
    return or_(
        scope_clause(principal, department_code=Source.department_code, category="person"),
        scope_clause(principal, grid_code=_col(SourceRecord.grid_code)),
    )


class SourceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def source_by_name(self, name: str) -> Source:
        source = self.session.scalar(select(Source).where(Source.name == name))
        if source is None:
            raise NotFound(f"没有名为 {name} 的数据来源", f"No source named {name}")
        return source

    def list_sources(self) -> Sequence[Source]:
        """The registry (configuration, no personal data)."""
        return self.session.scalars(select(Source).order_by(Source.name)).all()

    def readable_records(self, principal: Principal) -> Select[Any]:
        return (
            select(SourceRecord)
            .join(Source, Source.id == SourceRecord.source_id)
            .where(record_scope(principal))
        )

    def readable_links(self, principal: Principal) -> Select[Any]:
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

    def readable_findings(self, principal: Principal) -> Select[Any]:
        return select(SourceFinding).where(
            or_(
                scope_clause(principal, department_code=_col(SourceFinding.department_code)),
                scope_clause(principal, grid_code=_col(SourceFinding.grid_code)),
            )
        )

    def findings_statement(
        self, principal: Principal, *, status: str = "open", kind: str | None = None
    ) -> Select[Any]:
        """The findings list: ``status`` open, closed or all; newest first."""
        statement = self.readable_findings(principal)
        if status != "all":
            statement = statement.where(SourceFinding.status == status)
        if kind:
            statement = statement.where(SourceFinding.kind == kind)
        return statement.order_by(SourceFinding.id.desc())

    def readable_merges(self, principal: Principal) -> Select[Any]:
        return select(PersonMerge).where(
            scope_clause(principal, grid_code=_col(PersonMerge.grid_code))
        )

    def link_for_review(self, principal: Principal, link_id: int) -> SourceLink:
        link: SourceLink | None = self.session.scalar(
            self.readable_links(principal).where(
                SourceLink.id == link_id, SourceLink.decision == LinkDecision.REVIEW.value
            )
        )
        if link is None:
            raise NotFound("没有这条待复核记录", "No such pair waiting for review")
        return link

    def readable_link(self, principal: Principal, link_id: int) -> SourceLink:
        """A current decision of any kind (automatic ones too, to explain them)."""
        link: SourceLink | None = self.session.scalar(
            self.readable_links(principal).where(SourceLink.id == link_id)
        )
        if link is None:
            raise NotFound("没有这条比对结果", "No such link")
        return link

    def record_by_id(self, principal: Principal, record_id: int) -> SourceRecord:
        record: SourceRecord | None = self.session.scalar(
            self.readable_records(principal).where(SourceRecord.id == record_id)
        )
        if record is None:
            raise NotFound("没有这条来源记录", "No such source record")
        return record

    def loads_of(self, source_id: int, limit: int = 50) -> Sequence[SourceLoad]:
        return self.session.scalars(
            select(SourceLoad)
            .where(SourceLoad.source_id == source_id)
            .order_by(SourceLoad.id.desc())
            .limit(limit)
        ).all()

    def current_versions(
        self, source_id: int, keys: Sequence[str]
    ) -> dict[str, tuple[int, int, str]]:
        """record key → (row id, version, content hash) of the current version."""
        out: dict[str, tuple[int, int, str]] = {}
        for clause in _in(self.session, SourceRecord.record_key, keys):
            rows = self.session.execute(
                select(
                    SourceRecord.record_key,
                    SourceRecord.id,
                    SourceRecord.version,
                    SourceRecord.content_hash,
                ).where(SourceRecord.source_id == source_id, SourceRecord.current.is_(True), clause)
            )
            for key, row_id, version, digest in rows:
                out[key] = (row_id, version, digest)
        return out

    def retire_versions(self, record_ids: Sequence[int]) -> None:
        if not record_ids:
            return
        for clause in _in(self.session, SourceRecord.id, record_ids):
            self._update(update(SourceRecord).where(clause).values(current=False))
        for clause in _in(self.session, SourceLink.source_record_id, record_ids):
            self._update(
                update(SourceLink)
                .where(clause, SourceLink.current.is_(True))
                .values(current=False),
            )

    def mark_seen(self, record_ids: Sequence[int], when: Any) -> None:
        """The records a load carried again unchanged were seen now."""
        if not record_ids:
            return
        for clause in _in(self.session, SourceRecord.id, record_ids):
            self._update(update(SourceRecord).where(clause).values(seen_at=when))

    def insert_records(
        self, rows: list[dict[str, Any]], common: dict[str, Any] | None = None
    ) -> list[int]:
        """Insert record versions (``common``: the columns every row of the batch shares); their new
        ids in the order of ``rows``."""
        if not rows:
            return []
        common = common or {}
        if is_postgres(self.session):
            return self._copy_records(rows, common)
        # A plain executemany (RETURNING in parameter order goes row by row on SQLite), then one
        # query for the ids.
        self.session.execute(insert(table_of(SourceRecord)), [common | r for r in rows])
        keys = [r["record_key"] for r in rows]
        source_id = common.get("source_id", rows[0].get("source_id"))
        found: dict[str, int] = {}
        for clause in _in(self.session, SourceRecord.record_key, keys):
            found.update(
                (key, row_id)
                for key, row_id in self.session.execute(
                    select(SourceRecord.record_key, SourceRecord.id).where(
                        SourceRecord.source_id == source_id, SourceRecord.current.is_(True), clause
                    )
                )
            )
        return [found[key] for key in keys]

    def houses_at(self, addresses: Iterable[str]) -> dict[str, tuple[int, str]]:
        """Standard address → (house id, grid code) for the addresses that are in the register."""
        wanted = sorted(set(addresses))
        out: dict[str, tuple[int, str]] = {}
        for clause in _in(self.session, House.address, wanted) if wanted else ():
            rows = self.session.execute(
                select(House.address, House.id, House.grid_code).where(clause)
            )
            for address, house_id, grid_code in rows:
                out[address] = (house_id, grid_code)
        return out

    def count_current(self, source_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(SourceRecord)
                .where(SourceRecord.source_id == source_id, SourceRecord.current.is_(True))
            )
            or 0
        )

    def _update(self, statement: Any) -> None:
        """A bulk update without the ORM's fetch of every id it touched (thousands a batch): objects
        of the table the self.session holds (few while loading) are expired instead."""
        self.session.execute(statement.execution_options(synchronize_session=False))
        model = statement.entity_description["entity"]
        for obj in [o for o in self.session.identity_map.values() if isinstance(o, model)]:
            self.session.expire(obj)

    def _copy_records(self, rows: list[dict[str, Any]], common: dict[str, Any]) -> list[int]:
        """PostgreSQL: ids from the table's sequence in one query, then COPY in the self.session's own
        transaction, the batch sent as COPY text in one piece (the shared columns rendered once)."""
        ids = list(
            self.session.scalars(
                select(
                    func.nextval(func.pg_get_serial_sequence("source_records", "id"))
                ).select_from(func.generate_series(1, len(rows)))
            )
        )
        own = [c for c in RECORD_COLUMNS[1:] if c not in common]
        encoders = [_json_text if c in JSON_COLUMNS else _copy_text for c in own]
        values = itemgetter(*own)
        shared = "".join(_copy_text(v) + "\t" for v in common.values())
        lines = []
        for row_id, row in zip(ids, rows, strict=True):
            cells = [encode(v) for encode, v in zip(encoders, values(row), strict=True)]
            lines.append(f"{row_id}\t{shared}" + "\t".join(cells) + "\n")
        connection = self.session.connection().connection.driver_connection
        columns = ", ".join(["id", *common, *own])
        with (
            connection.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy(f"COPY source_records ({columns}) FROM STDIN") as copy,
        ):
            copy.write("".join(lines))
        return [int(i) for i in ids]


# -- batch writes ---------------------------------------------------------------------------------
# A department file is hundreds of thousands of rows. On PostgreSQL a batch's keys go as one array
# parameter (``= ANY(%s)``: no statement with thousands of placeholders to build and parse), ids
# come from the sequence in one query and the rows go in with COPY; elsewhere (SQLite) IN lists in
# chunks and an executemany. Measured in bench/reconcile.py --load-url.


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _in(session: Session, column: Any, values: Sequence[Any]) -> Iterable[Any]:
    """``column IN values`` as few clauses as the database takes."""
    if is_postgres(session):
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for start in range(0, len(values), CHUNK):
        yield column.in_(values[start : start + CHUNK])


RECORD_COLUMNS = (
    "id", "source_id", "record_key", "version", "current", "load_id", "received_at", "seen_at",
    "received_by", "content_hash", "raw", "normalised", "name", "birth_date", "id_number_hash",
    "status", "grid_code", "house_id",
)  # fmt: skip
JSON_COLUMNS = frozenset({"raw", "normalised"})


_json = json_encoder()
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in COPY's text format: ``\\N`` for NULL, backslash, tab and line ends escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        # isprintable is false for tab and line ends: the rare text with them is translated
        return (
            value if value.isprintable() and "\\" not in value else value.translate(_COPY_ESCAPES)
        )
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return str(value)


def _json_text(value: Any) -> str:
    text = _json(value)  # JSON escapes tabs and line ends itself
    return text.replace("\\", "\\\\") if "\\" in text else text
