"""The migrations are the schema: one line of history, and nothing in the models they miss."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from gridgov.kit.migrations import alembic_config
from gridgov.kit.models import Base


def test_history_has_one_head() -> None:
    # Two heads means two branches were merged in git but not in Alembic: a fresh upgrade
    # would then depend on the order Alembic happens to pick.
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, heads


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
