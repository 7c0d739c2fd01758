"""dashboardsteps: "closed on time" of today's closed cases from an index alone (case_id, on_time)

Revision ID: 20261206_dashboardsteps
Revises: 20261206_dashboardfast
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

from alembic import op

revision = "20261206_dashboardsteps"
down_revision = "20261206_dashboardfast"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_case_steps_case_on_time", "case_steps", ["case_id", "on_time"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_case_steps_case_on_time", table_name="case_steps")
