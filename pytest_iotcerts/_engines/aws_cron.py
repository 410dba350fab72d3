"""AWS's cron expressions, ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``, as jobs'
maintenance windows give their start times (UTC), and whether a window is open at a moment.

Fields take ``*``, numbers, ranges ``a-b``, lists ``a,b`` and steps ``*/n`` or ``a/n``; months
``JAN``-``DEC`` and days ``SUN``-``SAT`` by name too; day-of-week counts ``1`` (Sunday) to ``7``;
one of day-of-month and day-of-week is ``?``. The ``L``, ``W`` and ``#`` forms are refused
(InvalidRequestException), not guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .._aws.errors import invalid_request

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
_FIELDS: tuple[tuple[str, int, int, list[str]], ...] = (  # name, low, high, names (from ``low``)
    ("Minutes", 0, 59, []),
    ("Hours", 0, 23, []),
    ("Day-of-month", 1, 31, []),
    ("Month", 1, 12, _MONTHS),
    ("Day-of-week", 1, 7, _DAYS),
    ("Year", 1970, 2199, []),
)
_EXPRESSION = re.compile(r"^cron\((.*)\)$")


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: ``?``
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 1 = Sunday
    years: frozenset[int]

    def matches(self, moment: dt.datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1  # Monday is 1 in ISO, 2 here
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and moment.year in self.years
            and (self.days is None or moment.day in self.days)
            and (self.weekdays is None or weekday in self.weekdays)
        )


def parse(expression: str) -> Cron:
    found = _EXPRESSION.match(expression.strip())
    parts = found.group(1).split() if found else []
    if len(parts) != 6:
        raise invalid_request(
            f"'{expression}' is not an AWS cron expression: cron(Minutes Hours Day-of-month "
            "Month Day-of-week Year)."
        )
    values = [_field(part, *spec, expression) for part, spec in zip(parts, _FIELDS, strict=True)]
    if (values[2] is None) == (values[4] is None):
        raise invalid_request(
            f"'{expression}': one of Day-of-month and Day-of-week must be '?', not both."
        )
    minutes, hours, days, months, weekdays, years = values
    assert minutes is not None and hours is not None and months is not None and years is not None
    return Cron(minutes, hours, days, months, weekdays, years)


def _field(
    text: str, name: str, low: int, high: int, names: list[str], expression: str
) -> frozenset[int] | None:
    if text == "?" and name in ("Day-of-month", "Day-of-week"):
        return None

    def number(word: str) -> int:
        return _number(word, low, high, names, name, expression)

    chosen: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = number(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first, last = number(first_text), number(last_text)
        else:
            first = number(base)
            last = high if step_text else first
        chosen.update(range(first, last + 1, max(step, 1)))
    return frozenset(chosen)


def _number(word: str, low: int, high: int, names: list[str], field: str, expression: str) -> int:
    upper = word.upper()
    if upper in names:
        return names.index(upper) + low
    if not word.isdigit() or not low <= int(word) <= high:
        raise invalid_request(
            f"'{expression}': '{word}' is not a {field} value ({low}-{high}"
            + (f" or {names[0]}-{names[-1]}" if names else "")
            + "); L, W and # are not supported."
        )
    return int(word)


def window_open(windows: list[tuple[Cron, int]], moment: dt.datetime) -> bool:
    """Whether one of the windows (a start cron, a duration in minutes) is open at ``moment``
    (UTC): a start that matches lies at most ``duration`` minutes before it."""
    minute = moment.replace(second=0, microsecond=0)
    longest = max((duration for _cron, duration in windows), default=0)
    for back in range(longest):
        start = minute - dt.timedelta(minutes=back)
        if any(back < duration and cron.matches(start) for cron, duration in windows):
            return True
    return False
