"""`gridgov jobs list / run` on a fresh database, and the embedded scheduler of the app."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from gridgov.app import create_app
from gridgov.cli import app as cli
from gridgov.config import Mode, Settings
from gridgov.jobs.scheduler import Scheduler


def test_run_and_list_from_the_command_line(fresh_database_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", url)
    runner = CliRunner()
    result = runner.invoke(cli, ["jobs", "run", "deadlines.flag"])
    assert result.exit_code == 0, result.output
    assert "deadlines.flag" in result.output and "0 rows" in result.output
    listing = runner.invoke(cli, ["jobs", "list"])
    assert listing.exit_code == 0 and "stats.refresh" in listing.output
    assert runner.invoke(cli, ["jobs", "run", "no.such.job"]).exit_code == 2
    life = runner.invoke(cli, ["jobs", "run", "lifecycle.computed_events"])
    assert life.exit_code == 0 and "0 rows" in life.output, life.output
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT job, kind, rows, error FROM job_runs")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("deadlines.flag", "manual", 0, None),
        ("lifecycle.computed_events", "manual", 0, None),
    ]


def test_the_app_starts_its_scheduler_only_when_asked(fresh_database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    quiet = create_app(Settings(mode=Mode.TEST, database_url=url, media_dir=tmp_path))
    with TestClient(quiet):
        assert quiet.state.scheduler is None
    asked = Settings(mode=Mode.TEST, database_url=url, media_dir=tmp_path, scheduler_embedded=True)
    app = create_app(asked)
    with TestClient(app):
        scheduler = app.state.scheduler
        assert isinstance(scheduler, Scheduler)
        assert {"audit.seal", "stats.refresh"} <= set(scheduler.jobs)
    engine = create_engine(url)
    with engine.connect() as conn:
        leases = set(conn.execute(text("SELECT name FROM job_leases")).scalars())
    engine.dispose()
    assert {"audit.seal", "deadlines.flag", "stats.refresh"} <= leases
