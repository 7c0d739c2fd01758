"""life events: resident ID numbers and phones in the payload encrypted at rest

Revision ID: 20261207_life_event_personal
Revises: 20261207_field_effect_error
Create Date: 2026-12-07 04:00:00

Data only, no schema change. What intake stored in plain in ``life_events.payload`` becomes what
it stores now (``gridgov.lifecycle.events.sealed_payload`` over ``gridgov.kit.sealed``, frozen
here as migrations must be): each value of a field that carries a resident ID number (the
mother's, the father's, the spouse's, the birth certificate's …) or a phone becomes
``{"enc": <crypto.encrypt>, "masked": <mask>}``; a value sealed already stays as it is.

Runs with the deployment's ``GRIDGOV_DATA_KEY`` (like every encrypted column), on SQLite and
PostgreSQL alike (the JSON is read and written through SQLAlchemy). Not reversible: writing
personal data back in plain is not a thing a migration should do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from gridgov.kit.crypto import encrypt, mask_id_number, mask_phone

revision: str = "20261207_life_event_personal"
down_revision: str | Sequence[str] | None = "20261207_field_effect_error"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
ID_NUMBER_FIELDS = (
    "id_number", "mother_id", "father_id", "spouse_id", "guardian_id", "birth_cert_no",
    "mother_id_number", "father_id_number", "spouse_id_number", "guardian_id_number",
)  # fmt: skip
PHONE_FIELDS = ("phone", "guardian_phone", "mother_phone", "father_phone")
MASKS: dict[str, Callable[[str], str]] = {
    **{name: mask_id_number for name in ID_NUMBER_FIELDS},
    **{name: mask_phone for name in PHONE_FIELDS},
}

events = sa.table("life_events", sa.column("id", sa.Integer), sa.column("payload", sa.JSON))


def _sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"enc", "masked"}


def _seal(payload: Any) -> Any:
    """The payload with its protected values sealed; None when there is nothing to seal."""
    if not isinstance(payload, dict):
        return None
    out = dict(payload)
    for name, mask in MASKS.items():
        value = out.get(name)
        if value is None or value == "" or _sealed(value):
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out[name] = {"enc": encrypt(text), "masked": mask(text)}
    return out if out != payload else None


def upgrade() -> None:
    connection = op.get_bind()
    statement = (
        events.update()
        .where(events.c.id == sa.bindparam("row_id"))
        .values(payload=sa.bindparam("new_payload"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.payload)
            .where(events.c.id > last)
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = [
            {"row_id": row_id, "new_payload": sealed}
            for row_id, payload in rows
            if (sealed := _seal(payload)) is not None
        ]
        if changed:
            connection.execute(statement, changed)
        last = rows[-1][0]


def downgrade() -> None:
    raise NotImplementedError("irreversible: personal data is not written back in plain")
