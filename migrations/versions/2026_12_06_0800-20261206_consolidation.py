"""consolidation

Revision ID: 20261206_consolidation
Revises: 20261206_hardening
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

revision = "20261206_consolidation"
down_revision = "20261206_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
