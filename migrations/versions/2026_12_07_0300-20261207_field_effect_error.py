"""field_effect_error: why a synced record's effect failed, kept with the record so that a
re-send (``duplicate``) is answered with the reason again (issue 16 item 10)

Revision ID: 20261207_field_effect_error
Revises: 20261207_redivision_drift
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261207_field_effect_error"
down_revision = "20261207_redivision_drift"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Records that failed before this revision keep no reason (it was never stored): a re-send
    # of one is answered `effect: error` with no reason, as before.
    with op.batch_alter_table("field_submissions") as batch:
        batch.add_column(sa.Column("effect_error", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("field_submissions") as batch:
        batch.drop_column("effect_error")
