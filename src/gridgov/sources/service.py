"""Sources: registering a department's register and taking its records in, idempotently.

The department's record id is the idempotency key: a record sent again unchanged changes nothing,
a changed one becomes the next version of that source record (the old version stays, no longer
current). Every version keeps the row as received beside its normalised form, with the load, the
time and who sent it. Bad rows are listed with their number and reason; good ones load.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import truth
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import lookup_hash
from gridgov.kit.errors import Conflict, PayloadTooLarge, Unauthorized
from gridgov.models.source import Source, SourceLoad
from gridgov.sources import hooks
from gridgov.sources.mapping import Mapping, RowError, apply_mapping, content_hash, parse_mapping
from gridgov.sources.repository import SourceRepository, is_postgres

BATCH = 5_000
_Batch = list[tuple[str, dict[str, Any], dict[str, Any]]]  # (record key, raw, normalised)
MAX_PUSH_RECORDS = 10_000
MAX_LISTED_ERRORS = 1_000


@dataclass(frozen=True)
class LoadedRecord:
    """A new or changed record version as the listeners of :mod:`gridgov.sources.hooks` get it."""

    id: int
    source_id: int
    record_key: str
    version: int
    normalised: dict[str, Any]
    raw: dict[str, Any]
    grid_code: str | None
    house_id: int | None


def _key_hash(key: str) -> str:
    # The key is 32 random bytes: a fast hash is as safe as a slow one and costs no latency.
    return "sha256$" + hashlib.sha256(key.encode()).hexdigest()


def add_source(
    session: Session, *, principal: Principal, name: str, mapping_text: str, department: str | None
) -> tuple[Source, str]:
    """Register a source from its mapping; returns it and its API key (shown once)."""
    mapping = parse_mapping(mapping_text)
    if session.query(Source.id).filter(Source.name == name).first() is not None:
        raise Conflict(f"数据来源 {name} 已存在", f"Source {name} already exists")
    key = "gg_" + secrets.token_urlsafe(32)
    source = Source(
        name=name,
        title=mapping.title,
        department_code=department or mapping.department,
        kind=mapping.kind,
        mapping=mapping.as_dict(),
        mapping_text=mapping_text,
        may_create_persons=mapping.may_create_persons,
        api_key_hash=_key_hash(key),
        api_key_prefix=key[:10],
    )
    session.add(source)
    session.flush()
    trail.record(
        session,
        action="source.add",
        object_type="source",
        object_id=source.id,
        principal=principal,
        after={"name": name, "department": source.department_code, "kind": source.kind},
    )
    return source, key


def rotate_key(session: Session, *, principal: Principal, name: str) -> str:
    source = SourceRepository(session).source_by_name(name)
    key = "gg_" + secrets.token_urlsafe(32)
    source.api_key_hash, source.api_key_prefix = _key_hash(key), key[:10]
    trail.record(
        session, action="source.rotate_key", object_type="source", object_id=source.id,
        principal=principal,
    )  # fmt: skip
    return key


def source_for_key(session: Session, name: str, key: str | None) -> Source:
    """The source a push is for, if ``key`` is its API key (else 401, nothing changes)."""
    source = session.query(Source).filter(Source.name == name, Source.active.is_(True)).first()
    if (
        source is None
        or not key
        or not source.api_key_hash
        or not hmac.compare_digest(source.api_key_hash, _key_hash(key))
    ):
        raise Unauthorized("数据来源或接口密钥不正确", "Unknown source or wrong API key")
    return source


def load_rows(
    session: Session,
    *,
    principal: Principal,
    source: Source,
    rows: Iterable[tuple[int, dict[str, Any]]],
    channel: str,
    filename: str | None = None,
    header: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SourceLoad:
    """Load rows ((row number, {column: value})); returns the load with its counts and errors."""
    mapping = Mapping.from_dict(source.mapping)
    if header is not None:
        mapping.check_columns(header)
    load = SourceLoad(
        source_id=source.id,
        channel=channel,
        filename=filename,
        loaded_by=principal.username,
        started_at=utcnow(),
        errors=[],
        quality={},
    )
    session.add(load)
    session.flush()
    quality = _Quality(mapping)
    errors: list[dict[str, Any]] = []
    counts = Counter[str]()  # received, created, changed, unchanged, rejected
    write = partial(_write_batch, session, principal, source, load)
    with _Writer(session, write, progress) as writer:
        _normalise_rows(rows, mapping, writer, counts, errors, quality)
    counts.update(writer.counts)
    for name in ("received", "created", "changed", "unchanged", "rejected"):
        setattr(load, name, counts[name])
    load.errors = errors
    load.quality = quality.summary()
    load.finished_at = utcnow()
    trail.record(
        session,
        action="source.load",
        object_type="source_load",
        object_id=load.id,
        principal=principal,
        after={
            "source": source.name, "channel": channel, "filename": filename,
            "received": load.received, "created": load.created, "changed": load.changed,
            "unchanged": load.unchanged, "rejected": load.rejected,
        },
    )  # fmt: skip
    return load


def _normalise_rows(
    rows: Iterable[tuple[int, dict[str, Any]]],
    mapping: Mapping,
    writer: _Writer,
    counts: Counter[str],
    errors: list[dict[str, Any]],
    quality: _Quality,
) -> None:
    """Map and check each row; the good ones go to ``writer`` in batches, the bad ones to
    ``errors`` with their row number."""
    batch: _Batch = []
    seen: dict[str, int] = {}
    for number, row in rows:
        counts["received"] += 1
        try:
            key, normalised = apply_mapping(mapping, row)
        except RowError as exc:
            counts["rejected"] += 1
            if len(errors) < MAX_LISTED_ERRORS:
                errors.append({"row": number, "reason": str(exc)})
            continue
        if key in seen:
            counts["rejected"] += 1
            if len(errors) < MAX_LISTED_ERRORS:
                errors.append({"row": number, "reason": f"记录编号 {key} 与第{seen[key]}行重复"})
            continue
        seen[key] = number
        quality.add(normalised)
        batch.append((key, _plain_row(row), normalised))
        if len(batch) >= BATCH:
            writer.write(batch)
            batch = []
    writer.write(batch)


class _Writer:
    """Writes the batches of a load in order, one at a time. On PostgreSQL in a thread of its
    own: the next batch is normalised while the database takes this one in (the session is used
    by that thread alone meanwhile). SQLite's connection stays in its thread."""

    def __init__(
        self,
        session: Session,
        write: Callable[[_Batch], Counter[str]],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.write_batch = write
        self.progress = progress
        self.thread = ThreadPoolExecutor(1) if is_postgres(session) else None
        self.pending: tuple[Future[Counter[str]], int] | None = None
        self.counts = Counter[str]()

    def write(self, batch: _Batch) -> None:
        self.wait()
        if not batch:
            return
        if self.thread is None:
            self.counts.update(self.write_batch(batch))
            self._done(len(batch))
            return
        # the thread sees the caller's context variables (request, principal) as they are now
        self.pending = (self.thread.submit(copy_context().run, self.write_batch, batch), len(batch))

    def wait(self) -> None:
        if self.pending is not None:
            future, size = self.pending
            self.pending = None
            self.counts.update(future.result())
            self._done(size)

    def _done(self, size: int) -> None:
        if self.progress:
            self.progress(size)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:  # a failing load too: the batch under way ends before the caller rolls back
            if self.thread is not None:
                self.thread.shutdown(wait=True)


def push_records(
    session: Session, *, principal: Principal, source: Source, records: list[dict[str, Any]]
) -> SourceLoad:
    """A pushed batch: each item is a row in the source's own columns."""
    if len(records) > MAX_PUSH_RECORDS:
        raise PayloadTooLarge(
            f"一批最多 {MAX_PUSH_RECORDS} 条记录", f"At most {MAX_PUSH_RECORDS} records a batch"
        )
    mapping = Mapping.from_dict(source.mapping)
    for record in records:  # an unknown column refuses the whole batch: nothing changes
        mapping.check_columns(list(record))
    return load_rows(
        session,
        principal=principal,
        source=source,
        rows=enumerate(records, start=1),
        channel="api",
    )


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row as received, for JSON: a value of another type (a list, a date) as its text."""
    if _PLAIN.issuperset(map(type, row.values())):  # a file's cells: text only
        return dict(row)
    return {k: _plain(v) for k, v in row.items()}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _write_batch(
    session: Session,
    principal: Principal,
    source: Source,
    load: SourceLoad,
    batch: _Batch,
) -> Counter[str]:
    """Write a batch; the count of records created, changed and unchanged."""
    repository = SourceRepository(session)
    counts = Counter[str]()
    if not batch:
        return counts
    existing = repository.current_versions(source.id, [key for key, _, _ in batch])
    houses = repository.houses_at(filter(None, (_standard(n) for _, _, n in batch)))
    now = utcnow()
    rows: list[dict[str, Any]] = []
    retired: list[int] = []
    seen_again: list[int] = []
    for key, raw, normalised in batch:
        digest = content_hash(raw)
        previous = existing.get(key)
        if previous is not None and previous[2] == digest:
            counts["unchanged"] += 1
            seen_again.append(previous[0])
            continue
        if previous is not None:
            retired.append(previous[0])
            counts["changed"] += 1
        else:
            counts["created"] += 1
        house = houses.get(_standard(normalised) or "")
        id_number = normalised.get("id_number")
        rows.append(
            {
                "record_key": key,
                "version": previous[1] + 1 if previous else 1,
                "content_hash": digest,
                "raw": raw,
                "normalised": normalised,
                "name": (normalised.get("name") or "")[:64] or None,
                "birth_date": _date(normalised.get("birth_date")),
                "id_number_hash": lookup_hash(id_number) if id_number else None,
                "status": normalised.get("status"),
                "grid_code": house[1] if house else None,
                "house_id": house[0] if house else None,
            }
        )
    repository.retire_versions(retired)
    repository.mark_seen(seen_again, now)
    common = {"source_id": source.id, "current": True, "load_id": load.id, "received_at": now,
              "seen_at": now, "received_by": principal.username}  # fmt: skip
    ids = repository.insert_records(rows, common)
    if hooks.has_listeners():
        hooks.notify(
            session,
            principal,
            source,
            [_loaded(i, source.id, r) for i, r in zip(ids, rows, strict=True)],
        )
    return counts


def _loaded(row_id: int, source_id: int, r: dict[str, Any]) -> LoadedRecord:
    return LoadedRecord(
        id=row_id,
        source_id=source_id,
        record_key=r["record_key"],
        version=r["version"],
        normalised=r["normalised"],
        raw=r["raw"],
        grid_code=r["grid_code"],
        house_id=r["house_id"],
    )


def _date(value: str | None) -> Any:
    return date.fromisoformat(value) if value else None


def _standard(normalised: dict[str, Any]) -> str | None:
    """The register's standard address of the record's flat, when it names city and district."""
    return normalised.get("current_address_std") or normalised.get("registered_address_std")


class _Quality:
    """Completeness and validity per field over the rows of a load."""

    def __init__(self, mapping: Mapping) -> None:
        self.fields = sorted(set(mapping.columns.values()))
        # which fields a row fills → rows (a register's rows share a few such patterns)
        self.patterns: Counter[tuple[bool, ...]] = Counter()
        self.id_problems: Counter[str] = Counter()
        self.id_from_15 = 0

    def add(self, normalised: dict[str, Any]) -> None:
        # A mapped field's normalised value is text: filled means neither missing nor empty.
        self.patterns[tuple(map(truth, map(normalised.get, self.fields)))] += 1
        problem = normalised.get("id_problem")
        if problem:
            self.id_problems[problem] += 1
        if normalised.get("id_from_15"):
            self.id_from_15 += 1

    def summary(self) -> dict[str, Any]:
        rows = self.patterns.total()
        filled = Counter[str]()
        for pattern, count in self.patterns.items():
            filled.update({f: count for f, on in zip(self.fields, pattern, strict=True) if on})
        return {
            "rows": rows,
            "completeness": {f: round(filled[f] / rows, 4) if rows else 0.0 for f in self.fields},
            "id_problems": dict(self.id_problems),
            "id_from_15": self.id_from_15,
        }
