"""redivision_schedule: a re-division approved for a future date waits as "scheduled" with the
structure (buildings and grids, not their household counts) it was approved on

Revision ID: 20261207_redivision_schedule
Revises: 20261206_dashboardsteps
Create Date: 2026-12-07 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261207_redivision_schedule"
down_revision = "20261206_dashboardsteps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("redivision_proposals") as batch:
        batch.add_column(sa.Column("structure_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("redivision_proposals") as batch:
        batch.drop_column("structure_fingerprint")
