"""dashboard: pre-aggregated case counts, open-case snapshot, ledger files, camera streams

Revision ID: 20261206_dashboard
Revises: 20261206_evaluation
Create Date: 2026-12-06 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_dashboard"
down_revision = "20261206_evaluation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_case_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("closed_on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "street_code", "channel", "department_code", name=op.f("pk_dashboard_case_days")
        ),
    )
    op.create_table(
        "dashboard_open_cases",
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("overdue_cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "grid_code", "department_code", name=op.f("pk_dashboard_open_cases")
        ),
    )
    op.create_table(
        "dashboard_refreshes",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("through_day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_dashboard_refreshes")),
    )
    op.create_table(
        "ledger_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=15), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_files")),
    )
    op.create_index(op.f("ix_ledger_files_region_code"), "ledger_files", ["region_code"])
    with op.batch_alter_table("facilities") as batch:
        batch.add_column(sa.Column("stream_url", sa.String(length=500), nullable=True))
    # Closures per day (the dashboard's today and the daily aggregate) read closed_at by range.
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_closed_at", table_name="cases")
    with op.batch_alter_table("facilities") as batch:
        batch.drop_column("stream_url")
    op.drop_index(op.f("ix_ledger_files_region_code"), table_name="ledger_files")
    op.drop_table("ledger_files")
    op.drop_table("dashboard_refreshes")
    op.drop_table("dashboard_open_cases")
    op.drop_table("dashboard_case_days")
