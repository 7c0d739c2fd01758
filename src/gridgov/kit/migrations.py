"""Running Alembic from code (CLI and tests): the schema only ever comes from migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


class SchemaNotAtHeadError(RuntimeError):
    """The database's schema revision is not the code's: the app refuses to start."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def script_heads() -> tuple[str, ...]:
    """The head revision(s) of the migrations shipped with this code."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config("")).get_heads()))


def database_heads(engine: Engine) -> tuple[str, ...]:
    """The revision(s) the database's schema is at (empty: no schema yet)."""
    with engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def require_head(engine: Engine) -> None:
    """Refuse a database whose schema is behind, ahead of or unknown to this code's migrations
    (pages touching newer tables would answer 500): checked once when the app is made."""
    head = ", ".join(script_heads())
    try:
        current_heads = database_heads(engine)
    except SQLAlchemyError as error:
        raise SchemaNotAtHeadError(
            f"无法读取数据库结构版本（需要 {head}）：{type(error).__name__}；请检查 "
            f"GRIDGOV_DATABASE_URL 后运行 gridgov db upgrade / Cannot read the database's schema "
            f"revision (this code needs {head}): {type(error).__name__}; check "
            "GRIDGOV_DATABASE_URL, then run `gridgov db upgrade`."
        ) from error
    current = ", ".join(current_heads) or "none"
    if current == head:
        return
    scripts = ScriptDirectory.from_config(alembic_config(""))
    known = all(_known(scripts, revision) for revision in current_heads)
    if known:
        raise SchemaNotAtHeadError(
            f"数据库结构版本为 {current}，落后于程序所需的 {head}，拒绝启动；请先运行 "
            f"gridgov db upgrade / The database schema is at revision {current}, behind this "
            f"code's {head}: refusing to start; run `gridgov db upgrade` first."
        )
    raise SchemaNotAtHeadError(
        f"数据库结构版本 {current} 不在本程序的迁移中（程序为 {head}，数据库可能由更新的版本升级过），"
        f"拒绝启动；请换用与数据库一致的 gridgov 版本后运行 gridgov db upgrade / The database "
        f"schema is at revision {current}, unknown to this code (head {head}; a newer gridgov "
        "may have migrated it): refusing to start; run the matching gridgov version, then "
        "`gridgov db upgrade`."
    )


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:  # a revision these migrations never had
        return False
