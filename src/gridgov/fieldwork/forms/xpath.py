r"""The XLSForm expression language (the XPath subset ODK forms use), evaluated on the server.

The phone evaluates the same expressions with ``static/field/xpath.js``; both follow the same
grammar and the same value rules, so a record the phone accepted is accepted here.

Grammar (lowest precedence first): ``or``, ``and``, ``= !=``, ``< <= > >=``, ``+ -``,
``* div mod``, unary ``-``, then literals (numbers, quoted strings), ``${name}``, ``.`` (the
field's own value), parentheses and function calls (see :data:`FUNCTIONS`).

Values follow ODK: an unanswered field is ``""``; a multiple choice is its choices joined by
spaces; dates are ``YYYY-MM-DD`` strings and compare as such; a number is written as in
JavaScript (``[+-]digits[.digits][e±digits]``, nothing else: no ``inf``, ``0x10`` or ``1_000``);
lengths and positions count characters (code points), not UTF-16 units; ``regex()`` follows
JavaScript's rules (``\d`` and ``\w`` ASCII, ``\s`` Unicode spaces, ``$`` only at the end).

The shared corpus ``tests/fieldwork/xpath_corpus.json`` runs on both evaluators.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gridgov.kit.clock import utcnow

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
Env = Mapping[str, Any]
Compiled = Callable[[Env, Any], Any]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+(?:\.\d*)?|\.\d+)
      | (?P<str>'[^']*'|"[^"]*")
      | \$\{(?P<ref>[A-Za-z_][\w.-]*)\}
      | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
      | (?P<name>[A-Za-z_][\w:-]*)
      | (?P<dot>\.)
    )""",
    re.VERBOSE | re.ASCII,  # names as the phone reads them: ${姓名} is refused on both sides
)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
# JavaScript's \s (the phone's regex()), for the server's.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class ExpressionError(ValueError):
    """The expression cannot be parsed (reported with the XLSForm row that holds it)."""


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character at {pos}: {text[pos : pos + 10]!r}")
        pos = match.end()
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        if kind == "str":
            value = value[1:-1]
        tokens.append((kind, value))
    return tokens


def references(text: str) -> set[str]:
    """The ``${name}`` references of an expression."""
    return {value for kind, value in tokenize(text) if kind == "ref"}


# ---- values ---------------------------------------------------------------------------------


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return math.nan
    text = str(value).strip()
    if not _NUMBER.match(text):
        return math.nan
    return float(text)


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if value is None:
        return False
    return str(value) != ""


