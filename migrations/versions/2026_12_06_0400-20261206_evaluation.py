"""evaluation: rule sets, points, appeals

Revision ID: 20261206_evaluation
Revises: 20261206_lifecycle
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_evaluation"
down_revision = "20261206_lifecycle"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "evaluation_rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_rule_sets")),
        sa.UniqueConstraint("version", name=op.f("uq_evaluation_rule_sets_version")),
    )
    op.create_table(
        "evaluation_points",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("waived", sa.Boolean(), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", _BIGINT, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_points")),
    )
    op.create_index("uq_evaluation_points_key", "evaluation_points", ["key"], unique=True)
    op.create_index("ix_evaluation_points_day", "evaluation_points", ["day"], unique=False)
    op.create_index(
        "ix_evaluation_points_subject_day",
        "evaluation_points",
        ["subject_type", "subject_id", "day"],
        unique=False,
    )
    op.create_table(
        "evaluation_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_key", sa.String(length=160), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_appeals")),
    )
    op.create_index(
        op.f("ix_evaluation_appeals_point_key"), "evaluation_appeals", ["point_key"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_evaluation_appeals_point_key"), table_name="evaluation_appeals")
    op.drop_table("evaluation_appeals")
    op.drop_index("ix_evaluation_points_subject_day", table_name="evaluation_points")
    op.drop_index("ix_evaluation_points_day", table_name="evaluation_points")
    op.drop_index("uq_evaluation_points_key", table_name="evaluation_points")
    op.drop_table("evaluation_points")
    op.drop_table("evaluation_rule_sets")
