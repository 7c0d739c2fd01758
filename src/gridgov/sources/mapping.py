"""Mapping files: a department's columns → gridgov's fields, value maps and date formats.

A source is declared, not coded (``mappings/*.toml`` are the five of the reference city)::

    [source]
    title = "公安户籍"
    department = "police"
    kind = "hukou"
    record_id = "RYBH"          # the column holding the department's own record id
    may_create_persons = true

    [columns]
    XM = "name"
    CSRQ = "birth_date"

    [dates]
    birth_date = "YYYYMMDD"

    [values.status]
    "1" = "deceased"

A broken mapping is refused with the line and the reason (:class:`MappingError`).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from gridgov.kit.errors import BadRequest
from gridgov.sources.addresses import clean_address, flat_key, parse_address
from gridgov.sources.normalise import (
    DATE_FORMATS,
    normalise_id,
    normalise_name,
    normalise_phone,
    normalise_sex,
    parse_date,
)

# gridgov's fields a column may map to, by how they are normalised.
NAME_FIELDS = frozenset({"name", "former_name", "mother_name", "father_name", "guardian_name"})
ID_FIELDS = frozenset({"id_number", "mother_id_number", "father_id_number", "guardian_id_number"})
PHONE_FIELDS = frozenset({"phone", "guardian_phone"})
DATE_FIELDS = frozenset(
    {"birth_date", "death_date", "registered_on", "enrolled_on", "contract_end", "permit_expires_on",
     "licence_valid_until", "event_date"}
)  # fmt: skip
ADDRESS_FIELDS = frozenset({"registered_address", "current_address"})
TEXT_FIELDS = frozenset(
    {"id_type", "household_no", "relation_to_head", "status", "ethnicity", "credit_code",
     "org_name", "tenure", "pension_status", "hospital", "birth_order", "sex"}
)  # fmt: skip
FIELDS = NAME_FIELDS | ID_FIELDS | PHONE_FIELDS | DATE_FIELDS | ADDRESS_FIELDS | TEXT_FIELDS
# The statuses gridgov understands; value maps translate a department's codes into these.
STATUSES = frozenset(
    {"normal", "deceased", "moved_out", "lapsed", "stopped", "active", "closed", "revoked"}
)
KINDS = frozenset({"hukou", "birth", "social_security", "housing", "licence", "other"})

# GB 3304 ethnicity codes 01–56 in order.
GB3304 = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
ETHNICITY_CODES = {f"{i:02d}": f"{name}族" for i, name in enumerate(GB3304, start=1)}


class MappingError(BadRequest):
    """A mapping file that cannot be used; ``line`` points at the problem."""

    def __init__(self, line: int | None, reason: str, reason_en: str) -> None:
        where = f"第{line}行：" if line else ""
        where_en = f"line {line}: " if line else ""
        super().__init__(
            f"映射文件有误，{where}{reason}", f"Bad mapping file, {where_en}{reason_en}", line=line
        )
        self.line = line


class RowError(ValueError):
    """A row that cannot be loaded; the message (Chinese) is shown with its row number."""


@dataclass(frozen=True)
class Mapping:
    title: str
    department: str
    kind: str
    record_id: str
    may_create_persons: bool
    columns: dict[str, str]  # source column → gridgov field
    dates: dict[str, str] = field(default_factory=dict)  # gridgov field → format
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {code: value}

    @cached_property
    def plan(self) -> tuple[tuple[str, Step], ...]:
        """The normalisation step of each mapped column (see :func:`apply_mapping`)."""
        return _plan(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "department": self.department,
            "kind": self.kind,
            "record_id": self.record_id,
            "may_create_persons": self.may_create_persons,
            "columns": self.columns,
            "dates": self.dates,
            "values": self.values,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        return cls(**data)

    def check_columns(self, header: list[str]) -> None:
        """Refuse a file whose header lacks a mapped column or has one the mapping ignores."""
        present = set(header)
        missing = [c for c in [self.record_id, *self.columns] if c not in present]
        if missing:
            raise BadRequest(
                f"文件缺少映射中的列：{'、'.join(missing)}",
                f"The file lacks mapped columns: {', '.join(missing)}",
                missing=missing,
            )
        unknown = sorted(present - set(self.columns) - {self.record_id})
        if unknown:
            raise BadRequest(
                f"文件有映射中没有的列：{'、'.join(unknown)}",
                f"The file has columns the mapping does not know: {', '.join(unknown)}",
                unknown=unknown,
            )


def _line_of(text: str, needle: str) -> int | None:
    pattern = re.compile(rf"^\s*\"?{re.escape(needle)}\"?\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def parse_mapping(text: str) -> Mapping:
    """Parse and check a mapping file; :class:`MappingError` names the line and the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise MappingError(
            int(found.group(1)) if found else None, f"TOML 语法错误（{exc}）", f"TOML syntax: {exc}"
        ) from None
    head = data.get("source")
    if not isinstance(head, dict):
        raise MappingError(None, "缺少 [source] 段", "the [source] table is missing")
    for key in ("title", "department", "kind", "record_id"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            raise MappingError(_line_of(text, key), f"[source] 缺少 {key}", f"[source] needs {key}")
    if head["kind"] not in KINDS:
        raise MappingError(
            _line_of(text, "kind"),
            f"未知的来源类型 {head['kind']}",
            f"unknown kind {head['kind']} (one of {', '.join(sorted(KINDS))})",
        )
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise MappingError(None, "缺少 [columns] 段", "the [columns] table is missing or empty")
    for column, target in columns.items():
        if target not in FIELDS:
            raise MappingError(
                _line_of(text, column),
                f"列 {column} 映射到未知字段 {target}",
                f"column {column} maps to unknown field {target}",
            )
    targets = list(columns.values())
    for target in set(targets):
        if targets.count(target) > 1:
            raise MappingError(
                None, f"字段 {target} 被映射了多次", f"field {target} is mapped more than once"
            )
    dates = data.get("dates", {})
    for target, fmt in dates.items():
        if target not in DATE_FIELDS or target not in targets:
            raise MappingError(
                _line_of(text, target),
                f"日期格式指向未映射的日期字段 {target}",
                f"a date format for {target}, which is not a mapped date field",
            )
        if fmt not in DATE_FORMATS and "%" not in fmt:
            raise MappingError(
                _line_of(text, target), f"未知的日期格式 {fmt}", f"unknown date format {fmt}"
            )
    values = data.get("values", {})
    for target, table in values.items():
        if target not in targets or not isinstance(table, dict):
            raise MappingError(
                _line_of(text, f"[values.{target}]") or None,
                f"值映射指向未映射的字段 {target}",
                f"a value map for {target}, which is not mapped",
            )
        if target == "status":
            for code, status in table.items():
                if status not in STATUSES:
                    raise MappingError(
                        _line_of(text, code),
                        f"未知的状态 {status}",
                        f"unknown status {status} (one of {', '.join(sorted(STATUSES))})",
                    )
    return Mapping(
        title=head["title"].strip(),
        department=head["department"].strip(),
        kind=head["kind"],
        record_id=head["record_id"].strip(),
        may_create_persons=bool(head.get("may_create_persons", False)),
        columns={str(k): str(v) for k, v in columns.items()},
        dates={str(k): str(v) for k, v in dates.items()},
        values={str(k): {str(c): str(v) for c, v in t.items()} for k, t in values.items()},
    )


def _blank(value: Any) -> bool:
    return (
        value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""
    )


def _text(value: Any) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


Step = Callable[[Any, dict[str, Any]], None]


def _plan(mapping: Mapping) -> tuple[tuple[str, Step], ...]:
    """One step per mapped column, chosen once per mapping rather than once per cell."""
    today = date.today()
    steps = []
    for column, target in mapping.columns.items():
        step = _step(column, target, mapping.dates.get(target), today)
        table = mapping.values.get(target)
        if table is not None:
            step = _coded(table, step)
        if target not in UNIQUE_FIELDS:
            step = _remembered(step)
        steps.append((column, step))
    return tuple(steps)


# Fields nearly every record writes its own way; the others (dates, addresses, codes) repeat.
UNIQUE_FIELDS = NAME_FIELDS | ID_FIELDS | PHONE_FIELDS  # (names have their own cache)
REMEMBERED = 200_000  # distinct values a step keeps per column and load


def _remembered(step: Step) -> Step:
    """``step`` with what it wrote for each text remembered: a register repeats its dates,
    flats and codes. A value it refuses is not remembered (it raises again); pushed numbers and
    the like are not either (1, 1.0 and True are one key to a dict)."""
    known: dict[str, tuple[tuple[str, Any], ...]] = {}

    def remembered(value: Any, out: dict[str, Any]) -> None:
        if type(value) is not str:
            step(value, out)
            return
        fields = known.get(value)
        if fields is None:
            wrote: dict[str, Any] = {}
            step(value, wrote)
            fields = tuple(wrote.items())
            if len(known) < REMEMBERED:
                known[value] = fields
        out.update(fields)

    return remembered


def _coded(table: dict[str, str], step: Step) -> Step:
    def coded(value: Any, out: dict[str, Any]) -> None:
        code = _text(value)
        step(table.get(code, code), out)

    return coded


def _step(column: str, target: str, fmt: str | None, today: date) -> Step:
    if target in NAME_FIELDS:

        def name(value: Any, out: dict[str, Any]) -> None:
            out[target] = normalise_name(str(value))

        return name
    if target in ID_FIELDS:

        def id_number(value: Any, out: dict[str, Any]) -> None:
            parsed = normalise_id(value, today=today)
            if parsed is not None:
                out[target] = parsed.value
                if target == "id_number":
                    out["id_valid"] = parsed.valid
                    out["id_problem"] = parsed.problem
                    out["id_from_15"] = parsed.from_15

        return id_number
    if target in PHONE_FIELDS:

        def phone(value: Any, out: dict[str, Any]) -> None:
            number = normalise_phone(value)
            if number:
                out[target] = number

        return phone
    if target in DATE_FIELDS:

        def a_date(value: Any, out: dict[str, Any]) -> None:
            try:
                parsed = parse_date(value, fmt)
            except ValueError:
                raise RowError(f"{column} 日期无法识别：{value}") from None
            if parsed is not None and target == "birth_date" and parsed > today:
                raise RowError(f"{column} 出生日期在将来：{value}")
            if parsed is not None:
                out[target] = parsed.isoformat()

        return a_date
    if target in ADDRESS_FIELDS:

        def address(value: Any, out: dict[str, Any]) -> None:
            out.update(_address_fields(target, str(value).strip()))

        return address
    if target == "sex":

        def sex(value: Any, out: dict[str, Any]) -> None:
            code = normalise_sex(value)
            if code is None:
                raise RowError(f"{column} 性别无法识别：{value}")
            out["sex"] = code

        return sex
    if target == "ethnicity":

        def ethnicity(value: Any, out: dict[str, Any]) -> None:
            code = _text(value)
            out[target] = ETHNICITY_CODES.get(code.zfill(2) if code.isdigit() else code, code)

        return ethnicity

    def plain(value: Any, out: dict[str, Any]) -> None:
        out[target] = _text(value)

    return plain


def _address_fields(target: str, text: str) -> tuple[tuple[str, str], ...]:
    """The text, its key (the flat's, else the cleaned text) and, when it names city and
    district, the register's standard address."""
    place = parse_address(text)
    key = flat_key(place) if place else None
    fields: tuple[tuple[str, str], ...] = (
        (target, text),
        (target + "_key", key or clean_address(text)),
    )
    if place is not None and key and place.city and place.district:
        fields += ((target + "_std", f"{place.city}{place.district}{key}"),)
    return fields


def apply_mapping(mapping: Mapping, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(record id, normalised fields) of one row; :class:`RowError` says why a row is refused."""
    key_value = row.get(mapping.record_id)
    if _blank(key_value):
        raise RowError("缺少记录编号")
    out: dict[str, Any] = {}
    for column, step in mapping.plan:
        value = row.get(column)
        if type(value) is str:
            if not value or value.isspace():
                continue
        elif value is None or value == "" or (isinstance(value, float) and value != value):
            continue  # NaN: an empty spreadsheet cell
        step(value, out)
    if mapping.kind != "licence" and not out.get("name"):
        raise RowError("缺少姓名")
    return _text(key_value)[:64], out


def content_hash(row: dict[str, Any]) -> str:
    """Fingerprint of a row as received: the same record sent again has the same hash."""
    return hashlib.md5(_canonical(row).encode(), usedforsecurity=False).hexdigest()


def json_encoder(
    *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None
) -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=…, default=…)`` made once: the C encoder
    itself where the interpreter has it (json.dumps sets one up per call, a third of the time
    on a record's few fields)."""
    options = json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, default=default)
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:
        return options.encode
    encode = make(
        None, options.default, json.encoder.encode_basestring, None, ": ", ", ", sort_keys,
        False, True,
    )  # fmt: skip

    def dumps(value: Any) -> str:
        return "".join(encode(value, 0))

    probe = {"b": [1, 2.5, None, True], "a": '\u5f20"\\\n', "c": {"d": float("nan")}}
    return dumps if dumps(probe) == options.encode(probe) else options.encode


_canonical = json_encoder(sort_keys=True, default=str)
