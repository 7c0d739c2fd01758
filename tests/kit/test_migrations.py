"""The migrations are the schema: one line of history, and nothing in the models they miss."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from gridgov.app import create_app
from gridgov.cli import app as cli_app
from gridgov.config import Mode, Settings
from gridgov.kit.migrations import SchemaNotAtHeadError, alembic_config, script_heads, upgrade
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


def _database_at(tmp_path: Path, revision: str) -> str:
    url = f"sqlite:///{tmp_path / 'gridgov.db'}"
    upgrade(url, revision)
    return url


def _production(url: str, tmp_path: Path) -> Settings:
    return Settings(
        mode=Mode.PRODUCTION,
        database_url=url,
        media_dir=tmp_path / "media",
        secret_key="s" * 40,
        data_key="d" * 40,
        scheduler_embedded=False,
    )


def test_a_database_one_migration_behind_is_refused_at_start(tmp_path: Path) -> None:
    (head,) = script_heads()
    previous = ScriptDirectory.from_config(alembic_config("")).get_revision(head).down_revision
    assert isinstance(previous, str)
    settings = _production(_database_at(tmp_path, previous), tmp_path)
    with pytest.raises(SchemaNotAtHeadError) as refused:
        create_app(settings)
    message = str(refused.value)
    assert previous in message and head in message and "gridgov db upgrade" in message
    assert "落后" in message and "behind" in message
    # The command line says it in one line, before uvicorn is even loaded.
    env = {"GRIDGOV_DATABASE_URL": settings.database_url, "GRIDGOV_MODE": "production"}
    env |= {"GRIDGOV_SECRET_KEY": "s" * 40, "GRIDGOV_DATA_KEY": "d" * 40, "COLUMNS": "400"}
    result = CliRunner().invoke(cli_app, ["serve"], env=env)
    assert result.exit_code == 1
    assert "gridgov db upgrade" in result.output and previous in result.output
    # Tests build their schemas themselves: mode test never checks.
    create_app(Settings(mode=Mode.TEST, database_url=settings.database_url))


def test_a_database_at_head_starts(tmp_path: Path) -> None:
    app = create_app(_production(_database_at(tmp_path, "head"), tmp_path))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/openapi.json").status_code == 200


def test_an_empty_or_unknown_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(SchemaNotAtHeadError, match="none"):
        create_app(_production(url, tmp_path))
    url = _database_at(tmp_path, "head")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '29990101_from_the_future'"))
    engine.dispose()
    with pytest.raises(SchemaNotAtHeadError, match=r"29990101_from_the_future.*unknown"):
        create_app(_production(url, tmp_path))
