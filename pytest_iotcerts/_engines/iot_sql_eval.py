"""AWS IoT SQL evaluated on a message: pure, a parsed statement and a message in, the SELECT's
result out (or None when the WHERE clause does not hold).

The statement is parsed by sqlglot (as ``iot_sql`` checks it) and walked here: ``*`` (the whole
JSON payload), attributes and nested attributes (``state.reported.temp``), aliases, literals,
arithmetic, comparisons, ``AND``/``OR``/``NOT``, ``CASE``, ``IS NULL``, ``IN``, ``CAST``, and
the functions rules use most (see ``FUNCTIONS``). An attribute that is not in the payload is
*undefined*: left out of the result, false in a comparison, as the SQL reference says. A payload
that is not JSON is selected whole, as it came, by ``SELECT *`` alone, and through functions
(``encode(*, 'base64')``). An unknown function is an evaluation error (the rule's errorAction
runs). ``SELECT VALUE expression`` (SQL version 2016-03-23 and later) selects the
expression's value itself, an array or a number as well as an object.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .iot_sql import for_sqlglot

_UNDEFINED: Any = object()  # an attribute the payload does not have


class SqlEvaluationError(Exception):
    """The statement cannot be evaluated on this message (an unknown function, a bad type)."""


@dataclass(frozen=True)
class MessageContext:
    """What the functions of a statement can ask about the message."""

    topic: str
    payload: bytes
    client_id: str | None = None
    principal: str | None = None
    timestamp_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    trace_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class Evaluation:
    selected: Any  # a JSON object (a value of SELECT VALUE), or a binary SELECT *'s payload


_SELECT_VALUE = re.compile(r"^\s*SELECT\s+VALUE\s+", re.IGNORECASE)


def selects_value(sql: str) -> bool:
    """Whether the statement is ``SELECT VALUE expression`` (2016-03-23 and later)."""
    return _SELECT_VALUE.match(sql) is not None


def parse(sql: str) -> Any:
    import sqlglot

    value = selects_value(sql)
    text = _SELECT_VALUE.sub("SELECT ", sql, count=1) if value else sql
    statement = sqlglot.parse_one(for_sqlglot(text))
    statement.meta["select_value"] = value
    return statement


def unevaluated_functions(statement: Any) -> list[str]:
    """The functions a statement calls that the evaluator does not have (checked when a rule is
    made, so a rule either runs or is refused with a clear message)."""
    from sqlglot import exp

    handled = (
        *(exp.Case, exp.If, exp.Cast, exp.Is, exp.In, exp.Bracket, exp.Paren),
        *(exp.Not, exp.Neg, exp.And, exp.Or, exp.Column, exp.Dot, exp.Literal),
    )
    names = []
    for node in statement.walk():
        if not isinstance(node, exp.Func) or isinstance(node, handled):
            continue
        if type(node) in _ARITHMETIC or type(node) in _COMPARISONS:
            continue
        name = _function_name(node)
        if name not in FUNCTIONS:
            names.append(name)
    return sorted(set(names))


def _function_name(node: Any) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Trim) and node.args.get("position"):  # ltrim, rtrim
        return "ltrim" if node.args["position"] == "LEADING" else "rtrim"
    if isinstance(node, exp.Pad):
        return "lpad" if node.args.get("is_left") else "rpad"
    return str(node.name if isinstance(node, exp.Anonymous) else node.key).lower()


def evaluate(statement: Any, context: MessageContext, sql_version: str) -> Evaluation | None:
    """The SELECT's result for the message, or None when its WHERE does not hold."""
    document = _document(context.payload)
    evaluator = _Evaluator(document, context)
    where = statement.args.get("where")
    if where is not None and evaluator.value(where.this) is not True:
        return None
    if statement.meta.get("select_value"):
        value = evaluator.value(statement.expressions[0])
        return None if value is _UNDEFINED else Evaluation(value)
    selected: dict[str, Any] = {}
    for expression in statement.expressions:
        name, value = evaluator.named(expression)
        if name == "*":
            if isinstance(document, dict):
                selected.update(document)
            elif document is _UNDEFINED and len(statement.expressions) == 1:
                return Evaluation(context.payload)  # a payload that is not JSON, as it came
            continue
        if value is not _UNDEFINED:
            selected[name] = value
    return Evaluation(selected)


