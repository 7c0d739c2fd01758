"""person imports: a checked import kept on the server until its uploader commits or discards
it, or it expires

Revision ID: 20261206_person_imports
Revises: 20261206_casereporter
Create Date: 2026-12-06 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_person_imports"
down_revision = "20261206_casereporter"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_enc", sa.Text(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("persons_created", sa.Integer(), nullable=False),
        sa.Column("households_created", sa.Integer(), nullable=False),
        sa.Column("houses_created", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_person_imports_created_by_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_imports")),
    )
    op.create_index(
        "ix_person_imports_created_by_id", "person_imports", ["created_by_id"], unique=False
    )
    op.create_index("ix_person_imports_status_expires", "person_imports", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_person_imports_status_expires", table_name="person_imports")
    op.drop_index("ix_person_imports_created_by_id", table_name="person_imports")
    op.drop_table("person_imports")
