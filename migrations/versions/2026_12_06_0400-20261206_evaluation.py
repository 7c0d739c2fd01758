"""evaluation

Revision ID: 20261206_evaluation
Revises: 20261206_lifecycle
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

revision = "20261206_evaluation"
down_revision = "20261206_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
