"""Issue 16, operations: ``gridgov backup`` / ``restore`` — a consistent, encrypted snapshot of
the database and the photos, verified by restoring it into a fresh database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.audit.chain import seal_engine
from gridgov.authz.principal import system_principal
from gridgov.kit.db import make_engine
from gridgov.kit.models import Base
from gridgov.ops import backup as backup_module
from gridgov.ops.backup import BackupError, backup, restore, row_counts, verify_backup
from tests.audit.helpers import disable_guards

DATA_KEY = "backup-test-data-key-0123456789abcdef"
PG_URL = os.environ.get("GRIDGOV_TEST_DATABASE_URL")


def populated(url: str, media: Path) -> Any:
    engine = make_engine(url)
    with Session(engine) as session:
        for i in range(4):
            trail.record(
                session, action="test.write", object_type="thing", object_id=i,
                principal=system_principal("backup-test"),
            )  # fmt: skip
        session.commit()
    (media / "2026" / "12").mkdir(parents=True)
    (media / "2026" / "12" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    return engine


@pytest.mark.parametrize("backend", ["sqlite", *(["postgresql"] if PG_URL else [])])
def test_backup_restores_into_a_fresh_database(
    backend: str, fresh_database_url: Any, tmp_path: Path
) -> None:
    url = fresh_database_url(backend)
    engine = populated(url, tmp_path / "media")
    out = tmp_path / "nightly.ggbak"
    manifest = backup(
        engine, database_url=url, media_dir=tmp_path / "media", out=out, data_key=DATA_KEY
    )
    assert manifest.kind == backend and manifest.media_files == 1
    assert manifest.tables["audit_entries"] >= 4 and manifest.trail_head[0] >= 4
    assert b"test.write" not in out.read_bytes()  # encrypted

    result = verify_backup(out, data_key=DATA_KEY, postgres_admin_url=url if PG_URL else None)
    assert result.ok, result.problems
    assert result.trail_entries >= 4 and result.rows >= sum(manifest.tables.values())

    # Restore for real (SQLite: into a new file) and find the rows and the photo.
    if backend == "sqlite":
        target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
        restored = restore(
            out, database_url=target, media_dir=tmp_path / "media2", data_key=DATA_KEY
        )
        assert (tmp_path / "media2" / "2026" / "12" / "photo.jpg").read_bytes() == (
            b"\xff\xd8 a photo"
        )
        assert row_counts(make_engine(target)) == row_counts(engine)
        assert restored.media_files == 1
        with pytest.raises(BackupError, match="exists"):
            restore(out, database_url=target, media_dir=tmp_path / "m3", data_key=DATA_KEY)
    engine.dispose()


def test_a_wrong_key_or_an_altered_backup_is_refused(
    fresh_database_url: Any, tmp_path: Path
) -> None:
    url = fresh_database_url("sqlite")
    engine = populated(url, tmp_path / "media")
    out = tmp_path / "b.ggbak"
    backup(engine, database_url=url, media_dir=tmp_path / "media", out=out, data_key=DATA_KEY)
    with pytest.raises(BackupError, match="decrypted"):
        verify_backup(out, data_key="another-key-" + "x" * 30, postgres_admin_url=None)
    cut = tmp_path / "cut.ggbak"
    cut.write_bytes(out.read_bytes()[:-100])
    with pytest.raises(BackupError):
        verify_backup(cut, data_key=DATA_KEY, postgres_admin_url=None)
    engine.dispose()


def test_verification_catches_a_tampered_trail(fresh_database_url: Any, tmp_path: Path) -> None:
    url = fresh_database_url("sqlite")
    engine = populated(url, tmp_path / "media")
    seal_engine(engine)
    with engine.begin() as conn:
        disable_guards(conn)
        conn.execute(text("UPDATE audit_entries SET object_id = 'x' WHERE seq = 2"))
    out = tmp_path / "b.ggbak"
    backup(engine, database_url=url, media_dir=tmp_path / "media", out=out, data_key=DATA_KEY)
    result = verify_backup(out, data_key=DATA_KEY, postgres_admin_url=None)
    engine.dispose()
    assert not result.ok and any("altered" in p for p in result.problems)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: pg_dump beside a live server")
def test_a_backup_of_a_busy_postgresql_server_verifies(
    fresh_database_url: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written while pg_dump runs are in neither the dump nor the manifest's counts (the
    counts come from the dump's own snapshot), so verification passes on a live server."""
    url = fresh_database_url("postgresql")
    engine = populated(url, tmp_path / "media")
    real_run = backup_module._run

    def dump_while_people_work(command: list[str]) -> None:
        real_run(command)
        with Session(engine) as session:  # committed after the snapshot was taken
            trail.record(
                session, action="test.meanwhile", object_type="thing", object_id=99,
                principal=system_principal("backup-test"),
            )  # fmt: skip
            session.commit()

    monkeypatch.setattr(backup_module, "_run", dump_while_people_work)
    out = tmp_path / "busy.ggbak"
    manifest = backup(
        engine, database_url=url, media_dir=tmp_path / "media", out=out, data_key=DATA_KEY
    )
    monkeypatch.setattr(backup_module, "_run", real_run)
    assert row_counts(engine)["audit_entries"] == manifest.tables["audit_entries"] + 1
    result = verify_backup(out, data_key=DATA_KEY, postgres_admin_url=url)
    assert result.ok, result.problems
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", *(["postgresql"] if PG_URL else [])])
def test_a_backup_from_before_a_new_table_verifies(
    backend: str, fresh_database_url: Any, tmp_path: Path
) -> None:
    """A database (or a backup) made before a migration added a table is counted and verified
    by the code of after it (verify-backup of an older nightly file crashed on the new table)."""
    url = fresh_database_url(backend)
    engine = populated(url, tmp_path / "media")
    newest = Base.metadata.sorted_tables[-1].name
    with engine.begin() as conn:
        conn.execute(text(f'DROP TABLE "{newest}"'))  # as it was before that migration
    out = tmp_path / "older.ggbak"
    manifest = backup(
        engine, database_url=url, media_dir=tmp_path / "media", out=out, data_key=DATA_KEY
    )
    assert newest not in manifest.tables and manifest.tables["audit_entries"] >= 4
    result = verify_backup(out, data_key=DATA_KEY, postgres_admin_url=url if PG_URL else None)
    assert result.ok, result.problems
    engine.dispose()
