"""The AWS IoT SQL functions the rules engine evaluates, each as the SQL reference describes
it, on a message (pure: the engine without the service)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_iotcerts._engines import iot_sql_eval

PAYLOAD = b'{"s": "  padded  ", "n": -2.5, "code": "abc123", "at": 1764584430123}'


def select(expression: str) -> Any:
    statement = iot_sql_eval.parse(f"SELECT {expression} AS v FROM 'devices/+/data'")
    assert iot_sql_eval.unevaluated_functions(statement) == []
    context = iot_sql_eval.MessageContext("devices/d1/data", PAYLOAD, client_id="d1")
    evaluated = iot_sql_eval.evaluate(statement, context, "2016-03-23")
    assert evaluated is not None
    return evaluated.selected.get("v", "undefined")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("substring('123456', 0, 3)", "123"),
        ("substring('123456', 2)", "3456"),
        ("replace('a-b-c', '-', '+')", "a+b+c"),
        ("indexof('hello', 'l')", 2),
        ("ltrim(s)", "padded  "),
        ("rtrim(s)", "  padded"),
        ("lpad('x', 2)", "  x"),
        ("rpad('x', 2)", "x  "),
        ("numbytes('é')", 2),
        ("chr(65)", "A"),
        ("regexp_matches(code, '[0-9]+')", True),
        ("regexp_replace(code, '([a-z]+)([0-9]+)', '$2$1')", "123abc"),
        ("regexp_substring(code, '[0-9]+')", "123"),
        ("ln(1)", 0.0),
        ("log(100)", 2.0),
        ("sign(n)", -1),
        ("trunc(2.567, 2)", 2.56),
        ("bitand(12, 10)", 8),
        ("bitor(12, 10)", 14),
        ("bitxor(12, 10)", 6),
        ("parse_time('yyyy-MM-dd HH:mm:ss.SSS', at)", "2025-12-01 10:20:30.123"),
        ("parse_time('yyyy-MM-dd''T''HH:mm', at, 'America/New_York')", "2025-12-01T05:20"),
        ("time_to_epoch('2025-12-01 10:20:30', 'yyyy-MM-dd HH:mm:ss')", 1764584430000),
        ("upper(substring(code, 0, 3))", "ABC"),
        ("substring(n, 0, 1)", "undefined"),  # not a string: undefined, left out
    ],
)
def test_a_function_gives_what_the_sql_reference_says(expression: str, expected: Any) -> None:
    assert select(expression) == expected
