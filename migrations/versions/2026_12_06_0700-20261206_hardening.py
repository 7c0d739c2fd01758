"""hardening

Revision ID: 20261206_hardening
Revises: 20261206_redivision
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

revision = "20261206_hardening"
down_revision = "20261206_redivision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
