"""The phone's expression evaluator (xpath.js) gives the server's answers (xpath.py) on the same
expressions — what the phone accepts, the server accepts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from gridgov.fieldwork.forms.xpath import evaluate
from gridgov.web import STATIC_DIR
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.fieldwork.test_forms import SHIPPED

pytestmark = pytest.mark.browser

CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("${a} + 2 * 3", {"a": 1}, ""),
    ("${a} div 4", {"a": 10}, ""),
    ("7 mod 3", {}, ""),
    ("-${a} < 0 and not(${a} = 2)", {"a": 1}, ""),
    (". >= 1 and . <= 50", {}, 51),
    (". >= 1 and . <= 50", {}, "7"),
    ("${x} = 'floating'", {"x": "floating"}, ""),
    ("${x} != 'normal'", {"x": ""}, ""),
    ("${n} = 3", {"n": "3"}, ""),
    ("${empty} > 3", {"empty": ""}, ""),
    ("selected(${m}, 'b')", {"m": "a b"}, ""),
    ("count-selected(${m})", {"m": "a b c"}, ""),
    ("string-length(.) <= 3", {}, "abcd"),
    ("regex(., '^1[3-9][0-9]{9}$')", {}, "13800138000"),
    ("regex(., '^[1-9][0-9]{16}[0-9X]$')", {}, "11010519491231002X"),
    ("if(${s} >= 90, 'A', if(${s} >= 70, 'B', 'C'))", {"s": 75}, ""),
    (". <= today()", {}, "1990-01-01"),
    (". <= today()", {}, "2999-01-01"),
    ("'2026-01-02' > '2026-01-01'", {}, ""),
    ("concat(${a}, '-', ${b})", {"a": "x", "b": 2}, ""),
    ("coalesce(${a}, 'none')", {"a": ""}, ""),
    ("round(2.345, 2) + int(7.9)", {}, ""),
    ("contains(${t}, '垃圾') or starts-with(${t}, 'x')", {"t": "暴露垃圾"}, ""),
    ("age('2000-01-01') >= 26", {}, ""),
]


def _normal(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if math.isnan(value) else round(float(value), 9)
    return value


def _module_expressions() -> list[tuple[str, dict[str, Any], Any]]:
    """Every expression of the nine shipped modules, on empty answers."""
    from gridgov.fieldwork.forms.xlsform import parse_definition

    out = []
    for path in SHIPPED:
        for field in parse_definition(path.read_bytes())["fields"]:
            for key in ("relevant", "constraint", "calculation", "required"):
                if field.get(key):
                    out.append((field[key], {}, ""))
    return out


def test_js_and_python_agree() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    playwright_api = pytest.importorskip("playwright.sync_api")
    cases = CASES + _module_expressions()
    script = (STATIC_DIR / "field" / "xpath.js").read_text()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_content("<html><body></body></html>")
            page.add_script_tag(content=script)
            js = page.evaluate(
                "cases => cases.map(([e, env, dot]) => { const v = GridXPath.evaluate(e, env, dot);"
                " return (typeof v === 'number' && Number.isNaN(v)) ? null : v; })",
                json.loads(json.dumps(cases)),
            )
        finally:
            browser.close()
    python = [_normal(evaluate(e, env, dot)) for e, env, dot in cases]
    mismatches = [
        (case[0], py, j)
        for case, py, j in zip(cases, python, [_normal(v) for v in js], strict=True)
        if py != j
    ]
    assert not mismatches
