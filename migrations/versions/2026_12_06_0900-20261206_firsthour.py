"""firsthour

Revision ID: 20261206_firsthour
Revises: 20261206_consolidation
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

revision = "20261206_firsthour"
down_revision = "20261206_consolidation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
