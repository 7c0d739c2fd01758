"""An XLSForm workbook → the module definition, which is pyxform's own JSON form.

pyxform (the ODK reference converter) reads the workbook and builds its JSON form
(``workbook_to_json``), from which it also writes the XForm. That JSON is the definition gridgov
stores, the phone renders (``static/field/app.js``) and the server checks submissions with
(:mod:`gridgov.fieldwork.forms.validate`)::

    {"type": "survey", "id_string": "population", "title": "…", "version": "2026112601",
     "default_language": "中文 (zh)", "gridgov_target": "person", "gridgov_title_en": "…",
     "children": [{"type": "text", "name": "phone", "label": {"中文 (zh)": "…", "English (en)": "…"},
                   "bind": {"required": "yes", "relevant": "…", "constraint": "…",
                            "jr:constraintMsg": "…", "calculate": "…"},
                   "gridgov_field": "phone"},
                  {"type": "select one", "name": "sex", "choices": [{"name": "M", "label": …}]},
                  {"type": "group", "name": "g", "bind": {"relevant": "…"}, "children": […]}, …],
     "choices": {…}}

A workbook is accepted if pyxform converts it to an XForm *and* every question uses a type and
expressions gridgov evaluates; otherwise :class:`ModuleInvalid` names the sheet, row and reason.

gridgov columns on top of the XLSForm convention (pyxform passes them through):

- ``settings.gridgov_target``: ``person`` | ``household`` | ``house`` | ``organisation`` — a
  submission updates that record of the population base as a new version.
- ``settings.gridgov_title_en``: the module's English title.
- ``survey.gridgov_field``: the base-record attribute a question writes (e.g. ``phone``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gridgov.fieldwork.forms.xpath import ExpressionError, compile_expression, references
from gridgov.kit.errors import BadRequest
from gridgov.kit.files import FileLimits, FileRejected, read_workbook

# pyxform's question types that gridgov renders and checks ("photo" is XLSForm's "image").
QUESTION_TYPES = (
    "text",
    "integer",
    "decimal",
    "date",
    "select one",
    "select all that apply",
    "geopoint",
    "photo",
    "calculate",
    "note",
)
SELECT_TYPES = ("select one", "select all that apply")
TARGETS = ("person", "household", "house", "organisation")
# bind keys holding an expression; "required" may also be pyxform's yes/no.
EXPRESSION_KEYS = ("relevant", "constraint", "calculate", "required")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_LANGUAGE_CODE = re.compile(r"\(([A-Za-z-]+)\)\s*$")
# pyxform's yes/no words (pyxform.aliases.yes_no, pinned by a test): the server reads them on
# every start and must not import pyxform for that.
YES_NO = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "true()"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "false()"), False),
}


class ModuleInvalid(BadRequest):
    code = "module_invalid"


def _invalid(
    sheet: str, row: int | None, reason: str, reason_zh: str | None = None
) -> ModuleInvalid:
    where = f"{sheet} 表第 {row} 行" if row else f"{sheet} 表"
    where_en = f"sheet '{sheet}', row {row}" if row else f"sheet '{sheet}'"
    return ModuleInvalid(
        f"XLSForm 有误（{where}）：{reason_zh or reason}",
        f"Invalid XLSForm ({where_en}): {reason}",
        sheet=sheet,
        row=row,
        reason=reason,
    )


# A form is a few hundred rows; anything far bigger is not a form.
XLSFORM_LIMITS = FileLimits(
    max_uncompressed_bytes=16 * 1024 * 1024, max_rows=20_000, max_columns=100, max_cells=400_000
)


# ---- reading pyxform's JSON (the one place that knows its shape on the server) ----------------


def language_code(name: str) -> str:
    """pyxform's language name → ``zh`` / ``en``: ``中文 (zh)`` → ``zh``, ``English (en)`` →
    ``en``; ``default`` (a column without ``::language``) stays ``default``."""
    match = _LANGUAGE_CODE.search(name)
    code = (match.group(1) if match else name).strip().lower()
    if code.startswith("zh") or "中文" in name or "chinese" in code:
        return "zh"
    if code.startswith("en") or "english" in code:
        return "en"
    return code


def text_in(value: Any, language: str = "zh") -> str:
    """A label, hint or message of pyxform's JSON (a string, or one per language) in
    ``language``, else in Chinese, else in any language the form has."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or not value:
        return ""
    by_code = {language_code(name): text for name, text in value.items() if text}
    for code in (language, "zh", "default", "en"):
        if by_code.get(code):
            return str(by_code[code])
    return str(next(iter(by_code.values()), ""))


def required_expression(bind: dict[str, Any]) -> str | None:
    """``bind.required`` as an expression: pyxform's yes/no words (``yes``, ``TRUE``, ``no`` …)
    become ``true()`` or nothing."""
    value = str(bind.get("required") or "").strip()
    if not value:
        return None
    if value in YES_NO:
        return "true()" if YES_NO[value] else None
    return value


@dataclass(frozen=True)
class Question:
    """A question of the form, in form order, with the ``relevant`` expressions of the groups
    around it (outermost first) and its own last."""

    node: dict[str, Any]
    relevant: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.node["name"])

    @property
    def type(self) -> str:
        return str(self.node["type"])

    @property
    def bind(self) -> dict[str, Any]:
        return dict(self.node.get("bind") or {})


def questions(definition: dict[str, Any]) -> list[Question]:
    """Every question of a definition, groups flattened; pyxform's own bodyless groups
    (``meta/instanceID``) are not questions."""
    return list(_walk(definition, ()))


