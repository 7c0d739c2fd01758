"""jobs

Revision ID: 20261206_jobs
Revises: 20261126_field_personal
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

revision = "20261206_jobs"
down_revision = "20261126_field_personal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
