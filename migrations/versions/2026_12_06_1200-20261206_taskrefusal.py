"""taskrefusal: a grid worker refuses a task (with a reason code, free text, or neither)

Revision ID: 20261206_taskrefusal
Revises: 20261206_sources_closing
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_taskrefusal"
down_revision = "20261206_sources_closing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tasks", sa.Column("refused_by", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("refusal_reason", sa.String(length=32), nullable=True))
    op.add_column("tasks", sa.Column("refusal_note", sa.Text(), nullable=True))
    op.create_index(op.f("ix_tasks_refused_at"), "tasks", ["refused_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tasks_refused_at"), table_name="tasks")
    op.drop_column("tasks", "refusal_note")
    op.drop_column("tasks", "refusal_reason")
    op.drop_column("tasks", "refused_by")
    op.drop_column("tasks", "refused_at")
