"""field records: resident ID numbers and phones encrypted at rest, content hashes keyed

Revision ID: 20261126_field_personal
Revises: 20261126_one_head
Create Date: 2026-11-26 02:30:00

Data only, no schema change. What the field app stored in plain becomes what it stores now
(``gridgov.fieldwork.sync.personal``, frozen here as migrations must be):

- in ``field_submissions.data`` and in ``field_sync_conflicts.record["data"]``, each answer of a
  question whose ``gridgov_field`` is ``id_number`` or ``phone`` (looked up in the module version
  the record names; the newest version when a conflict's record names none), and any answer
  named ``id_number`` or ``phone``, becomes ``{"enc": <crypto.encrypt>, "masked": <mask>}``;
- task results made from such records keep the masks only (the full value stays encrypted in
  the submission the task names);
- every ``content_hash`` h becomes ``crypto.lookup_hash(h)``: the sync service now stores the
  keyed hash of the same SHA-256, so a phone re-sending a record stored before this migration
  still gets ``duplicate`` (or 409 for other content), and no unkeyed digest of a record with a
  resident ID stays in the tables.

Runs with the deployment's ``GRIDGOV_DATA_KEY`` (like every encrypted column). Not reversible:
the keyed hashes cannot be turned back, and writing personal data back in plain is not a thing a
migration should do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from gridgov.kit.crypto import encrypt, lookup_hash, mask_id_number, mask_phone

revision: str = "20261126_field_personal"
down_revision: str | Sequence[str] | None = "20261126_one_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
MASKS: dict[str, Callable[[str], str]] = {"id_number": mask_id_number, "phone": mask_phone}
Questions = dict[str, Callable[[str], str]]

modules = sa.table(
    "field_modules",
    sa.column("code", sa.String),
    sa.column("version", sa.Integer),
    sa.column("definition", sa.JSON),
)
submissions = sa.table(
    "field_submissions",
    sa.column("id", sa.Integer),
    sa.column("uuid", sa.String),
    sa.column("module_code", sa.String),
    sa.column("module_version", sa.Integer),
    sa.column("data", sa.JSON),
    sa.column("content_hash", sa.String),
)
conflicts = sa.table(
    "field_sync_conflicts",
    sa.column("id", sa.Integer),
    sa.column("record", sa.JSON),
    sa.column("content_hash", sa.String),
)
tasks = sa.table(
    "tasks",
    sa.column("id", sa.Integer),
    sa.column("result", sa.JSON),
    sa.column("result_submission_uuid", sa.String),
)


def _questions(connection: sa.Connection) -> dict[tuple[str, int | None], Questions]:
    """(module, version) → protected question → mask; (module, None) is the newest version."""
    found: dict[tuple[str, int | None], Questions] = {}
    newest: dict[str, int] = {}
    for code, version, definition in connection.execute(
        sa.select(modules.c.code, modules.c.version, modules.c.definition)
    ):
        questions = dict(MASKS)
        for field in (definition or {}).get("fields", []):
            attribute = field.get("gridgov_field")
            if attribute in MASKS:
                questions[field["name"]] = MASKS[attribute]
        found[(code, version)] = questions
        if version > newest.get(code, 0):
            newest[code] = version
            found[(code, None)] = questions
    return found


def _sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"enc", "masked"}


def _plain(value: Any) -> str | None:
    if value is None or value == "" or _sealed(value):
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _seal(data: Any, questions: Questions) -> Any:
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for name, mask in questions.items():
        text = _plain(out.get(name))
        if text is not None:
            out[name] = {"enc": encrypt(text), "masked": mask(text)}
    return out


def _mask(data: Any, questions: Questions) -> Any:
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for name, mask in questions.items():
        text = _plain(out.get(name))
        if text is not None:
            out[name] = mask(text)
    return out


def _pages(connection: sa.Connection, statement: sa.Select, id_column: Any) -> Iterator[Any]:
    """The rows of ``statement`` (id first) in id order, ``BATCH`` at a time (keyset paging)."""
    last = 0
    while True:
        rows = connection.execute(
            statement.where(id_column > last).order_by(id_column).limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(
    connection: sa.Connection, table: sa.TableClause, columns: Sequence[str], rows: list[tuple]
) -> None:
    """``rows``: (id, *new values of ``columns``)."""
    if not rows:
        return
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in columns})
    )
    connection.execute(
        statement,
        [
            {"row_id": row[0], **{f"new_{n}": v for n, v in zip(columns, row[1:], strict=True)}}
            for row in rows
        ],
    )


def upgrade() -> None:
    connection = op.get_bind()
    questions = _questions(connection)

    def asked(code: str | None, version: int | None) -> Questions:
        return questions.get((code, version), MASKS) if code else MASKS

    s = submissions.c
    for rows in _pages(
        connection,
        sa.select(s.id, s.module_code, s.module_version, s.data, s.content_hash),
        s.id,
    ):
        _update(
            connection,
            submissions,
            ("data", "content_hash"),
            [
                (row_id, _seal(data, asked(code, version)), lookup_hash(digest))
                for row_id, code, version, data, digest in rows
            ],
        )
    c = conflicts.c
    for rows in _pages(connection, sa.select(c.id, c.record, c.content_hash), c.id):
        changed = []
        for row_id, record, digest in rows:
            if isinstance(record, dict) and isinstance(record.get("data"), dict):
                module = asked(record.get("module"), record.get("module_version"))
                record = {**record, "data": _seal(record["data"], module)}
            changed.append((row_id, record, lookup_hash(digest)))
        _update(connection, conflicts, ("record", "content_hash"), changed)
    t = tasks.c
    made_from = sa.select(t.id, t.result, s.module_code, s.module_version).join_from(
        tasks, submissions, s.uuid == t.result_submission_uuid
    )
    for rows in _pages(connection, made_from, t.id):
        _update(
            connection,
            tasks,
            ("result",),
            [
                (row_id, _mask(result, asked(code, version)))
                for row_id, result, code, version in rows
                if isinstance(result, dict)
            ],
        )


def downgrade() -> None:
    raise NotImplementedError("irreversible: keyed content hashes cannot be turned back")
