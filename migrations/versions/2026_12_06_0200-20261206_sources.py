"""sources

Revision ID: 20261206_sources
Revises: 20261206_jobs
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_sources"
down_revision = "20261206_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("mapping_text", sa.Text(), nullable=False),
        sa.Column("may_create_persons", sa.Boolean(), nullable=False),
        sa.Column("api_key_hash", sa.String(length=200), nullable=True),
        sa.Column("api_key_prefix", sa.String(length=12), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_index(
        op.f("ix_sources_department_code"), "sources", ["department_code"], unique=False
    )
    op.create_table(
        "source_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("quality", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_loads_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_loads")),
    )
    op.create_index(op.f("ix_source_loads_source_id"), "source_loads", ["source_id"], unique=False)
    op.create_table(
        "source_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("normalised", sa.JSON(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("house_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["load_id"],
            ["source_loads.id"],
            name=op.f("fk_source_records_load_id_source_loads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_records_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_records")),
    )
    op.create_index(
        "ix_source_records_current",
        "source_records",
        ["source_id", "record_key", "current"],
        unique=False,
    )
    op.create_index(
        op.f("ix_source_records_grid_code"), "source_records", ["grid_code"], unique=False
    )
    op.create_index(
        op.f("ix_source_records_id_number_hash"), "source_records", ["id_number_hash"], unique=False
    )
    op.create_index(
        "uq_source_records_key_version",
        "source_records",
        ["source_id", "record_key", "version"],
        unique=True,
    )
    op.create_table(
        "person_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("duplicate_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_id"],
            ["persons.id"],
            name=op.f("fk_person_merges_duplicate_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_merges_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
    )
    op.create_index(
        op.f("ix_person_merges_grid_code"), "person_merges", ["grid_code"], unique=False
    )
    op.create_index(
        "uq_person_merges_pair", "person_merges", ["person_id", "duplicate_id"], unique=True
    )
    op.create_table(
        "source_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_record_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_source_findings_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_findings_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_source_findings_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_findings")),
    )
    op.create_index(
        op.f("ix_source_findings_department_code"),
        "source_findings",
        ["department_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_source_findings_grid_code"), "source_findings", ["grid_code"], unique=False
    )
    op.create_index(op.f("ix_source_findings_kind"), "source_findings", ["kind"], unique=False)
    op.create_table(
        "source_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_source_links_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_links_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_source_links_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_links")),
    )
    op.create_index(op.f("ix_source_links_decision"), "source_links", ["decision"], unique=False)
    op.create_index(op.f("ix_source_links_grid_code"), "source_links", ["grid_code"], unique=False)
    op.create_index(op.f("ix_source_links_person_id"), "source_links", ["person_id"], unique=False)
    op.create_index(
        "ix_source_links_source_current",
        "source_links",
        ["source_id", "current", "decision"],
        unique=False,
    )
    op.create_index(
        op.f("ix_source_links_source_record_id"), "source_links", ["source_record_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_source_links_source_record_id"), table_name="source_links")
    op.drop_index("ix_source_links_source_current", table_name="source_links")
    op.drop_index(op.f("ix_source_links_person_id"), table_name="source_links")
    op.drop_index(op.f("ix_source_links_grid_code"), table_name="source_links")
    op.drop_index(op.f("ix_source_links_decision"), table_name="source_links")
    op.drop_table("source_links")
    op.drop_index(op.f("ix_source_findings_kind"), table_name="source_findings")
    op.drop_index(op.f("ix_source_findings_grid_code"), table_name="source_findings")
    op.drop_index(op.f("ix_source_findings_department_code"), table_name="source_findings")
    op.drop_table("source_findings")
    op.drop_index("uq_person_merges_pair", table_name="person_merges")
    op.drop_index(op.f("ix_person_merges_grid_code"), table_name="person_merges")
    op.drop_table("person_merges")
    op.drop_index("uq_source_records_key_version", table_name="source_records")
    op.drop_index(op.f("ix_source_records_id_number_hash"), table_name="source_records")
    op.drop_index(op.f("ix_source_records_grid_code"), table_name="source_records")
    op.drop_index("ix_source_records_current", table_name="source_records")
    op.drop_table("source_records")
    op.drop_index(op.f("ix_source_loads_source_id"), table_name="source_loads")
    op.drop_table("source_loads")
    op.drop_index(op.f("ix_sources_department_code"), table_name="sources")
    op.drop_table("sources")
