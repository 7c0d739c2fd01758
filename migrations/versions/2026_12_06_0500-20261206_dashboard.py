"""dashboard

Revision ID: 20261206_dashboard
Revises: 20261206_evaluation
Create Date: 2026-12-06 05:00:00
"""

from __future__ import annotations

revision = "20261206_dashboard"
down_revision = "20261206_evaluation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