def _document(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _UNDEFINED


class _Evaluator:
    def __init__(self, document: Any, context: MessageContext) -> None:
        self.document = document
        self.context = context

    def named(self, expression: Any) -> tuple[str, Any]:
        from sqlglot import exp

        if isinstance(expression, exp.Star):
            return "*", None
        if isinstance(expression, exp.Alias):
            return expression.alias, self.value(expression.this)
        if isinstance(expression, exp.Column):
            return expression.name, self.value(expression)
        if isinstance(expression, exp.Dot):
            return expression.name, self.value(expression)
        return expression.sql(), self.value(expression)

    def value(self, node: Any) -> Any:
        from sqlglot import exp

        if isinstance(node, exp.Paren):
            return self.value(node.this)
        if isinstance(node, exp.Literal):
            return node.this if node.is_string else _number(node.this)
        if isinstance(node, exp.Boolean):
            return bool(node.this)
        if isinstance(node, exp.Null):
            return None
        if isinstance(node, (exp.Column, exp.Dot)):
            return self._attribute(node)
        if isinstance(node, exp.Neg):
            operand = self.value(node.this)
            return -operand if _is_number(operand) else _UNDEFINED
        if isinstance(node, exp.Not):
            operand = self.value(node.this)
            return (not operand) if isinstance(operand, bool) else _UNDEFINED
        if isinstance(node, exp.And):
            return self.value(node.this) is True and self.value(node.expression) is True
        if isinstance(node, exp.Or):
            return self.value(node.this) is True or self.value(node.expression) is True
        if type(node) in _ARITHMETIC:
            return _arithmetic(type(node), self.value(node.this), self.value(node.expression))
        if type(node) in _COMPARISONS:
            return _compare(type(node), self.value(node.this), self.value(node.expression))
        if isinstance(node, exp.Is):
            operand = self.value(node.this)
            return operand is None or operand is _UNDEFINED
        if isinstance(node, exp.In):
            operand = self.value(node.this)
            return any(operand == self.value(option) for option in node.expressions)
        if isinstance(node, exp.Case):
            return self._case(node)
        if isinstance(node, exp.Cast):
            return _cast(self.value(node.this), node.to.sql().upper())
        if isinstance(node, exp.Bracket):
            return self._index(node)
        if isinstance(node, exp.Func):
            return self._function(node)
        raise SqlEvaluationError(f"{node.sql()} cannot be evaluated by the emulator.")

    def _attribute(self, node: Any) -> Any:
        from sqlglot import exp

        if isinstance(node, exp.Dot):
            parent = self.value(node.this)
            return _member(parent, node.expression.name)
        parts = [part.name for part in node.parts]
        found: Any = self.document
        for part in parts:
            found = _member(found, part)
        return found

    def _index(self, node: Any) -> Any:
        container = self.value(node.this)
        [index] = [self.value(item) for item in node.expressions] or [None]
        if isinstance(container, list) and isinstance(index, int) and 0 <= index < len(container):
            return container[index]
        return _UNDEFINED

    def _case(self, node: Any) -> Any:
        subject = self.value(node.this) if node.this is not None else _UNDEFINED
        for branch in node.args.get("ifs") or []:
            condition = self.value(branch.this)
            hit = condition == subject if node.this is not None else condition is True
            if hit:
                return self.value(branch.args["true"])
        default = node.args.get("default")
        return self.value(default) if default is not None else _UNDEFINED

    def _function(self, node: Any) -> Any:
        from sqlglot import exp

        name = _function_name(node)
        function = FUNCTIONS.get(name)
        if function is None:
            raise SqlEvaluationError(
                f"The function {name}() is not evaluated by the emulator; the rule's actions "
                "are not run (its errorAction is)."
            )
        if isinstance(node, exp.Anonymous):
            nodes = list(node.expressions)
        else:
            nodes = [
                a
                for key in node.arg_types
                for a in _listed(node.args.get(key))
                if isinstance(a, exp.Expression)  # not flags such as Trim's position
            ]
        arguments = ["*" if isinstance(a, exp.Star) else self.value(a) for a in nodes]
        return function(self.context, arguments)


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _member(parent: Any, name: str) -> Any:
    if isinstance(parent, dict) and name in parent:
        return parent[name]
    return _UNDEFINED


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") else int(text)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arithmetic(kind: type, left: Any, right: Any) -> Any:
    if not (_is_number(left) and _is_number(right)):
        if kind.__name__ == "Add" and isinstance(left, str) and isinstance(right, str):
            return left + right
        return _UNDEFINED
    try:
        return _ARITHMETIC[kind](left, right)
    except ZeroDivisionError:
        return _UNDEFINED


def _compare(kind: type, left: Any, right: Any) -> Any:
    if left is _UNDEFINED or right is _UNDEFINED:
        return False
    try:
        return bool(_COMPARISONS[kind](left, right))
    except TypeError:
        return False


def _cast(value: Any, to: str) -> Any:
    try:
        if to in ("INT", "INTEGER", "BIGINT"):
            return int(float(value))
        if to in ("DECIMAL", "DOUBLE", "FLOAT"):
            return float(value)
        if to in ("STRING", "VARCHAR", "TEXT"):
            return value if isinstance(value, str) else json.dumps(value)
        if to in ("BOOL", "BOOLEAN"):
            return str(value).lower() == "true" if isinstance(value, str) else bool(value)
    except (TypeError, ValueError):
        return _UNDEFINED
    return _UNDEFINED


def _build_tables() -> tuple[dict[Any, Any], dict[Any, Any]]:
    import operator

    from sqlglot import exp

    arithmetic: dict[Any, Any] = {
        exp.Add: operator.add,
        exp.Sub: operator.sub,
        exp.Mul: operator.mul,
        exp.Div: operator.truediv,
        exp.Mod: operator.mod,
    }
    comparisons: dict[Any, Any] = {
        exp.EQ: operator.eq,
        exp.NEQ: operator.ne,
        exp.GT: operator.gt,
        exp.GTE: operator.ge,
        exp.LT: operator.lt,
        exp.LTE: operator.le,
    }
    return arithmetic, comparisons


class _Tables(dict):  # type: ignore[type-arg]
    """Built on first use, so sqlglot loads only when a rule runs."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self._index = index

    def _load(self) -> None:
        if not dict.__len__(self):
            self.update(_build_tables()[self._index])

    def __contains__(self, key: object) -> bool:
        self._load()
        return dict.__contains__(self, key)

    def __getitem__(self, key: Any) -> Any:
        self._load()
        return dict.__getitem__(self, key)


_ARITHMETIC: Any = _Tables(0)
_COMPARISONS: Any = _Tables(1)


def _topic(context: MessageContext, arguments: list[Any]) -> Any:
    if not arguments:
        return context.topic
    levels = context.topic.split("/")
    index = arguments[0]
    return levels[index - 1] if isinstance(index, int) and 1 <= index <= len(levels) else _UNDEFINED


def _get(context: MessageContext, arguments: list[Any]) -> Any:
    container, key = ([*arguments, None, None])[:2]
    if isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container):
        return container[key]
    if isinstance(container, dict) and isinstance(key, str):
        return container.get(key, _UNDEFINED)
    return _UNDEFINED


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _encode(context: MessageContext, arguments: list[Any]) -> Any:
    value, encoding = ([*arguments, None, None])[:2]
    if encoding != "base64":
        return _UNDEFINED
    data = context.payload if value == "*" or value is _UNDEFINED else _text_of(value).encode()
    return base64.b64encode(data).decode()


def _decode(context: MessageContext, arguments: list[Any]) -> Any:
    value, encoding = ([*arguments, None, None])[:2]
    if encoding != "base64" or not isinstance(value, str):
        return _UNDEFINED
    try:
        text = base64.b64decode(value).decode()
    except (ValueError, UnicodeDecodeError):
        return _UNDEFINED
    try:
        return json.loads(text)
    except ValueError:
        return text


def _numeric(function: Callable[[float], Any]) -> Callable[[MessageContext, list[Any]], Any]:
    def apply(context: MessageContext, arguments: list[Any]) -> Any:
        value = arguments[0] if arguments else _UNDEFINED
        return function(value) if _is_number(value) else _UNDEFINED

    return apply


def _textual(function: Callable[[str], Any]) -> Callable[[MessageContext, list[Any]], Any]:
    def apply(context: MessageContext, arguments: list[Any]) -> Any:
        value = arguments[0] if arguments else _UNDEFINED
        return function(value) if isinstance(value, str) else _UNDEFINED

    return apply


def _round(context: MessageContext, arguments: list[Any]) -> Any:
    value = arguments[0] if arguments else _UNDEFINED
    return round(value) if _is_number(value) else _UNDEFINED


def _two_numbers(arguments: list[Any]) -> bool:
    return len(arguments) == 2 and all(_is_number(v) for v in arguments)


def _digest(name: str, arguments: list[Any]) -> Any:
    if not arguments or arguments[0] is _UNDEFINED:
        return _UNDEFINED
    return hashlib.new(name, _text_of(arguments[0]).encode()).hexdigest()


FUNCTIONS: Mapping[str, Callable[[MessageContext, list[Any]], Any]] = {
    "topic": _topic,
    "clientid": lambda c, a: c.client_id if c.client_id is not None else "n/a",
    "principal": lambda c, a: c.principal if c.principal is not None else _UNDEFINED,
    "timestamp": lambda c, a: c.timestamp_ms,
    "newuuid": lambda c, a: str(uuid.uuid4()),
    "traceid": lambda c, a: c.trace_id,
    "get": _get,
    "encode": _encode,
    "decode": _decode,
    "upper": _textual(str.upper),
    "lower": _textual(str.lower),
    "trim": _textual(str.strip),
    "length": lambda c, a: len(a[0]) if a and isinstance(a[0], (str, list)) else _UNDEFINED,
    "concat": lambda c, a: "".join(_text_of(v) for v in a if v is not _UNDEFINED),
    "startswith": lambda c, a: (
        a[0].startswith(a[1]) if len(a) == 2 and all(isinstance(v, str) for v in a) else False
    ),
    "abs": _numeric(abs),
    "ceil": _numeric(math.ceil),
    "floor": _numeric(math.floor),
    "round": _round,
    "sqrt": _numeric(lambda v: math.sqrt(v) if v >= 0 else _UNDEFINED),
    "power": lambda c, a: (
        a[0] ** a[1] if len(a) == 2 and all(_is_number(v) for v in a) else _UNDEFINED
    ),
    "pow": lambda c, a: (
        a[0] ** a[1] if len(a) == 2 and all(_is_number(v) for v in a) else _UNDEFINED
    ),
    "mod": lambda c, a: (
        a[0] % a[1] if len(a) == 2 and all(_is_number(v) for v in a) else _UNDEFINED
    ),
    "md5": lambda c, a: hashlib.md5(_text_of(a[0]).encode()).hexdigest() if a else _UNDEFINED,
    "sha256": lambda c, a: hashlib.sha256(_text_of(a[0]).encode()).hexdigest() if a else _UNDEFINED,
    "isundefined": lambda c, a: bool(a) and a[0] is _UNDEFINED,
    "isnull": lambda c, a: bool(a) and a[0] is None,
    # strings, as the SQL reference has them (zero-based indexes; lpad/rpad add N spaces)
    "substring": lambda c, a: _strings(a, 1, lambda s, start, end=None: s[start:end]),
    "replace": lambda c, a: _strings(a, 0, lambda s, old, new: s.replace(old, new)),
    "indexof": lambda c, a: _strings(a, 0, lambda s, part: s.find(part)),
    "ltrim": _textual(str.lstrip),
    "rtrim": _textual(str.rstrip),
    "lpad": lambda c, a: _strings(a, 1, lambda s, n: " " * n + s),
    "rpad": lambda c, a: _strings(a, 1, lambda s, n: s + " " * n),
    "numbytes": _textual(lambda s: len(s.encode())),
    "chr": lambda c, a: (
        chr(a[0]) if a and isinstance(a[0], int) and 0 <= a[0] < 0x110000 else _UNDEFINED
    ),
    "regexp_matches": lambda c, a: _strings(a, 0, lambda s, p: re.search(_java(p), s) is not None),
    "regexp_replace": lambda c, a: _strings(
        a, 0, lambda s, p, r: re.sub(_java(p), re.sub(r"\$(\d)", r"\\\1", r), s)
    ),
    "regexpreplace": lambda c, a: FUNCTIONS["regexp_replace"](c, a),
    "regexp_substring": lambda c, a: _strings(a, 0, _first_match),
    "regexpsubstr": lambda c, a: _strings(a, 0, _first_match),
    # numbers
    "ln": _numeric(lambda v: math.log(v) if v > 0 else _UNDEFINED),
    "log": _numeric(lambda v: math.log10(v) if v > 0 else _UNDEFINED),
    "exp": _numeric(math.exp),
    "sign": _numeric(lambda v: (v > 0) - (v < 0)),
    "sin": _numeric(math.sin),
    "cos": _numeric(math.cos),
    "tan": _numeric(math.tan),
    "trunc": lambda c, a: (
        math.trunc(a[0] * 10 ** a[1]) / 10 ** a[1] if _two_numbers(a) else _UNDEFINED
    ),
    "nanvl": lambda c, a: (
        a[1]
        if len(a) == 2 and isinstance(a[0], float) and math.isnan(a[0])
        else a[0]
        if a
        else _UNDEFINED
    ),
    "bitand": lambda c, a: a[0] & a[1] if _two_ints(a) else _UNDEFINED,
    "bitor": lambda c, a: a[0] | a[1] if _two_ints(a) else _UNDEFINED,
    "bitxor": lambda c, a: a[0] ^ a[1] if _two_ints(a) else _UNDEFINED,
    # time
    "aws_parse_time": lambda c, a: _parse_time(a),
    "time_to_epoch": lambda c, a: _time_to_epoch(a),
}


def _strings(arguments: list[Any], texts: int, apply: Callable[..., Any]) -> Any:
    """``apply`` on the arguments when the first is a string (and ``texts`` counts how many
    leading arguments must be, 0 meaning all); undefined otherwise."""
    wanted = len(arguments) if texts == 0 else texts
    if not arguments or not all(isinstance(v, str) for v in arguments[:wanted]):
        return _UNDEFINED
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in arguments):
        return _UNDEFINED
    try:
        return apply(*arguments)
    except (TypeError, re.error):
        return _UNDEFINED


def _two_ints(arguments: list[Any]) -> bool:
    return len(arguments) == 2 and all(type(v) is int for v in arguments)


def _java(pattern: str) -> str:
    """A Java regular expression as Python's (the common subset is the same)."""
    return pattern.replace("(?<", "(?P<") if "(?<" in pattern and "(?<=" not in pattern else pattern


def _first_match(text: str, pattern: str) -> Any:
    found = re.search(_java(pattern), text)
    return found.group(0) if found else _UNDEFINED


_JAVA_TIME = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("hh", "%I"),
    ("mm", "%M"),
    ("ss", "%S"),
    ("SSS", "%f"),
    ("EEEE", "%A"),
    ("EEE", "%a"),
    ("a", "%p"),
    ("XXX", "%z"),
    ("Z", "%z"),
    ("z", "%Z"),
]


