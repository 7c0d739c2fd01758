"""Reading an XLSForm workbook (survey / choices / settings) into the module definition.

The definition is plain JSON: the phone renders the form from it and both the phone and the server
evaluate its expressions. A workbook is accepted only if pyxform converts it to an XForm *and*
every question uses a type and expressions that gridgov evaluates; otherwise
:class:`ModuleInvalid` names the sheet, row and reason.

gridgov columns on top of the XLSForm convention (pyxform ignores them):

- ``settings.gridgov_target``: ``person`` | ``household`` | ``house`` | ``organisation`` — a
  submission updates that record of the population base as a new version.
- ``survey.gridgov_field``: the base-record attribute a question writes (e.g. ``phone``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gridgov.fieldwork.forms.xpath import ExpressionError, compile_expression, references
from gridgov.kit.errors import BadRequest
from gridgov.kit.files import FileLimits, FileRejected, read_workbook

VALUE_TYPES = (
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
    "geopoint",
    "image",
    "calculate",
)
SUPPORTED_TYPES = (*VALUE_TYPES, "note")
TARGETS = ("person", "household", "house", "organisation")
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "required")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")


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


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, column → text)


def _language(column: str) -> str:
    """``label::中文 (zh)`` → ``zh``; ``label::English (en)`` → ``en``; plain ``label`` → ``zh``."""
    if "::" not in column:
        return "zh"
    tag = column.split("::", 1)[1].strip()
    match = re.search(r"\(([A-Za-z-]+)\)\s*$", tag)
    code = (match.group(1) if match else tag).lower()
    if code.startswith("zh") or "中文" in tag or "chinese" in code:
        return "zh"
    if code.startswith("en") or "english" in code:
        return "en"
    return code


# A form is a few hundred rows; anything far bigger is not a form.
XLSFORM_LIMITS = FileLimits(
    max_uncompressed_bytes=16 * 1024 * 1024, max_rows=20_000, max_columns=100, max_cells=400_000
)


def read_sheets(content: bytes) -> dict[str, Sheet]:
    """Every sheet, opened safely (:mod:`gridgov.kit.files`): size, rows and cells bounded."""
    sheets: dict[str, Sheet] = {}
    try:
        workbook = read_workbook(content, limits=XLSFORM_LIMITS)
    except FileRejected as exc:
        raise _invalid("-", None, exc.message_en, exc.message) from None
    for title, sheet in workbook.items():
        if not sheet.rows or sheet.rows[0][0] != 1:
            continue  # no header row
        header = sheet.rows[0][1]
        body: list[tuple[int, dict[str, str]]] = []
        for number, row in sheet.rows[1:]:
            cells = {header[i]: v for i, v in enumerate(row) if i < len(header) and header[i]}
            if any(cells.values()):
                body.append((number, cells))
        sheets[title.strip().lower()] = Sheet(title, header, body)
    return sheets


def _labels(cells: dict[str, str], prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for column, value in cells.items():
        if value and (column == prefix or column.startswith(prefix + "::")):
            out.setdefault(_language(column), value)
    return out


def _required_expression(value: str) -> str | None:
    lowered = value.strip().lower()
    if lowered in ("", "no", "false", "false()", "0"):
        return None
    if lowered in ("yes", "true", "true()", "1"):
        return "true()"
    return value


def parse_definition(content: bytes, *, fallback_code: str | None = None) -> dict[str, Any]:
    """Check a workbook and return its definition; raise :class:`ModuleInvalid` otherwise."""
    sheets = read_sheets(content)
    survey = sheets.get("survey")
    if survey is None:
        raise _invalid("survey", None, "the workbook has no 'survey' sheet", "缺少 survey 表")
    for column in ("type", "name"):
        if column not in survey.header:
            raise _invalid("survey", 1, f"missing column '{column}'", f"缺少列 {column}")

    settings_cells = (
        sheets["settings"].rows[0][1] if "settings" in sheets and sheets["settings"].rows else {}
    )
    code = settings_cells.get("form_id") or fallback_code or ""
    if not _CODE.match(code):
        raise _invalid(
            "settings",
            2,
            f"form_id {code!r} must be 2–64 lowercase letters, digits or '_' starting with a letter",
            f"form_id「{code}」须为 2–64 位小写字母、数字或下划线，以字母开头",
        )
    target = settings_cells.get("gridgov_target") or None
    if target is not None and target not in TARGETS:
        raise _invalid("settings", 2, f"gridgov_target must be one of {', '.join(TARGETS)}")

    choices: dict[str, list[dict[str, Any]]] = {}
    if "choices" in sheets:
        for number, cells in sheets["choices"].rows:
            list_name, name = cells.get("list_name", ""), cells.get("name", "")
            if not list_name or not name:
                raise _invalid(
                    "choices", number, "list_name and name are required", "list_name 和 name 必填"
                )
            if any(c["name"] == name for c in choices.get(list_name, [])):
                raise _invalid(
                    "choices",
                    number,
                    f"duplicate choice {name!r} in list {list_name!r}",
                    f"选项「{name}」重复",
                )
            choices.setdefault(list_name, []).append(
                {"name": name, "label": _labels(cells, "label")}
            )

    fields: list[dict[str, Any]] = []
    names: set[str] = set()
    groups: list[str] = []
    for number, cells in survey.rows:
        raw_type = " ".join(cells.get("type", "").split())
        name = cells.get("name", "")
        if raw_type in ("begin group", "begin_group"):
            groups.append(name)
            continue
        if raw_type in ("end group", "end_group"):
            if not groups:
                raise _invalid(
                    "survey",
                    number,
                    "'end group' without 'begin group'",
                    "end group 没有对应的 begin group",
                )
            groups.pop()
            continue
        if not raw_type:
            raise _invalid("survey", number, "type is empty", "type 为空")
        base_type, _, list_name = raw_type.partition(" ")
        if base_type not in SUPPORTED_TYPES:
            raise _invalid(
                "survey",
                number,
                f"question type {raw_type!r} is not supported (use {', '.join(SUPPORTED_TYPES)})",
                f"不支持的题型「{raw_type}」",
            )
        if not name or not _NAME.match(name):
            raise _invalid("survey", number, f"invalid name {name!r}", f"name「{name}」无效")
        if name in names:
            raise _invalid("survey", number, f"duplicate name {name!r}", f"name「{name}」重复")
        names.add(name)
        field: dict[str, Any] = {"name": name, "type": base_type, "row": number}
        if base_type in ("select_one", "select_multiple"):
            list_name = list_name.strip()
            if not list_name:
                raise _invalid(
                    "survey",
                    number,
                    f"{base_type} needs a choice list name",
                    "选择题缺少选项列表名",
                )
            if list_name not in choices:
                raise _invalid(
                    "survey",
                    number,
                    f"choice list {list_name!r} is not on the choices sheet",
                    f"选项列表「{list_name}」不存在",
                )
            field["list"] = list_name
        field["label"] = _labels(cells, "label")
        if not field["label"] and base_type not in ("calculate",):
            raise _invalid(
                "survey", number, f"question {name!r} has no label", f"题目「{name}」缺少标签"
            )
        for key in ("hint", "constraint_message", "required_message"):
            labels = _labels(cells, key)
            if labels:
                field[key] = labels
        required = _required_expression(cells.get("required", ""))
        if required:
            field["required"] = required
        for key in (
            "relevant",
            "constraint",
            "calculation",
            "default",
            "appearance",
            "gridgov_field",
        ):
            if cells.get(key):
                field[key] = cells[key]
        if base_type == "calculate" and not field.get("calculation"):
            raise _invalid(
                "survey",
                number,
                "a calculate row needs a calculation",
                "calculate 题缺少 calculation",
            )
        if groups:
            field["group"] = "/".join(groups)
        fields.append(field)
    if groups:
        raise _invalid(
            "survey", None, f"group {groups[-1]!r} is never closed", f"分组「{groups[-1]}」未结束"
        )
    if not fields:
        raise _invalid("survey", None, "the form has no questions", "表单没有题目")

    for field in fields:
        for key in EXPRESSION_COLUMNS:
            expression = field.get(key)
            if not expression or expression == "true()":
                continue
            try:
                compile_expression(expression)
                missing = references(expression) - names
            except ExpressionError as exc:
                raise _invalid(
                    "survey", field["row"], f"{key}: {exc}", f"{key} 表达式有误：{exc}"
                ) from exc
            if missing:
                raise _invalid(
                    "survey",
                    field["row"],
                    f"{key} refers to unknown field(s) {', '.join(sorted(missing))}",
                    f"{key} 引用了不存在的字段 {', '.join(sorted(missing))}",
                )

    _check_with_pyxform(content)
    title = settings_cells.get("form_title") or code
    return {
        "code": code,
        "title": title,
        "title_en": settings_cells.get("gridgov_title_en") or None,
        "form_version": settings_cells.get("version") or None,
        "target": target,
        "fields": fields,
        "choices": choices,
    }


def _check_with_pyxform(content: bytes) -> None:
    """The ODK reference converter must accept the workbook too."""
    from pyxform import xls2xform
    from pyxform.errors import PyXFormError

    try:
        xls2xform.convert(xlsform=content, file_type=".xlsx", warnings=[])
    except PyXFormError as exc:
        message = str(exc)
        match = _ROW.search(message)
        raise _invalid("survey", int(match.group(1)) if match else None, message) from exc
    except Exception as exc:  # pyxform raises plain errors for some malformed sheets
        raise _invalid("survey", None, f"{exc.__class__.__name__}: {exc}") from exc