def _walk(node: dict[str, Any], relevant: tuple[str, ...]) -> Iterator[Question]:
    for child in node.get("children") or []:
        own = (child.get("bind") or {}).get("relevant")
        scope = (*relevant, own) if own else relevant
        if child.get("type") in ("group", "repeat"):
            if not (child.get("control") or {}).get("bodyless"):
                yield from _walk(child, scope)
            continue
        yield Question(child, scope)


# ---- reading a workbook ---------------------------------------------------------------------


def parse_definition(content: bytes, *, fallback_code: str | None = None) -> dict[str, Any]:
    """Check a workbook and return its definition (pyxform's JSON); raise
    :class:`ModuleInvalid` otherwise. ``fallback_code`` is the form id of a workbook whose
    settings have no ``form_id``."""
    # lazy: pyxform takes seconds to import; an upload pays for it, not every start
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    try:
        read_workbook(content, limits=XLSFORM_LIMITS)  # opened safely first (zip, size, cells)
    except FileRejected as exc:
        raise _invalid("-", None, exc.message_en, exc.message) from None
    rows: dict[str, list[int]] = {}  # name → the survey rows that use it
    try:
        workbook = get_xlsform(xlsform=content, file_type=".xlsx")
        workbook.fallback_form_name = fallback_code
        for index, cells in enumerate(workbook.survey or [], start=2):  # row 1: the header
            if cells.get("name"):
                rows.setdefault(str(cells["name"]), []).append(index)
        definition = workbook_to_json(
            workbook_dict=workbook, fallback_form_name=fallback_code, warnings=[]
        )
        _check(definition, rows)
        # The XForm is the proof that pyxform accepts the whole form (references, binds …).
        create_survey_element_from_dict(definition).to_xml(validate=False, warnings=[])
    except PyXFormError as exc:
        message = str(exc)
        match = _ROW.search(message)
        raise _invalid("survey", int(match.group(1)) if match else None, message) from exc
    except ModuleInvalid:
        raise
    except Exception as exc:  # pyxform raises plain errors for some malformed sheets
        raise _invalid("survey", None, f"{exc.__class__.__name__}: {exc}") from exc
    return definition


def _check(definition: dict[str, Any], rows: dict[str, list[int]]) -> None:
    """What gridgov needs on top of pyxform: an id it can name, a known target, types and
    expressions it evaluates, names unique across groups (a submission is flat)."""
    code = str(definition.get("id_string") or "")
    if not _CODE.match(code):
        raise _invalid(
            "settings",
            2,
            f"form_id {code!r} must be 2–64 lowercase letters, digits or '_' starting with a letter",
            f"form_id「{code}」须为 2–64 位小写字母、数字或下划线，以字母开头",
        )
    target = definition.get("gridgov_target")
    if target is not None and target not in TARGETS:
        raise _invalid("settings", 2, f"gridgov_target must be one of {', '.join(TARGETS)}")
    _check_containers(definition, rows)
    found = questions(definition)
    if not found:
        raise _invalid("survey", None, "the form has no questions", "表单没有题目")
    names: set[str] = set()
    for question in found:
        row = _row(rows, question.name, 1 if question.name in names else 0)
        if question.type not in QUESTION_TYPES:
            raise _invalid(
                "survey",
                row,
                f"question type {question.type!r} is not supported "
                f"(use {', '.join(QUESTION_TYPES)})",
                f"不支持的题型「{question.type}」",
            )
        if question.name in names:
            raise _invalid(
                "survey", row, f"duplicate name {question.name!r}", f"name「{question.name}」重复"
            )
        names.add(question.name)
        if question.type in SELECT_TYPES and not question.node.get("choices"):
            raise _invalid(
                "survey",
                row,
                f"{question.name}: choices must be on the choices sheet",
                f"题目「{question.name}」的选项须在 choices 表中",
            )
    for question in found:
        _check_expressions(question.name, question.bind, names, rows)
    _check_groups_expressions(definition, names, rows)


def _row(rows: dict[str, list[int]], name: str, nth: int = 0) -> int | None:
    found = rows.get(name, [])
    return found[min(nth, len(found) - 1)] if found else None


def _check_containers(node: dict[str, Any], rows: dict[str, list[int]]) -> None:
    for child in node.get("children") or []:
        if child.get("type") == "repeat":
            raise _invalid(
                "survey",
                _row(rows, str(child.get("name"))),
                "repeat groups are not supported (a record holds one answer per question)",
                "不支持重复组（begin repeat）：每条记录每题一个答案",
            )
        if child.get("type") == "group":
            _check_containers(child, rows)


def _check_groups_expressions(
    node: dict[str, Any], names: set[str], rows: dict[str, list[int]]
) -> None:
    for child in node.get("children") or []:
        if child.get("type") == "group" and not (child.get("control") or {}).get("bodyless"):
            _check_expressions(str(child["name"]), child.get("bind") or {}, names, rows)
            _check_groups_expressions(child, names, rows)


def _check_expressions(
    name: str, bind: dict[str, Any], names: set[str], rows: dict[str, list[int]]
) -> None:
    for key in EXPRESSION_KEYS:
        expression = required_expression(bind) if key == "required" else bind.get(key)
        if not expression or expression == "true()":
            continue
        try:
            compile_expression(expression)
            missing = references(expression) - names
        except ExpressionError as exc:
            raise _invalid(
                "survey", _row(rows, name), f"{key}: {exc}", f"{key} 表达式有误：{exc}"
            ) from exc
        if missing:
            raise _invalid(
                "survey",
                _row(rows, name),
                f"{key} refers to unknown field(s) {', '.join(sorted(missing))}",
                f"{key} 引用了不存在的字段 {', '.join(sorted(missing))}",
            )
