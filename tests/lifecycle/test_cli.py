"""`gridgov lifecycle check-rules`: a file's problems with their lines, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gridgov.cli import app
from gridgov.lifecycle import rules


def test_check_rules_names_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default ./gridgov.db, if touched, is a scratch one
    good = tmp_path / "rules.toml"
    good.write_text(rules.default_text(), encoding="utf-8")
    bad = tmp_path / "bad.toml"
    text = rules.default_text().replace('module = "newborn_visit"', 'module = "newborn"')
    bad.write_text(text, encoding="utf-8")
    line = text.splitlines().index('module = "newborn"') + 1
    runner = CliRunner()
    ok = runner.invoke(app, ["lifecycle", "check-rules", str(good)])
    assert ok.exit_code == 0 and "17 rules, 15 services" in ok.output
    refused = runner.invoke(app, ["lifecycle", "check-rules", str(bad)])
    assert refused.exit_code == 1
    assert f"bad.toml:{line}: 未知的采集模块「newborn」" in refused.output.replace("\n", "")
