"""``gridgov modules``: add a tenth module from a file, refuse a broken one with its row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gridgov.cli import app
from gridgov.config import get_settings
from gridgov.kit.db import reset_engine
from tests.fieldwork.test_forms import xlsx


def test_modules_add_list_and_check(
    fresh_database_url: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", fresh_database_url("sqlite"))
    monkeypatch.setenv("GRIDGOV_MODE", "test")
    runner = CliRunner()
    good = tmp_path / "tenth.xlsx"
    good.write_bytes(xlsx([["type", "name", "label"], ["integer", "stalls", "摊位数"]]))
    result = runner.invoke(app, ["modules", "add", str(good)])
    assert result.exit_code == 0, result.output
    assert "tenth_module version 1: added" in result.output
    again = runner.invoke(app, ["modules", "add", str(good)])
    assert "unchanged" in again.output
    listing = runner.invoke(app, ["modules", "list"])
    assert (
        listing.exit_code == 0
        and "tenth_module" in listing.output
        and "population" in listing.output
    )
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(xlsx([["type", "name", "label"], ["text", "a", "A"], ["text", "a", "B"]]))
    refused = runner.invoke(app, ["modules", "add", str(broken)])
    assert refused.exit_code == 1 and "row 3" in refused.output
    assert runner.invoke(app, ["modules", "check", str(broken)]).exit_code == 1
    get_settings.cache_clear()
    reset_engine()  # the CLI bound the process-wide engine to this test's database
