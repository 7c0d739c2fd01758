"""auth accounts, sessions, append-only audit trail guards

Revision ID: 20261125_auth
Revises: 93d6d220b737
Create Date: 2026-11-25 22:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_auth"
down_revision: str | Sequence[str] | None = "93d6d220b737"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every column of audit_entries except the two the sealer fills in exactly once.
_AUDIT_CONTENT_COLUMNS = (
    "id",
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "channel",
    "request_id",
    "purpose",
    "before",
    "after",
    "entry_hash",
    "note",
)

_PG_GUARD = """
CREATE OR REPLACE FUNCTION gridgov_audit_entries_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.seq IS NULL AND OLD.chain_hash IS NULL
     AND NEW.seq IS NOT NULL AND NEW.chain_hash IS NOT NULL
     AND (to_jsonb(NEW) - 'seq' - 'chain_hash') = (to_jsonb(OLD) - 'seq' - 'chain_hash') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=24), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_users_staff_id_staff"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_role"), ["role"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_region_code"), ["region_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_users_department_code"), ["department_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_users_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("grid_codes", sa.JSON(), nullable=True),
        sa.Column("client", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_auth_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        sa.UniqueConstraint("sid", name=op.f("uq_auth_sessions_sid")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_sessions_token_hash")),
        sa.UniqueConstraint("refresh_hash", name=op.f("uq_auth_sessions_refresh_hash")),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_auth_sessions_expires_at"), ["expires_at"], unique=False
        )

    # The sealer looks for entries without a place in the chain.
    op.create_index(
        "ix_audit_entries_unsealed",
        "audit_entries",
        ["id"],
        unique=False,
        sqlite_where=sa.text("seq IS NULL"),
        postgresql_where=sa.text("seq IS NULL"),
    )
    op.create_index("ix_audit_entries_username", "audit_entries", ["username"], unique=False)

    # Append-only: nothing may update (except sealing once) or delete a trail entry.
    if op.get_context().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
        op.execute(
            "CREATE TRIGGER gridgov_audit_entries_append_only BEFORE UPDATE OR DELETE "
            "ON audit_entries FOR EACH ROW EXECUTE FUNCTION gridgov_audit_entries_guard()"
        )
        op.execute(
            "CREATE TRIGGER gridgov_audit_entries_no_truncate BEFORE TRUNCATE "
            "ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION gridgov_audit_entries_guard()"
        )
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _AUDIT_CONTENT_COLUMNS)
        op.execute(
            "CREATE TRIGGER gridgov_audit_entries_no_update BEFORE UPDATE ON audit_entries "
            "WHEN OLD.seq IS NOT NULL OR OLD.chain_hash IS NOT NULL "
            f"OR NEW.seq IS NULL OR NEW.chain_hash IS NULL OR {changed} "
            "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only (UPDATE refused)'); END"
        )
        op.execute(
            "CREATE TRIGGER gridgov_audit_entries_no_delete BEFORE DELETE ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only (DELETE refused)'); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS gridgov_audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER IF EXISTS gridgov_audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS gridgov_audit_entries_guard()")
    else:
        op.execute("DROP TRIGGER IF EXISTS gridgov_audit_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS gridgov_audit_entries_no_delete")
    op.drop_index("ix_audit_entries_username", table_name="audit_entries")
    op.drop_index("ix_audit_entries_unsealed", table_name="audit_entries")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_expires_at"))
        batch_op.drop_index(batch_op.f("ix_auth_sessions_user_id"))
    op.drop_table("auth_sessions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_staff_id"))
        batch_op.drop_index(batch_op.f("ix_users_department_code"))
        batch_op.drop_index(batch_op.f("ix_users_region_code"))
        batch_op.drop_index(batch_op.f("ix_users_role"))
    op.drop_table("users")
