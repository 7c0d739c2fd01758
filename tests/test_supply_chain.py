"""Every machine installs the same stack: each dependency of pyproject.toml is pinned in
requirements.lock (``make lock`` after a change), and the migrations compute nothing with the
libraries installed today (a migration's result must not change with a library's version)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["dev"]}
    pinned = {
        line.split("==")[0].strip().lower().replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    missing = sorted(wanted - pinned)
    assert not missing, f"not pinned in requirements.lock (run `make lock`): {missing}"


def test_migrations_import_no_library_that_computes_data() -> None:
    computing = ("chinese_calendar", "lunar_python", "pypinyin", "opencc")
    found = [
        f"{path.name}: {line.strip()}"
        for path in sorted((ROOT / "migrations" / "versions").glob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("import ", "from ")) and any(m in line for m in computing)
    ]
    assert not found, "migrations must freeze what they need:\n" + "\n".join(found)
