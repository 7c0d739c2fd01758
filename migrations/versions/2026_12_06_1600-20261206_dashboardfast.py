"""dashboardfast: the daily case counts split into two coarser tables (day × street × channel,
day × street × department) filled from the old one; a covering index for a facility kind's layer

Revision ID: 20261206_dashboardfast
Revises: 20261206_person_imports
Create Date: 2026-12-06 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_dashboardfast"
down_revision = "20261206_person_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_channel_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "street_code", "channel", name=op.f("pk_dashboard_channel_days")
        ),
    )
    op.create_table(
        "dashboard_department_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("closed_on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "street_code", "department_code", name=op.f("pk_dashboard_department_days")
        ),
    )
    # The days already counted keep their counts (no case is read again).
    op.execute(
        "INSERT INTO dashboard_channel_days (day, street_code, channel, reported) "
        "SELECT day, street_code, channel, sum(reported) FROM dashboard_case_days "
        "GROUP BY day, street_code, channel HAVING sum(reported) > 0"
    )
    op.execute(
        "INSERT INTO dashboard_department_days "
        "(day, street_code, department_code, reported, closed, closed_on_time) "
        "SELECT day, street_code, department_code, sum(reported), sum(closed), "
        "sum(closed_on_time) FROM dashboard_case_days GROUP BY day, street_code, department_code"
    )
    op.drop_table("dashboard_case_days")
    op.drop_index("ix_facilities_kind", table_name="facilities")
    op.create_index(
        "ix_facilities_kind_point",
        "facilities",
        ["kind", "grid_code", "lat", "lng", "updated_at"],
        unique=False,
        postgresql_include=["id"],
    )


def downgrade() -> None:
    op.drop_index("ix_facilities_kind_point", table_name="facilities")
    op.create_index("ix_facilities_kind", "facilities", ["kind"], unique=False)
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
    # The finer key cannot be rebuilt from the coarser tables: the next refresh recounts.
    op.execute("DELETE FROM dashboard_refreshes WHERE name = 'case_days'")
    op.drop_table("dashboard_department_days")
    op.drop_table("dashboard_channel_days")
