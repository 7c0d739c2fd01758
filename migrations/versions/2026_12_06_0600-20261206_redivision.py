"""redivision

Revision ID: 20261206_redivision
Revises: 20261206_dashboard
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

revision = "20261206_redivision"
down_revision = "20261206_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
