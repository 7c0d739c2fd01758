"""one head

Revision ID: 20261126_one_head
Revises: 20261125_auth, 20261125_fieldwork, 20261125_cases_pending, 20261125_given_name
Create Date: 2026-11-26 01:44:15.386452
"""

from collections.abc import Sequence

revision: str = "20261126_one_head"
down_revision: str | Sequence[str] | None = (
    "20261125_auth",
    "20261125_fieldwork",
    "20261125_cases_pending",
    "20261125_given_name",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
