"""redivision: proposals, the grids they changed, and where moved records belonged before

Revision ID: 20261206_redivision
Revises: 20261206_dashboard
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_redivision"
down_revision = "20261206_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "redivision_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("households_moved", sa.Integer(), nullable=False),
        sa.Column("solver_status", sa.String(length=16), nullable=False),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=200), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redivision_proposals")),
    )
    op.create_index(
        op.f("ix_redivision_proposals_community_code"),
        "redivision_proposals",
        ["community_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_redivision_proposals_state"), "redivision_proposals", ["state"], unique=False
    )
    op.create_table(
        "redivision_grid_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geometry_before", sa.Text(), nullable=True),
        sa.Column("households_before", sa.Integer(), nullable=False),
        sa.Column("households_after", sa.Integer(), nullable=False),
        sa.Column("related_codes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["redivision_proposals.id"],
            name=op.f("fk_redivision_grid_changes_proposal_id_redivision_proposals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redivision_grid_changes")),
    )
    op.create_index(
        op.f("ix_redivision_grid_changes_grid_code"),
        "redivision_grid_changes",
        ["grid_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_redivision_grid_changes_proposal_id"),
        "redivision_grid_changes",
        ["proposal_id"],
        unique=False,
    )
    op.create_table(
        "redivision_record_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("from_grid", sa.String(length=15), nullable=False),
        sa.Column("to_grid", sa.String(length=15), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["redivision_proposals.id"],
            name=op.f("fk_redivision_record_moves_proposal_id_redivision_proposals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redivision_record_moves")),
    )
    op.create_index(
        op.f("ix_redivision_record_moves_proposal_id"),
        "redivision_record_moves",
        ["proposal_id"],
        unique=False,
    )
    op.create_index(
        "ix_redivision_record_moves_record",
        "redivision_record_moves",
        ["record_type", "record_id", "effective_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_redivision_record_moves_record", table_name="redivision_record_moves")
    op.drop_index(
        op.f("ix_redivision_record_moves_proposal_id"), table_name="redivision_record_moves"
    )
    op.drop_table("redivision_record_moves")
    op.drop_index(
        op.f("ix_redivision_grid_changes_proposal_id"), table_name="redivision_grid_changes"
    )
    op.drop_index(
        op.f("ix_redivision_grid_changes_grid_code"), table_name="redivision_grid_changes"
    )
    op.drop_table("redivision_grid_changes")
    op.drop_index(op.f("ix_redivision_proposals_state"), table_name="redivision_proposals")
    op.drop_index(op.f("ix_redivision_proposals_community_code"), table_name="redivision_proposals")
    op.drop_table("redivision_proposals")
