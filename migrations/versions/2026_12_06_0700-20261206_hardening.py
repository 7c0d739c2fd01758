"""hardening

Revision ID: 20261206_hardening
Revises: 20261206_redivision
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_hardening"
down_revision = "20261206_redivision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Patrols: the phone's clock drift and a flag when it is beyond the tolerance (issue 16 #18).
    with op.batch_alter_table("patrols", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_drift_s", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("clock_flagged", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # The trail: a replayed copy of an entry is found by its hash (issue 16 #5).
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_entry_hash"), ["entry_hash"])


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_entry_hash"))
    with op.batch_alter_table("patrols", schema=None) as batch_op:
        batch_op.drop_column("clock_flagged")
        batch_op.drop_column("clock_drift_s")
