"""people search: pinyin and initials in one index (filter and pinyin order of a latin search
without reading rows), one partial index per tag in name order

Revision ID: 20261206_people_search
Revises: 20261206_taskrefusal
Create Date: 2026-12-06 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_people_search"
down_revision = "20261206_taskrefusal"
branch_labels = None
depends_on = None

# The tags of gridgov.people.tags.TAGS at this revision (a migration does not follow the code).
TAGS = (
    "elderly_alone",
    "empty_nest_elderly",
    "disabled",
    "low_income",
    "left_behind_child",
    "veteran",
    "released_prisoner",
    "community_correction",
    "drug_user",
    "mental_disorder",
    "aids_risk",
    "key_youth",
)


def _has(code: str) -> sa.TextClause:
    return sa.text(f"tag_codes LIKE '%,{code},%'")


def upgrade() -> None:
    op.create_index("ix_persons_pinyin", "persons", ["name_pinyin", "name_initials"])
    op.drop_index("ix_persons_name_pinyin", table_name="persons")
    for code in TAGS:
        op.create_index(
            f"ix_persons_tag_{code}",
            "persons",
            ["name"],
            sqlite_where=_has(code),
            postgresql_where=_has(code),
        )


def downgrade() -> None:
    for code in TAGS:
        op.drop_index(f"ix_persons_tag_{code}", table_name="persons")
    op.create_index("ix_persons_name_pinyin", "persons", ["name_pinyin"])
    op.drop_index("ix_persons_pinyin", table_name="persons")
