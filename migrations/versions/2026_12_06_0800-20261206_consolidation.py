"""consolidation: verification tasks are made by the feedback move; cases' Idempotency-Key

Revision ID: 20261206_consolidation
Revises: 20261206_hardening
Create Date: 2026-12-06 08:00:00

Data only. Until now a handled case's on-site verification task was made when somebody read the
task list; from now on the feedback move makes it. Cases already waiting in ``handled`` get their
task here (the same ``source_ref`` the move uses, so nothing is made twice), so the phones see
them with their next bundle.

Cases get ``idempotency_key`` (unique, ``<user id>:<key>``) and ``idempotency_hash``: an API
client's retry with the same ``Idempotency-Key`` gets the case made the first time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_consolidation"
down_revision = "20261206_hardening"
branch_labels = None
depends_on = None

REF = "'case:' || CAST(c.id AS VARCHAR(20)) || ':verify:' || CAST(c.rework_count AS VARCHAR(10))"


def upgrade() -> None:
    op.add_column("cases", sa.Column("idempotency_key", sa.String(length=120), nullable=True))
    op.add_column("cases", sa.Column("idempotency_hash", sa.String(length=64), nullable=True))
    op.create_index("uq_cases_idempotency_key", "cases", ["idempotency_key"], unique=True)
    op.execute(
        sa.text(
            f"""
            INSERT INTO tasks (kind, title, description, grid_code, due_at, state,
                               subject_type, subject_id, lng, lat, source_ref)
            SELECT 'case_verification', '核查案件 ' || c.number, c.description, c.grid_code,
                   c.step_due_at, 'open', 'case', CAST(c.id AS VARCHAR(20)), c.lng, c.lat, {REF}
            FROM cases c
            WHERE c.state = 'handled' AND c.grid_code IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.source_ref = {REF})
            """
        )
    )


def downgrade() -> None:
    # The tasks stay: they are real work, made or not by the read that used to make them.
    op.drop_index("uq_cases_idempotency_key", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("idempotency_hash")
        batch.drop_column("idempotency_key")
