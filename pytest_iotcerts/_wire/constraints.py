"""The constraints botocore's model puts on a request's members, checked as the service checks
them (botocore checks only minimums client-side): required members, lengths, ranges, enums and
patterns, each refused with the service's own "1 validation error detected" message.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from botocore.model import Shape

from .._aws.errors import ServiceError, invalid_request

# Patterns in the model are Java regexes; Python's re lacks these Unicode classes.
_JAVA_CLASSES = {
    r"\p{Graph}": r"\x21-\x7e",
    r"\p{Print}": r"\x20-\x7e",
    r"\p{Cntrl}": r"\x00-\x1f\x7f",
    r"\p{C}": r"\x00-\x1f\x7f-\x9f",
    r"\p{Upper}": "A-Z",
    r"\p{Lower}": "a-z",
    r"\p{Digit}": "0-9",
    r"\p{Alnum}": "0-9A-Za-z",
    r"\p{L}": r"\w",
    r"\p{N}": r"\d",
    r"\p{Z}": r"\s",
}


@functools.cache
def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    for java, python in _JAVA_CLASSES.items():
        pattern = pattern.replace(java, python)
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        return None


def validate(shape: Shape, value: Any, where: str) -> None:
    """The service's own constraint checks (botocore checks only minimums client-side)."""
    kind = shape.type_name
    label = where or "request"
    if kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                raise invalid_request(
                    f"1 validation error detected: Value null at '{_join(where, name)}' "
                    "failed to satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                validate(member, value[name], _join(where, name))
        return
    meta = shape.metadata
    if kind == "list":
        _check_range(len(value), meta, label, "length")
        for index, item in enumerate(value):
            if item is None:
                raise invalid_request(
                    f"1 validation error detected: Value null at '{label}.{index + 1}.member' "
                    "failed to satisfy constraint: Member must not be null"
                )
            validate(shape.member, item, f"{label}[{index}]")
    elif kind == "map":
        _check_range(len(value), meta, label, "length")
        for key, item in value.items():
            if item is None:
                raise invalid_request(
                    f"1 validation error detected: Value null at '{label}.{key}' failed to "
                    "satisfy constraint: Member must not be null"
                )
            validate(shape.value, item, f"{label}.{key}")
    elif kind == "string":
        _check_range(len(value), meta, label, "length", shown=value)
        enum = shape.enum
        if enum and value not in enum:
            raise _constraint(
                value, label, f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
        pattern = meta.get("pattern")
        if pattern:
            compiled = _compile_pattern(pattern)
            if compiled is not None and not compiled.fullmatch(value):
                raise _constraint(
                    value, label, f"Member must satisfy regular expression pattern: {pattern}"
                )
    elif kind in ("integer", "long", "float", "double"):
        _check_range(value, meta, label, "value")


def _check_range(
    amount: int, meta: Mapping[str, Any], where: str, what: str, shown: Any = None
) -> None:
    low, high = meta.get("min"), meta.get("max")
    shown = amount if shown is None else shown
    if low is not None and amount < low:
        message = (
            f"Member must have {what} greater than or equal to {low}"
            if what == "length"
            else f"Member must have value greater than or equal to {low}"
        )
        raise _constraint(shown, where, message)
    if high is not None and amount > high:
        message = (
            f"Member must have {what} less than or equal to {high}"
            if what == "length"
            else f"Member must have value less than or equal to {high}"
        )
        raise _constraint(shown, where, message)


def _constraint(value: Any, where: str, message: str) -> ServiceError:
    shown = value if len(str(value)) <= 80 else f"{str(value)[:77]}..."
    return invalid_request(
        f"1 validation error detected: Value '{shown}' at '{where}' failed to satisfy "
        f"constraint: {message}"
    )


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
