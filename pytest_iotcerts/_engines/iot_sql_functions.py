"""The functions of AWS IoT SQL the rules engine evaluates, as the SQL reference describes them:
each takes the message and its evaluated arguments and gives a value, or *undefined* when the
arguments are not of its kind."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from .iot_sql_values import UNDEFINED as _UNDEFINED
from .iot_sql_values import MessageContext
from .iot_sql_values import is_number as _is_number
from .iot_sql_values import text_of as _text_of


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
