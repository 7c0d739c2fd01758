"""Rules as data: the TOML rules file, checked on load, with the line and reason of every error.

A rule maps an event type (and optional conditions on the event's fields or the person) to a
task for the grid worker of the address's grid — with the XLSForm module it fills, its deadline
in working days and what its completion does — or to actions taken at once. The file also holds
the catalogue of proxy services (代办) the actions open.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridgov.kit.errors import BadRequest
from gridgov.lifecycle.events import EVENT_TYPES

DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "default.toml"
# Conditions may name the event's fields or these attributes of the person it concerns.
PERSON_CONDITIONS = frozenset({"residence_type", "sex", "living_status"})
# Actions with no argument, and the prefixes of those with one.
PLAIN_ACTIONS = frozenset(
    {"create_newborn", "link_id_number", "set_deceased", "set_permit", "mark_moved_away"}
)
ARGUMENT_ACTIONS = frozenset({"open_service", "notify"})
# Department codes (gridgov.cases.reference.DEPARTMENTS, and 教育 JY, 人武部 RWB).
DEPARTMENTS = frozenset(
    {
        "GA",
        "WJ",
        "MZ",
        "RS",
        "JY",
        "RWB",
        "ZJ",
        "SCJG",
        "CG",
    }
)
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ServiceType:
    code: str
    title: str
    title_en: str
    department: str
    documents: tuple[str, ...]
    deadline_working_days: int


@dataclass(frozen=True)
class TaskTemplate:
    kind: str
    title: str
    module: str | None
    due_working_days: int
    on_complete: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    code: str
    event: str
    stage: str
    when: dict[str, Any]
    task: TaskTemplate | None
    actions: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class RuleProblem:
    line: int
    reason: str
    reason_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "reason_en": self.reason_en}


@dataclass
class RuleBook:
    rules: list[Rule] = field(default_factory=list)
    services: dict[str, ServiceType] = field(default_factory=dict)

    def for_event(self, event_type: str) -> list[Rule]:
        return [r for r in self.rules if r.event == event_type]

    def task_kinds(self) -> set[str]:
        return {r.task.kind for r in self.rules if r.task}


class RulesRefused(BadRequest):
    code = "rules_refused"


class _Lines:
    """Where the n-th ``[[table]]`` of the file starts and where a key of it is written."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, name: str, index: int) -> int:
        seen = -1
        for number, line in enumerate(self.lines, start=1):
            if line.strip() == f"[[{name}]]":
                seen += 1
                if seen == index:
                    return number
        return 1

    def key(self, name: str, index: int, key: str) -> int:
        start = self.table(name, index)
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if number > start and line.strip() == f"[[{name}]]":
                break
            if pattern.match(line):
                return number
        return start


