from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from gridgov.cli import app
from gridgov.config import get_settings
from gridgov.kit.db import make_engine, reset_engine
from tests.audit.helpers import disable_guards

runner = CliRunner()


@pytest.fixture
def cli_db(backend: str, fresh_database_url, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = str(fresh_database_url(backend))
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", url)
    monkeypatch.setenv("GRIDGOV_MODE", "test")
    yield url
    reset_engine()
    get_settings.cache_clear()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_user_commands_and_audit_verify(cli_db: str) -> None:
    created = invoke("user", "create", "--username", "Sec1", "--role", "security_admin")
    assert created.exit_code == 0, created.output
    password = re.search(r"initial password: (\S+)", created.output)
    assert password and len(password.group(1)) >= 10
    bad = invoke("user", "create", "--username", "worker1", "--role", "grid_worker")
    assert bad.exit_code == 1 and "region" in bad.output
    invalid = invoke("user", "create", "--username", "x'; DROP TABLE users;--", "--role", "leader")
    assert invalid.exit_code == 1 and "username" in invalid.output
    weak = invoke("user", "create", "--username", "aud", "--role", "auditor", "--password", "short")
    assert weak.exit_code == 1
    dup = invoke("user", "create", "--username", "sec1", "--role", "auditor")
    assert dup.exit_code == 1 and "taken" in dup.output
    listed = invoke("user", "list")
    assert "sec1" in listed.output and "security_admin" in listed.output
    assert invoke("user", "disable", "sec1").exit_code == 0
    assert invoke("user", "enable", "sec1").exit_code == 0
    reset = invoke("user", "reset-password", "sec1")
    assert reset.exit_code == 0 and "initial password" in reset.output
    assert invoke("user", "disable", "nobody").exit_code == 1

    ok = invoke("audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert "trail intact" in ok.output
    head = re.search(r"head (\d+):([0-9a-f]{64})", ok.output)
    assert head and int(head.group(1)) >= 4
    assert invoke("audit", "verify", "--head", f"{head.group(1)}:{head.group(2)}").exit_code == 0

    engine = make_engine(cli_db)
    with engine.begin() as conn:
        disable_guards(conn)
        victim = conn.execute(text("SELECT id FROM audit_entries WHERE seq = 2")).scalar_one()
        conn.execute(
            text("UPDATE audit_entries SET username = 'mallory' WHERE id = :id"), {"id": victim}
        )
    engine.dispose()
    broken = invoke("audit", "verify")
    assert broken.exit_code == 1
    assert f"entry id={victim} seq=2" in broken.output
