"""Checking a submission against its module, on the server, with the phone's rules.

The module is pyxform's JSON form (:mod:`gridgov.fieldwork.forms.xlsform`); its questions are
read in form order, groups flattened. ``calculate`` binds are recomputed, questions whose
``relevant`` (or a group's around them) is false are dropped, then ``required``, type, choice and
``constraint`` are checked. Expressions are compiled once per
module version (:class:`CompiledModule`), so checking a record is a handful of closure calls.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gridgov.fieldwork.forms.xlsform import questions, required_expression, text_in
from gridgov.fieldwork.forms.xpath import Compiled, compile_expression, to_bool, to_string

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN = (str, int, float)


@dataclass
class FieldRule:
    name: str
    type: str
    label: str
    choices: frozenset[str] = frozenset()
    required: Compiled | None = None
    relevant: tuple[Compiled, ...] = ()  # the groups' around the question, then its own
    constraint: Compiled | None = None
    calculation: Compiled | None = None
    constraint_message: dict[str, str] = field(default_factory=dict)

    def is_relevant(self, env: dict[str, Any]) -> bool:
        return all(to_bool(expression(env, "")) for expression in self.relevant)


@dataclass
class FieldError:
    field: str
    code: str
    message: str
    message_en: str

    def to_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }


class CompiledModule:
    def __init__(self, definition: dict[str, Any]) -> None:
        self.code: str = definition["id_string"]
        self.target: str | None = definition.get("gridgov_target")
        self.rules: list[FieldRule] = []
        self.bindings: dict[str, str] = {}
        for question in questions(definition):
            node, bind = question.node, question.bind
            required = required_expression(bind)
            message = bind.get("jr:constraintMsg")
            rule = FieldRule(
                name=question.name,
                type=question.type,
                label=text_in(node.get("label")) or question.name,
                choices=frozenset(str(c["name"]) for c in node.get("choices") or []),
                required=compile_expression(required) if required else None,
                relevant=tuple(compile_expression(e) for e in question.relevant),
                constraint=compile_expression(bind["constraint"])
                if bind.get("constraint")
                else None,
                calculation=compile_expression(bind["calculate"])
                if bind.get("calculate")
                else None,
                constraint_message=(
                    {"zh": text_in(message, "zh"), "en": text_in(message, "en")} if message else {}
                ),
            )
            self.rules.append(rule)
            if node.get("gridgov_field"):
                self.bindings[question.name] = str(node["gridgov_field"])
        self.names = frozenset(rule.name for rule in self.rules)

    def check(self, data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
        """The clean values to store, and every problem found (empty: the record is valid)."""
        errors: list[FieldError] = []
        for unknown in sorted(set(data) - self.names):
            errors.append(
                FieldError(unknown, "unknown", "表单中没有此字段", "no such field in the form")
            )
        values: dict[str, Any] = {}
        env: dict[str, Any] = {}
        malformed: set[str] = set()
        for rule in self.rules:
            if rule.type in ("note", "calculate"):
                continue
            value, problem = _coerce(rule, data.get(rule.name))
            if problem:
                errors.append(problem)
                malformed.add(rule.name)
                value = None
            values[rule.name] = value
            env[rule.name] = value if type(value) in _PLAIN else _expression_value(value)
        for rule in self.rules:
            if rule.calculation is not None:
                result = rule.calculation(env, "")
                if isinstance(result, float) and math.isnan(result):
                    result = ""
                if rule.type == "calculate":
                    values[rule.name] = None if result == "" else result
                    env[rule.name] = result
        clean: dict[str, Any] = {}
        for rule in self.rules:
            if rule.type == "note":
                continue
            if not rule.is_relevant(env):
                env[rule.name] = ""
                continue
            value = values.get(rule.name)
            empty = value is None or value == "" or value == []
            if empty:
                if rule.name in malformed:
                    continue
                if rule.required is not None and to_bool(rule.required(env, "")):
                    errors.append(
                        FieldError(
                            rule.name,
                            "required",
                            f"「{rule.label}」必填",
                            f"{rule.name} is required",
                        )
                    )
                continue
            if rule.constraint is not None and not to_bool(rule.constraint(env, env[rule.name])):
                message = rule.constraint_message
                errors.append(
                    FieldError(
                        rule.name,
                        "constraint",
                        message.get("zh") or f"「{rule.label}」不符合要求",
                        message.get("en") or f"{rule.name} does not meet the constraint",
                    )
                )
            clean[rule.name] = value
        return clean, errors


def _expression_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], float | int) and not isinstance(value[0], bool):
            return " ".join(to_string(v) for v in value)
        return " ".join(str(v) for v in value)
    return value


def _type_error(rule: FieldRule, zh: str, en: str) -> FieldError:
    return FieldError(rule.name, "type", f"「{rule.label}」{zh}", f"{rule.name}: {en}")


def _coerce(rule: FieldRule, raw: Any) -> tuple[Any, FieldError | None]:
    if raw is None or raw == "" or raw == []:
        return None, None
    kind = rule.type
    if kind == "text":
        if isinstance(raw, dict | list):
            return None, _type_error(rule, "应为文本", "expected text")
        return str(raw), None
    if kind == "integer":
        if isinstance(raw, bool):
            return None, _type_error(rule, "应为整数", "expected an integer")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None, _type_error(rule, "应为整数", "expected an integer")
        if not number.is_integer():
            return None, _type_error(rule, "应为整数", "expected an integer")
        return int(number), None
    if kind == "decimal":
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None, _type_error(rule, "应为数字", "expected a number")
        if math.isnan(number) or math.isinf(number):
            return None, _type_error(rule, "应为数字", "expected a number")
        return number, None
    if kind == "date":
        text = str(raw)[:10]
        if not _DATE.match(text):
            return None, _type_error(rule, "应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD")
        try:
            date.fromisoformat(text)
        except ValueError:
            return None, _type_error(rule, "日期无效", "invalid date")
        return text, None
    if kind == "select one":
        text = str(raw)
        if text not in rule.choices:
            return None, FieldError(
                rule.name,
                "choice",
                f"「{rule.label}」选项无效",
                f"{rule.name}: unknown choice {text!r}",
            )
        return text, None
    if kind == "select all that apply":
        items = raw.split() if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return None, _type_error(rule, "应为选项列表", "expected a list of choices")
        bad = [i for i in items if i not in rule.choices]
        if bad:
            return None, FieldError(
                rule.name,
                "choice",
                f"「{rule.label}」选项无效",
                f"{rule.name}: unknown choice(s) {bad}",
            )
        return sorted(set(items), key=items.index), None
    if kind == "geopoint":
        parts = raw.split() if isinstance(raw, str) else raw
        try:
            lat, lng = float(parts[0]), float(parts[1])
        except (TypeError, ValueError, IndexError, KeyError):
            return None, _type_error(rule, "应为坐标", "expected 'lat lng'")
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return None, _type_error(rule, "坐标超出范围", "coordinates out of range")
        return [lat, lng], None
    if kind == "photo":
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            return None, _type_error(rule, "应为照片编号", "expected a photo id")
        return str(raw), None
    return raw, None