def parse(text: str, *, modules: set[str] | None = None) -> tuple[RuleBook, list[RuleProblem]]:
    """The rule book and every problem found. ``modules``: the known XLSForm module codes
    (None: not checked)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        return RuleBook(), [RuleProblem(line, f"TOML 语法错误：{exc}", f"TOML syntax: {exc}")]
    lines = _Lines(text)
    problems: list[RuleProblem] = []
    book = RuleBook()
    for extra in sorted(set(data) - {"service", "rule"}):
        problems.append(RuleProblem(1, f"未知的表「{extra}」", f"Unknown table {extra!r}"))
    for index, raw in enumerate(data.get("service", [])):
        service = _service(raw, index, lines, problems)
        if service is not None:
            if service.code in book.services:
                problems.append(
                    RuleProblem(
                        lines.key("service", index, "code"),
                        f"服务「{service.code}」重复",
                        f"Duplicate service {service.code!r}",
                    )
                )
            book.services[service.code] = service
    codes: set[str] = set()
    for index, raw in enumerate(data.get("rule", [])):
        rule = _rule(raw, index, lines, problems, book, modules)
        if rule is not None:
            if rule.code in codes:
                problems.append(
                    RuleProblem(
                        rule.line, f"规则「{rule.code}」重复", f"Duplicate rule {rule.code!r}"
                    )
                )
            codes.add(rule.code)
            book.rules.append(rule)
    return book, problems


def load(text: str, *, modules: set[str] | None = None) -> RuleBook:
    """The rule book, or :class:`RulesRefused` naming the first problems with their lines."""
    book, problems = parse(text, modules=modules)
    if problems:
        first = problems[:5]
        raise RulesRefused(
            "规则文件有误：" + "；".join(f"第 {p.line} 行：{p.reason}" for p in first),
            "Rules refused: " + "; ".join(f"line {p.line}: {p.reason_en}" for p in first),
            problems=[p.as_dict() for p in problems],
        )
    return book


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _service(
    raw: dict[str, Any], index: int, lines: _Lines, problems: list[RuleProblem]
) -> ServiceType | None:
    at = lines.table("service", index)
    code, title = _text(raw, "code"), _text(raw, "title")
    if code is None or not _KEY.match(code) or title is None:
        problems.append(
            RuleProblem(at, "服务须有代码（小写英文）和名称", "A service needs a code and a title")
        )
        return None
    department = _text(raw, "department") or ""
    if department not in DEPARTMENTS:
        problems.append(
            RuleProblem(
                lines.key("service", index, "department"),
                f"未知的办理部门「{department}」",
                f"Unknown department {department!r}",
            )
        )
    days = raw.get("deadline_working_days")
    if not isinstance(days, int) or not 1 <= days <= 250:
        problems.append(
            RuleProblem(
                lines.key("service", index, "deadline_working_days"),
                "办理期限须为 1–250 个工作日",
                "deadline_working_days must be 1–250",
            )
        )
        days = 1
    documents = raw.get("documents", [])
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        problems.append(
            RuleProblem(
                lines.key("service", index, "documents"),
                "材料清单须为文字列表",
                "documents must be a list of texts",
            )
        )
        documents = []
    return ServiceType(
        code, title, _text(raw, "title_en") or code, department, tuple(documents), days
    )


def _rule(
    raw: dict[str, Any],
    index: int,
    lines: _Lines,
    problems: list[RuleProblem],
    book: RuleBook,
    modules: set[str] | None,
) -> Rule | None:
    at = lines.table("rule", index)

    def refuse(key: str, reason: str, reason_en: str) -> None:
        problems.append(RuleProblem(lines.key("rule", index, key), reason, reason_en))

    code, event = _text(raw, "code"), _text(raw, "event")
    if code is None or not _KEY.match(code):
        refuse("code", "规则须有代码（小写英文）", "A rule needs a code (lower-case)")
        return None
    for key in sorted(set(raw) - {"code", "event", "stage", "when", "task", "actions"}):
        refuse(key, f"规则中未知的键「{key}」", f"Unknown key {key!r} in a rule")
    kind = EVENT_TYPES.get(event or "")
    if kind is None:
        refuse("event", f"未知的事件类型「{event}」", f"Unknown event type {event!r}")
        return None
    when = raw.get("when", {})
    for name in when:
        if name not in kind.fields and name not in PERSON_CONDITIONS:
            refuse(
                name,
                f"事件「{kind.title}」没有字段「{name}」",
                f"Event {kind.code!r} has no field {name!r}",
            )
    task = None
    if "task" in raw:
        task = _task(raw["task"], refuse, book, modules)
    actions = tuple(raw.get("actions", []))
    for action in actions:
        _check_action(action, "actions", refuse, book)
    if task is None and not actions:
        refuse("code", "规则须有任务或动作", "A rule needs a task or actions")
    return Rule(code, kind.code, _text(raw, "stage") or "", dict(when), task, actions, at)


def _task(
    raw: dict[str, Any],
    refuse: Any,
    book: RuleBook,
    modules: set[str] | None,
) -> TaskTemplate | None:
    kind, title = _text(raw, "kind"), _text(raw, "title")
    if kind is None or not _KEY.match(kind) or len(kind) > 32 or title is None:
        refuse("kind", "任务须有类型（小写英文）和标题", "A task needs a kind and a title")
        return None
    module = _text(raw, "module")
    if module is not None and modules is not None and module not in modules:
        refuse("module", f"未知的采集模块「{module}」", f"Unknown module {module!r}")
    days = raw.get("due_working_days")
    if not isinstance(days, int) or not 1 <= days <= 60:
        refuse("due_working_days", "任务期限须为 1–60 个工作日", "due_working_days must be 1–60")
        days = 1
    on_complete = tuple(raw.get("on_complete", []))
    for action in on_complete:
        _check_action(action, "on_complete", refuse, book)
    for key in sorted(set(raw) - {"kind", "title", "module", "due_working_days", "on_complete"}):
        refuse(key, f"任务中未知的键「{key}」", f"Unknown key {key!r} in a task")
    return TaskTemplate(kind, title, module, days, on_complete)


def _check_action(action: Any, key: str, refuse: Any, book: RuleBook) -> None:
    if not isinstance(action, str):
        refuse(key, "动作须为文字", "An action is a text")
        return
    name, _, argument = action.partition(":")
    if name in PLAIN_ACTIONS and not argument:
        return
    if name == "open_service" and argument in book.services:
        return
    if name == "notify" and argument and set(argument.split(",")) <= DEPARTMENTS:
        return
    if name in ARGUMENT_ACTIONS:
        refuse(key, f"动作「{action}」的对象未知", f"Unknown target in action {action!r}")
    else:
        refuse(key, f"未知的动作「{action}」", f"Unknown action {action!r}")


def default_text() -> str:
    return DEFAULT_RULES.read_text(encoding="utf-8")
