"""Rotating the application's keys (``gridgov keys new|rotate``, docs/operations.md).

Two secrets protect stored data:

- ``GRIDGOV_SECRET_KEY`` keys the trail's hash chain (and the forms' CSRF tokens). After a
  rotation the retired secrets (``GRIDGOV_RETIRED_SECRET_KEYS``) still verify the entries they
  hashed and linked (``audit/chain.py``); nothing is re-chained, so every anchor signed before
  keeps matching its position. ``rotate`` writes the ``keys.rotated`` entry, sealed under the
  new secret: from there on the chain only accepts the new one.
- ``GRIDGOV_DATA_KEY`` encrypts ID numbers and phones and keys their lookup hashes. ``rotate``
  re-encrypts every value still sealed under a retired key and recomputes its lookup hash, in
  batches of one transaction each, while the server runs (reads accept any key of the ring,
  exact searches look for every key's hash). A batch only rewrites a value that is still the one
  it read, so an edit made meanwhile is never undone; stopped halfway, ``rotate`` again goes on
  where it stopped (values already under the current key are skipped).

Sessions are random tokens stored as hashes: a rotation signs nobody out.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, Engine, Table, select, update

from gridgov.audit import trail
from gridgov.audit.chain import ROTATION_ACTION, seal_engine
from gridgov.authz.principal import system_principal
from gridgov.config import Settings
from gridgov.kit import crypto, sealed
from gridgov.kit.db import job_session
from gridgov.kit.models import Base
from gridgov.models.case import Case
from gridgov.models.field_submission import FieldSubmission, SyncConflict
from gridgov.models.lifecycle import LifeEvent
from gridgov.models.person import Person
from gridgov.models.source import SourceRecord

BATCH = 500


def new_key() -> str:
    """A fresh random secret (64 URL-safe characters, no comma)."""
    return secrets.token_urlsafe(48)


def fingerprint(secret: str) -> str:
    """What the trail and the logs name a key by (never the key)."""
    return hashlib.sha256(b"gridgov-key-fingerprint|" + secret.encode()).hexdigest()[:12]


@dataclass
class Rekeyed:
    """Values re-encrypted (or lookup hashes recomputed) per table."""

    tables: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.tables.values())


def mark_rotation(engine: Engine, settings: Settings) -> dict[str, Any]:
    """Seal what is pending, then write the ``keys.rotated`` entry (fingerprints only)."""
    seal_engine(engine)
    after = {
        "secret_key": fingerprint(settings.secret_key),
        "retired_secret_keys": [fingerprint(k) for k in settings.secret_key_ring[:-1]],
        "data_key": fingerprint(settings.data_key),
        "retired_data_keys": [fingerprint(k) for k in settings.data_key_ring[:-1]],
    }
    record(ROTATION_ACTION, after)
    seal_engine(engine)
    return after


def record(action: str, after: dict[str, Any]) -> None:
    """One trail entry of the rotation, committed on its own."""
    with job_session() as session:
        trail.record(
            session,
            action=action,
            object_type="keys",
            principal=system_principal("keys.rotate"),
            after=after,
        )


# ------------------------------------------------------------------ the data key


def _rekeyed_token(token: Any) -> tuple[str, str] | None:
    """(new ciphertext, plain value) for a token still under a retired key, else None."""
    if not isinstance(token, str) or not token or crypto.under_current_key(token):
        return None
    plain = crypto.decrypt(token)
    return crypto.encrypt(plain), plain


def _batches(engine: Engine, table: Table, columns: list[Column[Any]]) -> Iterator[Sequence[Any]]:
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(table.c.id, *columns)
                .where(table.c.id > last)
                .order_by(table.c.id)
                .limit(BATCH)
            ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rewrite(
    engine: Engine,
    table: Table,
    columns: list[Column[Any]],
    change: Callable[[Any], dict[str, Any] | None],
) -> int:
    """Apply ``change`` (row → new values, or None) to every row, batch by batch; a row is only
    written while its (non-JSON) columns still hold what was read: compare and set."""
    count = 0
    for rows in _batches(engine, table, columns):
        with engine.begin() as conn:
            for row in rows:
                values = change(row)
                if not values:
                    continue
                unchanged = [
                    column.is_(None) if row._mapping[column.name] is None
                    else column == row._mapping[column.name]
                    for column in columns
                    if not isinstance(column.type, JSON)
                ]  # fmt: skip
                result = conn.execute(
                    update(table).where(table.c.id == row.id, *unchanged).values(**values)
                )
                count += result.rowcount
    return count


def _person(row: Any) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for name in ("id_number", "phone"):
        rekeyed = _rekeyed_token(row._mapping[f"{name}_enc"])
        if rekeyed:
            values[f"{name}_enc"] = rekeyed[0]
            values[f"{name}_hash"] = crypto.lookup_hash(rekeyed[1])
    return values or None


def _case(row: Any) -> dict[str, Any] | None:
    rekeyed = _rekeyed_token(row.reporter_phone_enc)
    return {"reporter_phone_enc": rekeyed[0]} if rekeyed else None


def _sealed_answers(data: Any) -> dict[str, Any] | None:
    """A field record's answers or a life event's payload with every sealed value
    (``kit/sealed.py``) re-encrypted (None: none)."""
    if not isinstance(data, dict):
        return None
    changed = False
    out = dict(data)
    for name, value in data.items():
        if sealed.is_sealed(value):
            rekeyed = _rekeyed_token(value["enc"])
            if rekeyed:
                out[name] = {"enc": rekeyed[0], "masked": value["masked"]}
                changed = True
    return out if changed else None


def _submission(row: Any) -> dict[str, Any] | None:
    data = _sealed_answers(row.data)
    return {"data": data} if data is not None else None


def _life_event(row: Any) -> dict[str, Any] | None:
    payload = _sealed_answers(row.payload)
    return {"payload": payload} if payload is not None else None


def _conflict(row: Any) -> dict[str, Any] | None:
    record = row.record if isinstance(row.record, dict) else None
    data = _sealed_answers(record.get("data")) if record else None
    return {"record": {**record, "data": data}} if record and data is not None else None


def _source_record(row: Any) -> dict[str, Any] | None:
    number = (row.normalised or {}).get("id_number") if isinstance(row.normalised, dict) else None
    if not number:
        return None
    digest = crypto.lookup_hash(number)
    return {"id_number_hash": digest} if digest != row.id_number_hash else None


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


Change = Callable[[Any], dict[str, Any] | None]


def _jobs() -> list[tuple[Table, list[Column[Any]], Change]]:
    persons, cases = _table(Person), _table(Case)
    submissions, conflicts = _table(FieldSubmission), _table(SyncConflict)
    records, events = _table(SourceRecord), _table(LifeEvent)
    return [
        (persons, [persons.c.id_number_enc, persons.c.phone_enc], _person),
        (cases, [cases.c.reporter_phone_enc], _case),
        (submissions, [submissions.c.data], _submission),
        (conflicts, [conflicts.c.record], _conflict),
        (events, [events.c.payload], _life_event),
        (records, [records.c.normalised, records.c.id_number_hash], _source_record),
    ]


def rekey_data(engine: Engine) -> Rekeyed:
    """Everything sealed or hashed under a retired data key, under the current one."""
    result = Rekeyed()
    for table, columns, change in _jobs():
        result.tables[table.name] = _rewrite(engine, table, columns, change)
    return result


def remaining(engine: Engine) -> Rekeyed:
    """Rows that still hold a value of a retired data key (none: ``rotate`` is complete)."""
    result = Rekeyed()
    for table, columns, change in _jobs():
        result.tables[table.name] = sum(
            1 for rows in _batches(engine, table, columns) for row in rows if change(row)
        )
    return result
