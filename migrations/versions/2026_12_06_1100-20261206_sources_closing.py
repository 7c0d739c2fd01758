"""sources_closing: findings are closed with a reason and not written again while unchanged
(fingerprint); when a load last carried a source record (seen_at, for persons no source has
seen for years); a person merged into another keeps its row, pointing at the survivor

Revision ID: 20261206_sources_closing
Revises: 20261206_diversiondept
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_sources_closing"
down_revision = "20261206_diversiondept"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE source_records SET seen_at = received_at")
    with op.batch_alter_table("source_findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_source_findings_fingerprint"), ["fingerprint"], unique=False
        )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_persons_merged_into_id_persons"),
            "persons",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_persons_merged_into_id_persons"), type_="foreignkey"
        )
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("source_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_findings_fingerprint"))
        batch_op.drop_column("fingerprint")
        batch_op.drop_column("close_reason")
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.drop_column("seen_at")