def to_string(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return " ".join(to_string(v) for v in value)
    return str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_bool(left) == to_bool(right)
        elif isinstance(left, int | float) or isinstance(right, int | float):
            a, b = to_number(left), to_number(right)
            equal = a == b
        else:
            equal = to_string(left) == to_string(right)
        return equal if op == "=" else not equal
    ls, rs = to_string(left), to_string(right)
    if _DATE.match(ls) and _DATE.match(rs):
        a2: Any = ls
        b2: Any = rs
    else:
        a2, b2 = to_number(left), to_number(right)
        if math.isnan(a2) or math.isnan(b2):
            return False
    if op == "<":
        return bool(a2 < b2)
    if op == "<=":
        return bool(a2 <= b2)
    if op == ">":
        return bool(a2 > b2)
    return bool(a2 >= b2)


def _arith(op: str, left: Any, right: Any) -> float:
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        return math.nan if b == 0 else a / b
    return math.nan if b == 0 else math.fmod(a, b)


def _selected(values: Any, choice: Any) -> bool:
    return to_string(choice) in to_string(values).split()


def _whole(value: Any) -> int:
    """A count or position argument: its whole part, 0 when it is not a number."""
    number = to_number(value)
    return 0 if math.isnan(number) or math.isinf(number) else math.trunc(number)


def _round(value: Any, digits: Any = 0) -> float:
    number, places = to_number(value), _whole(digits)
    if math.isnan(number) or math.isinf(number):
        return number
    factor = 10**places
    return math.floor(number * factor + 0.5) / factor


def _int(value: Any) -> float:
    number = to_number(value)
    return number if math.isnan(number) else float(math.trunc(number))


def _today() -> str:
    return utcnow().astimezone(LOCAL_ZONE).date().isoformat()


def _now() -> str:
    return utcnow().astimezone(LOCAL_ZONE).isoformat(timespec="seconds")


def _age(value: Any) -> float:
    """Whole years from a ``YYYY-MM-DD`` date to today (a gridgov extension, also in JS)."""
    text = to_string(value)
    if not _DATE.match(text):
        return math.nan
    try:
        born = datetime.strptime(text[:10], "%Y-%m-%d").date()
    except ValueError:  # 2000-13-45
        return math.nan
    today = utcnow().astimezone(LOCAL_ZONE).date()
    return float(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


def _js_pattern(pattern: str) -> str:
    r"""A JavaScript regular expression as Python's ``re`` reads it the same way (with
    ``re.ASCII``): ``$`` only at the very end, ``\s``/``\S`` JavaScript's spaces."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
            if char == "s":
                out[-1] = _JS_SPACE if in_class else f"[{_JS_SPACE}]"
                continue
            if char == "S" and not in_class:
                out[-1] = f"[^{_JS_SPACE}]"
                continue
            out.append(char)
        elif char == "\\":
            escaped = True
            out.append(char)
        elif char == "[" and not in_class:
            in_class = True
            out.append(char)
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == "$" and not in_class:
            out.append(r"\Z")
        else:
            out.append(char)
    return "".join(out)


def _regex(value: Any, pattern: Any) -> bool:
    try:
        compiled = re.compile(_js_pattern(to_string(pattern)), re.ASCII)
    except re.error:
        return False
    return compiled.search(to_string(value)) is not None


def _substr(value: Any, start: Any, end: Any = None) -> str:
    text = to_string(value)
    a = _whole(start)
    return text[a:] if end is None else text[a : _whole(end)]


def _extreme(pick: Callable[..., float], args: tuple[Any, ...]) -> float:
    numbers = [to_number(a) for a in args]
    return math.nan if any(math.isnan(n) for n in numbers) else pick(numbers)


def _pow(base: Any, exponent: Any) -> float:
    try:
        result = math.pow(to_number(base), to_number(exponent))
    except (OverflowError, ValueError, ZeroDivisionError):
        return math.nan
    return result if math.isfinite(result) else math.nan


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "selected": _selected,
    "count-selected": lambda v: float(len(to_string(v).split())),
    "string-length": lambda v: float(len(to_string(v))),
    "regex": _regex,
    "contains": lambda a, b: to_string(b) in to_string(a),
    "starts-with": lambda a, b: to_string(a).startswith(to_string(b)),
    "ends-with": lambda a, b: to_string(a).endswith(to_string(b)),
    "substr": _substr,
    "concat": lambda *args: "".join(to_string(a) for a in args),
    "coalesce": lambda a, b: a if to_string(a) != "" else b,
    "string": to_string,
    "number": to_number,
    "int": _int,
    "round": _round,
    "boolean": to_bool,
    "not": lambda v: not to_bool(v),
    "true": lambda: True,
    "false": lambda: False,
    "today": _today,
    "now": _now,
    "age": _age,
    "min": lambda *a: _extreme(min, a),
    "max": lambda *a: _extreme(max, a),
    "abs": lambda v: abs(to_number(v)),
    "pow": _pow,
}
# (fewest, most) arguments; None: any number. Checked when an expression is compiled.
ARITY: dict[str, tuple[int, int | None]] = {
    "if": (3, 3),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "concat": (1, None),
    "coalesce": (2, 2),
    "string": (1, 1),
    "number": (1, 1),
    "int": (1, 1),
    "round": (1, 2),
    "boolean": (1, 1),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "today": (0, 0),
    "now": (0, 0),
    "age": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "abs": (1, 1),
    "pow": (2, 2),
}


# ---- parser: tokens → closures -------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("unexpected end of expression")
        self.pos += 1
        return token

    def accept(self, *values: str) -> str | None:
        token = self.peek()
        if token is not None and token[0] in ("op", "name") and token[1] in values:
            self.pos += 1
            return token[1]
        return None

    def parse(self) -> Compiled:
        node = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.tokens[self.pos][1]!r}")
        return node

    def or_(self) -> Compiled:
        node = self.and_()
        while self.accept("or"):
            left, right = node, self.and_()
            node = _bind_or(left, right)
        return node

    def and_(self) -> Compiled:
        node = self.equality()
        while self.accept("and"):
            left, right = node, self.equality()
            node = _bind_and(left, right)
        return node

    def equality(self) -> Compiled:
        node = self.relational()
        while op := self.accept("=", "!="):
            node = _bind_compare(op, node, self.relational())
        return node

    def relational(self) -> Compiled:
        node = self.additive()
        while op := self.accept("<", "<=", ">", ">="):
            node = _bind_compare(op, node, self.additive())
        return node

    def additive(self) -> Compiled:
        node = self.multiplicative()
        while op := self.accept("+", "-"):
            node = _bind_arith(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Compiled:
        node = self.unary()
        while op := self.accept("*", "div", "mod"):
            node = _bind_arith(op, node, self.unary())
        return node

    def unary(self) -> Compiled:
        if self.accept("-"):
            inner = self.unary()
            return lambda env, dot: -to_number(inner(env, dot))
        return self.primary()

    def primary(self) -> Compiled:
        kind, value = self.take()
        if kind == "num":
            number = float(value)
            return lambda env, dot: number
        if kind == "str":
            return lambda env, dot: value
        if kind == "ref":
            return lambda env, dot: env.get(value, "")
        if kind == "dot":
            return lambda env, dot: dot
        if kind == "op" and value == "(":
            node = self.or_()
            if self.accept(")") is None:
                raise ExpressionError("missing ')'")
            return node
        if kind == "name":
            if self.accept("(") is None:
                raise ExpressionError(f"unknown name {value!r} (use ${{{value}}} for a field)")
            args: list[Compiled] = []
            if self.accept(")") is None:
                args.append(self.or_())
                while self.accept(","):
                    args.append(self.or_())
                if self.accept(")") is None:
                    raise ExpressionError(f"missing ')' after arguments of {value}()")
            return _bind_call(value, args)
        raise ExpressionError(f"unexpected {value!r}")


def _bind_or(left: Compiled, right: Compiled) -> Compiled:
    return lambda env, dot: to_bool(left(env, dot)) or to_bool(right(env, dot))


def _bind_and(left: Compiled, right: Compiled) -> Compiled:
    return lambda env, dot: to_bool(left(env, dot)) and to_bool(right(env, dot))


def _bind_compare(op: str, left: Compiled, right: Compiled) -> Compiled:
    return lambda env, dot: _compare(op, left(env, dot), right(env, dot))


def _bind_arith(op: str, left: Compiled, right: Compiled) -> Compiled:
    return lambda env, dot: _arith(op, left(env, dot), right(env, dot))


def _bind_call(name: str, args: list[Compiled]) -> Compiled:
    if name not in ARITY:
        raise ExpressionError(f"unsupported function {name}()")
    fewest, most = ARITY[name]
    if len(args) < fewest or (most is not None and len(args) > most):
        expected = (
            str(fewest)
            if fewest == most
            else f"{fewest} or more"
            if most is None
            else f"{fewest}–{most}"
        )
        raise ExpressionError(f"{name}() takes {expected} argument(s), not {len(args)}")
    if name == "if":
        cond, yes, no = args
        return lambda env, dot: yes(env, dot) if to_bool(cond(env, dot)) else no(env, dot)
    function = FUNCTIONS[name]
    # Fixed arities get their own closures: this is the hot path of every submission check.
    if not args:
        return lambda env, dot: function()
    if len(args) == 1:
        (a,) = args
        return lambda env, dot: function(a(env, dot))
    if len(args) == 2:
        a, b = args
        return lambda env, dot: function(a(env, dot), b(env, dot))
    return lambda env, dot: function(*[arg(env, dot) for arg in args])


def compile_expression(text: str) -> Compiled:
    """Parse once; the result is called with ``(values, own_value)``."""
    return _Parser(tokenize(text)).parse()


def evaluate(text: str, values: Env, dot: Any = "") -> Any:
    return compile_expression(text)(values, dot)
