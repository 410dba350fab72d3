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

import json
import re
from dataclasses import dataclass
from typing import Any

from .iot_sql import for_sqlglot
from .iot_sql_functions import FUNCTIONS
from .iot_sql_values import UNDEFINED as _UNDEFINED
from .iot_sql_values import MessageContext, SqlEvaluationError
from .iot_sql_values import is_number as _is_number

__all__ = ["FUNCTIONS", "Evaluation", "MessageContext", "SqlEvaluationError", "evaluate", "parse"]


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
