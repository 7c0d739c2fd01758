"""person given name for indexed partial name search

Revision ID: 20261125_given_name
Revises: 20261125_population
Create Date: 2026-11-25 23:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_given_name"
down_revision: str | Sequence[str] | None = "20261125_population"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("given_name", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_persons_given_name"), ["given_name"], unique=False)
    # Existing rows: everything after the first character (compound surnames are rare).
    op.execute("UPDATE persons SET given_name = substr(name, 2) WHERE length(name) > 1")


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_given_name"))
        batch_op.drop_column("given_name")
