"""firsthour: the vector base map (roads, compounds, buildings of the city, for offline maps);
residents' answers after closure (fixed?, satisfaction, reopened as); the command centre's saved
case list views per role

Revision ID: 20261206_firsthour
Revises: 20261206_consolidation
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_firsthour"
down_revision = "20261206_consolidation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "basemap_features",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("min_lng", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lng", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basemap_features")),
    )
    op.create_index(
        "ix_basemap_features_kind_bbox",
        "basemap_features",
        ["kind", "min_lng", "min_lat"],
        unique=False,
    )
    op.create_table(
        "case_questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reopened_number", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_questionnaires_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_questionnaires")),
    )
    op.create_index(
        op.f("ix_case_questionnaires_case_id"), "case_questionnaires", ["case_id"], unique=True
    )
    op.create_table(
        "case_saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_saved_views")),
        sa.UniqueConstraint("role", "name", name="uq_case_saved_views_role_name"),
    )
    op.create_index(op.f("ix_case_saved_views_role"), "case_saved_views", ["role"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_saved_views_role"), table_name="case_saved_views")
    op.drop_table("case_saved_views")
    op.drop_index(op.f("ix_case_questionnaires_case_id"), table_name="case_questionnaires")
    op.drop_table("case_questionnaires")
    op.drop_index("ix_basemap_features_kind_bbox", table_name="basemap_features")
    op.drop_table("basemap_features")
