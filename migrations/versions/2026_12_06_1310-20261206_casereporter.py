"""casereporter: cases found by their reporter's masked phone (a person's timeline shows the
cases they reported, city-wide; the exact phone is then compared decrypted)

Revision ID: 20261206_casereporter
Revises: 20261206_people_search
Create Date: 2026-12-06 13:10:00
"""

from __future__ import annotations

from alembic import op

revision = "20261206_casereporter"
down_revision = "20261206_people_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_reporter_phone_masked", "cases", ["reporter_phone_masked"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_cases_reporter_phone_masked", table_name="cases")
