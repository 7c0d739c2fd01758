"""One corpus of expressions, values and expected results (``xpath_corpus.json``) for both
evaluators of the XLSForm expression language: the server's (``forms/xpath.py``) and the
phone's (``static/field/xpath.js``, run with node). What the phone accepts, the server accepts.

No maintained library replaces them: Enketo's openrosa-xpath-evaluator evaluates on an XML
document in the browser and ODK Web Forms' @getodk/xpath needs a build step (and its tree-sitter
parser); neither has a Python side, and a general XPath library there (elementpath) has none of
ODK's functions or its value rules, so the two sides would not agree by construction either.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gridgov.fieldwork.forms.xlsform import parse_definition, questions, required_expression
from gridgov.fieldwork.forms.xpath import ExpressionError, compile_expression, evaluate
from gridgov.web import STATIC_DIR
from tests.fieldwork.test_forms import SHIPPED

HERE = Path(__file__).parent
CORPUS_FILE = HERE / "xpath_corpus.json"
CASES: list[dict[str, Any]] = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))["cases"]


def _normal(value: Any) -> Any:
    """Numbers compared to 9 places; any non-finite number is ``None`` (JSON's null)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return round(float(value), 9) if math.isfinite(value) else None
    return value


@pytest.mark.parametrize("case", CASES, ids=[c["expr"] for c in CASES])
def test_server_evaluator(case: dict[str, Any]) -> None:
    if case.get("error"):
        with pytest.raises(ExpressionError):
            compile_expression(case["expr"])
        return
    result = evaluate(case["expr"], case["env"], case["dot"])
    assert _normal(result) == _normal(case["expected"])
    assert type(_normal(result)) is type(_normal(case["expected"]))  # True is not 1.0


def test_phone_evaluator() -> None:
    node = shutil.which("node")
    assert node, "node runs the phone's evaluator (it is installed wherever `make setup` runs)"
    script = STATIC_DIR / "field" / "xpath.js"
    output = subprocess.run(
        [node, str(HERE / "xpath_corpus.js"), str(script), str(CORPUS_FILE)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    results = json.loads(output)
    wrong = []
    for case, result in zip(CASES, results, strict=True):
        if case.get("error"):
            if "error" not in result:
                wrong.append((case["expr"], "should not compile", result))
        elif "value" not in result or (
            _normal(result["value"]) != _normal(case["expected"])
            or type(_normal(result["value"])) is not type(_normal(case["expected"]))
        ):
            wrong.append((case["expr"], case["expected"], result))
    assert not wrong


def test_the_corpus_covers_every_expression_of_the_shipped_modules() -> None:
    covered = {c["expr"] for c in CASES}
    used = set()
    for path in SHIPPED:
        for question in questions(parse_definition(path.read_bytes())):
            bind = question.bind
            for expression in (
                bind.get("relevant"),
                bind.get("constraint"),
                bind.get("calculate"),
                required_expression(bind),
            ):
                if expression and expression != "true()":
                    used.add(expression)
    missing = sorted(e for e in used if e not in covered and not _covered_inside(e, covered))
    assert not missing


def _covered_inside(expression: str, covered: set[str]) -> bool:
    """A calculation also counts as covered where a case uses it inside a comparison."""
    return any(expression in case for case in covered)
