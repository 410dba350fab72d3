"""AWS IoT policy documents, evaluated as AWS documents them for a device's request.

Pure: documents and a request in, a decision out. An explicit ``Deny`` wins; otherwise a request
needs an ``Allow``; with neither, it is denied. ``Action``/``NotAction`` and
``Resource``/``NotResource`` match with ``*`` (any characters, ``/`` included) and ``?`` (one),
actions without regard to case. Policy variables (``${iot:ClientId}``,
``${iot:Connection.Thing.ThingName}``, ...) are filled from the request's context; a statement
whose variables cannot be filled does not apply. Conditions: the ``String*``, ``Arn*`` and
``Bool`` operators (``...IfExists`` too) over the context's keys; a statement with any other
operator does not apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Request:
    """``action`` such as ``iot:Publish``; ``resource`` an ARN; ``context`` the policy
    variables that can be filled (``iot:ClientId`` -> the client id, ...)."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


def decision(document: str, request: Request) -> str | None:
    """One document's say on ``request``: "Deny", "Allow", or None (it does not apply)."""
    said = None
    for statement in _parsed(document):
        if not _applies(statement, request):
            continue
        if statement.get("Effect") == "Deny":
            return "Deny"
        if statement.get("Effect") == "Allow":
            said = "Allow"
    return said


def allowed(documents: Iterable[str], request: Request) -> bool:
    decision = False
    for document in documents:
        for statement in _parsed(document):
            if not _applies(statement, request):
                continue
            if statement.get("Effect") == "Deny":
                return False
            decision = decision or statement.get("Effect") == "Allow"
    return decision


@lru_cache(maxsize=256)
def _parsed(document: str) -> tuple[dict[str, Any], ...]:
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return ()
    if isinstance(statements, dict):
        statements = [statements]
    return tuple(s for s in statements if isinstance(s, dict))


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _filled(text: str, context: Mapping[str, str]) -> str | None:
    missing = False

    def value(found: re.Match[str]) -> str:
        nonlocal missing
        if found[1] in ("*", "?", "$"):  # IAM's escapes for the special characters
            return found[1]
        if found[1] not in context:
            missing = True
            return ""
        return context[found[1]]

    filled = VARIABLE.sub(value, text)
    return None if missing else filled


def _matches_any(
    patterns: list[str], value: str, context: Mapping[str, str], *, ignore_case: bool = False
) -> bool | None:
    """Whether a pattern matches; None when a pattern's variables cannot be filled."""
    for pattern in patterns:
        filled = _filled(pattern, context)
        if filled is None:
            return None
        if _like(filled, value, ignore_case=ignore_case):
            return True
    return False


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    context = request.context
    for key, negated, value, ignore_case in (
        ("Action", "NotAction", request.action, True),
        ("Resource", "NotResource", request.resource, False),
    ):
        if key in statement:
            found = _matches_any(_listed(statement[key]), value, context, ignore_case=ignore_case)
            if not found:
                return False
        elif negated in statement:
            found = _matches_any(_listed(statement[negated]), value, context)
            if found is None or found:
                return False
        else:
            return False
    return _conditions_hold(statement.get("Condition") or {}, context)


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    for operator, block in conditions.items():
        base = operator.removesuffix("IfExists")
        for key, expected in (block or {}).items():
            actual = context.get(key)
            if actual is None:
                if operator.endswith("IfExists"):
                    continue
                return False
            wanted = [_filled(v, context) for v in _listed(expected)]
            if None in wanted or not _holds(base, actual, [w for w in wanted if w is not None]):
                return False
    return True


def _holds(operator: str, actual: str, wanted: list[str]) -> bool:
    if operator == "StringEquals":
        return actual in wanted
    if operator == "StringNotEquals":
        return actual not in wanted
    if operator == "StringEqualsIgnoreCase":
        return actual.lower() in [w.lower() for w in wanted]
    if operator == "StringNotEqualsIgnoreCase":
        return actual.lower() not in [w.lower() for w in wanted]
    if operator in ("StringLike", "ArnLike", "ArnEquals"):
        return any(_like(w, actual) for w in wanted)
    if operator in ("StringNotLike", "ArnNotLike", "ArnNotEquals"):
        return not any(_like(w, actual) for w in wanted)
    if operator == "Bool":
        return actual.lower() in [w.lower() for w in wanted]
    return False  # an operator this engine does not know: the statement does not apply
