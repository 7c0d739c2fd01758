"""diversiondept: the department that diverted a grid worker, on the worker's diversion report
(the evaluation's work_diverted deducts from it)

Revision ID: 20261206_diversiondept
Revises: 20261206_dispatch_deadline
Create Date: 2026-12-06 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_diversiondept"
down_revision = "20261206_dispatch_deadline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("diversion_reports") as batch:
        batch.add_column(sa.Column("department_code", sa.String(length=32), nullable=True))
    op.create_index(
        "ix_diversion_reports_created_at", "diversion_reports", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_diversion_reports_created_at", table_name="diversion_reports")
    with op.batch_alter_table("diversion_reports") as batch:
        batch.drop_column("department_code")
