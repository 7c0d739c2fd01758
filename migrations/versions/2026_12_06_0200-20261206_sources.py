"""sources

Revision ID: 20261206_sources
Revises: 20261206_jobs
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

revision = "20261206_sources"
down_revision = "20261206_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
