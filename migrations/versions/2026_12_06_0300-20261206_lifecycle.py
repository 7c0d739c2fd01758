"""lifecycle

Revision ID: 20261206_lifecycle
Revises: 20261206_sources
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

revision = "20261206_lifecycle"
down_revision = "20261206_sources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
