"""dispatch deadline: the handling time the dispatcher gave (within the category's limit) and
the approved extensions of the current dispatch, so a rework keeps them

Revision ID: 20261206_dispatch_deadline
Revises: 20261206_firsthour
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_dispatch_deadline"
down_revision = "20261206_firsthour"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("handle_minutes", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("extension_minutes_granted", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("extension_minutes_granted")
        batch.drop_column("handle_minutes")