def _strftime_pattern(pattern: str) -> str:
    """A Java DateTimeFormatter pattern (the common letters, 'quoted' text) as strftime's."""
    out, index = [], 0
    while index < len(pattern):
        if pattern[index] == "'":
            end = pattern.find("'", index + 1)
            end = len(pattern) if end < 0 else end
            out.append(pattern[index + 1 : end].replace("%", "%%") or "'")
            index = end + 1
            continue
        for java, python in _JAVA_TIME:
            if pattern.startswith(java, index):
                out.append(python)
                index += len(java)
                break
        else:
            out.append(pattern[index].replace("%", "%%"))
            index += 1
    return "".join(out)


def _parse_time(arguments: list[Any]) -> Any:
    """parse_time(pattern, epoch milliseconds[, time zone]): the time as text."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if len(arguments) < 2 or not isinstance(arguments[0], str) or not _is_number(arguments[1]):
        return _UNDEFINED
    try:
        zone = ZoneInfo(arguments[2]) if len(arguments) > 2 else dt.timezone.utc
    except (KeyError, ValueError):
        return _UNDEFINED
    moment = dt.datetime.fromtimestamp(arguments[1] / 1000, zone)
    text = moment.strftime(_strftime_pattern(arguments[0]).replace("%f", "\x01SSS\x01"))
    return text.replace("\x01SSS\x01", f"{moment.microsecond // 1000:03d}")


def _time_to_epoch(arguments: list[Any]) -> Any:
    """time_to_epoch(text, pattern): epoch milliseconds (UTC unless the text has a zone)."""
    import datetime as dt

    if len(arguments) != 2 or not all(isinstance(v, str) for v in arguments):
        return _UNDEFINED
    try:
        moment = dt.datetime.strptime(arguments[0], _strftime_pattern(arguments[1]))
    except ValueError:
        return _UNDEFINED
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp() * 1000)
