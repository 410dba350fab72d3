"""AWS's cron expressions for jobs' maintenance windows."""

from __future__ import annotations

import datetime as dt

import pytest

from pytest_iotcerts._aws.errors import ServiceError
from pytest_iotcerts._engines.aws_cron import parse, window_open


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("expression", "moment", "expected"),
    [
        ("cron(0 2 * * ? *)", "2026-12-01T02:00", True),
        ("cron(0 2 * * ? *)", "2026-12-01T02:01", False),
        ("cron(*/15 * * * ? *)", "2026-12-01T07:45", True),
        ("cron(5/10 * * * ? *)", "2026-12-01T07:25", True),
        ("cron(5/10 * * * ? *)", "2026-12-01T07:20", False),
        ("cron(0 9-17 ? * MON-FRI *)", "2026-12-01T12:00", True),  # a Tuesday
        ("cron(0 9-17 ? * MON-FRI *)", "2026-12-05T12:00", False),  # a Saturday
        ("cron(0 0 ? * 1 *)", "2026-12-06T00:00", True),  # 1 is Sunday
        ("cron(30 23 31 DEC ? 2026)", "2026-12-31T23:30", True),
        ("cron(30 23 31 DEC ? 2027)", "2026-12-31T23:30", False),
        ("cron(0 0 1,15 * ? *)", "2026-12-15T00:00", True),
    ],
)
def test_an_expression_matches_its_minutes(expression: str, moment: str, expected: bool) -> None:
    assert parse(expression).matches(at(moment)) is expected


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 2 * *)",
        "cron(0 2 * * MON *)",
        "cron(0 2 ? * ? *)",
        "cron(0 2 L * ? *)",
        "cron(0 2 ? * MON#1 *)",
        "cron(61 2 * * ? *)",
        "rate(5 minutes)",
    ],
)
def test_what_aws_refuses_is_refused(expression: str) -> None:
    with pytest.raises(ServiceError) as raised:
        parse(expression)
    assert raised.value.code == "InvalidRequestException"


def test_a_window_is_open_from_its_start_for_its_duration() -> None:
    windows = [(parse("cron(0 2 * * ? *)"), 60)]

    assert not window_open(windows, at("2026-12-01T01:59"))
    assert window_open(windows, at("2026-12-01T02:00"))
    assert window_open(windows, at("2026-12-01T02:59"))
    assert not window_open(windows, at("2026-12-01T03:00"))
