"""redivision_drift: each grid's loads as the scheduler's daily drift check found them (the
drift page's "last checked" and each grid's drift history)

Revision ID: 20261207_redivision_drift
Revises: 20261207_redivision_schedule
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261207_redivision_drift"
down_revision = "20261207_redivision_schedule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "redivision_grid_drift",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("facilities", sa.Integer(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("patrol_km_per_day", sa.Float(), nullable=False),
        sa.Column("cases_per_month", sa.Integer(), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("deviation", sa.Float(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "grid_code", name=op.f("pk_redivision_grid_drift")),
    )
    op.create_index("ix_redivision_grid_drift_grid", "redivision_grid_drift", ["grid_code", "day"])


def downgrade() -> None:
    op.drop_index("ix_redivision_grid_drift_grid", table_name="redivision_grid_drift")
    op.drop_table("redivision_grid_drift")
