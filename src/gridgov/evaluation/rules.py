"""Evaluation rules as data: a TOML text, checked before it is saved.

A bad text is refused with the line and the reason (unknown event, negative period, a weight
that is not a number …), so the supervision centre can fix it on the page.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from gridgov.kit.errors import BadRequest

DEFAULT_RULES_PATH = Path(__file__).parent / "rules" / "default.toml"

# Every event the scorer can find in the records, with its Chinese name.
EVENTS: dict[str, tuple[str, str]] = {
    "handle_not_executed": ("处置环节到期未执行", "handling step not executed by its deadline"),
    "handle_overdue": ("处置超期完成", "handling finished after its deadline"),
    "handled_on_time": ("按时处置", "handled on time"),
    "case_reworked": ("案件返工", "case reworked"),
    "verify_not_executed": ("核查到期未执行", "verification not done by its deadline"),
    "verify_late": ("核查超期", "verification late"),
    "patrol_short": ("本网格巡查不足", "patrol in the own grid under the daily duty"),
    "proxy_late": ("代办服务超期", "proxy service not done by its deadline"),
    "work_diverted": (
        "抽调网格员从事未准入工作（每小时）",
        "grid worker diverted to work not admitted (per hour)",
    ),
    "task_refused_unreasoned": ("无理由拒绝任务", "task refused without a reason"),
}
# Who answers for each event: the handling department, or the grid worker.
EVENT_SUBJECT: dict[str, str] = {
    "handle_not_executed": "department",
    "handle_overdue": "department",
    "handled_on_time": "department",
    "case_reworked": "department",
    "verify_not_executed": "person",
    "verify_late": "person",
    "patrol_short": "person",
    "proxy_late": "person",
    "work_diverted": "department",
    "task_refused_unreasoned": "person",
}
_TOP_KEYS = {"base", "patrol_min_hours", "rule"}
_RULE_KEYS = {"event", "person", "department", "grace_hours", "name"}


@dataclass(frozen=True)
class RuleProblem:
    line: int
    reason: str
    reason_en: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason} / line {self.line}: {self.reason_en}"


class InvalidRules(BadRequest):
    code = "evaluation.rules_invalid"

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__(
            "考评规则有误：" + "；".join(f"第 {p.line} 行：{p.reason}" for p in problems),
            "Invalid evaluation rules: "
            + "; ".join(f"line {p.line}: {p.reason_en}" for p in problems),
            problems=[{"line": p.line, "reason": p.reason_en} for p in problems],
        )
        self.problems = problems


@dataclass(frozen=True)
class Rule:
    event: str
    person: float = 0.0
    department: float = 0.0
    grace_hours: float = 0.0


@dataclass(frozen=True)
class RuleBook:
    base: float
    patrol_min_hours: float
    rules: dict[str, Rule] = field(default_factory=dict)

    def rule(self, event: str) -> Rule | None:
        return self.rules.get(event)


def _rule_lines(text: str) -> list[int]:
    """Line numbers (1-based) of each ``[[rule]]`` header, in order."""
    return [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"\s*\[\[rule\]\]", line)]


def _key_line(text: str, start: int, key: str) -> int:
    """The line of ``key = …`` in the table that starts at line ``start`` (else ``start``)."""
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if number > start and line.strip().startswith("["):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return start


def parse(text: str) -> RuleBook:
    """The rule book of ``text``; :class:`InvalidRules` lists every problem with its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        raise InvalidRules(
            [RuleProblem(line, "不是有效的 TOML", f"not valid TOML ({exc})")]
        ) from exc
    problems: list[RuleProblem] = []

    def number(value: object, line: int, key: str, *, minimum: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(RuleProblem(line, f"{key} 必须是数字", f"{key} must be a number"))
            return 0.0
        if minimum is not None and value < minimum:
            problems.append(
                RuleProblem(line, f"{key} 不得为负数", f"{key} must not be negative (got {value})")
            )
        return float(value)

    for key in data:
        if key not in _TOP_KEYS:
            line = _key_line(text, 1, key)
            problems.append(RuleProblem(line, f"未知设置 {key}", f"unknown setting {key!r}"))
    base = number(data.get("base", 100), _key_line(text, 1, "base"), "base", minimum=0)
    patrol = number(
        data.get("patrol_min_hours", 3),
        _key_line(text, 1, "patrol_min_hours"),
        "patrol_min_hours",
        minimum=0,
    )
    headers = _rule_lines(text)
    rules: dict[str, Rule] = {}
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raw_rules = []
        problems.append(RuleProblem(1, "rule 必须写成 [[rule]] 表", "rule must be [[rule]] tables"))
    for index, raw in enumerate(raw_rules):
        start = headers[index] if index < len(headers) else 1
        for key in raw:
            if key not in _RULE_KEYS:
                problems.append(
                    RuleProblem(
                        _key_line(text, start, key), f"未知字段 {key}", f"unknown key {key!r}"
                    )
                )
        event = raw.get("event")
        line = _key_line(text, start, "event")
        if event not in EVENTS:
            problems.append(RuleProblem(line, f"未知事件 {event}", f"unknown event {event!r}"))
            continue
        if event in rules:
            problems.append(RuleProblem(line, f"事件 {event} 重复", f"event {event!r} twice"))
        values = {
            key: number(raw[key], _key_line(text, start, key), key)
            for key in ("person", "department")
            if key in raw
        }
        for key in values:
            if key != EVENT_SUBJECT[event]:
                problems.append(
                    RuleProblem(
                        _key_line(text, start, key),
                        f"事件 {event} 只计入{'单位' if key == 'person' else '个人'}",
                        f"event {event!r} counts for the {EVENT_SUBJECT[event]} only",
                    )
                )
        grace = number(
            raw.get("grace_hours", 0),
            _key_line(text, start, "grace_hours"),
            "grace_hours",
            minimum=0,
        )
        rules[event] = Rule(event=event, grace_hours=grace, **values)
    if problems:
        raise InvalidRules(sorted(problems, key=lambda p: p.line))
    return RuleBook(base=base, patrol_min_hours=patrol, rules=rules)


def default_text() -> str:
    return DEFAULT_RULES_PATH.read_text(encoding="utf-8")
