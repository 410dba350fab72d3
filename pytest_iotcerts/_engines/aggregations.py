"""Fleet indexing's aggregations over the values of one field, as the AWS IoT Developer Guide
("Querying for aggregate data") describes them: statistics by the field's type, percentiles,
and buckets of the most frequent values. Pure: values in, answers out.

A value that does not fit the field's type is left out, as the guide's troubleshooting page
says fleet indexing does ("If the field value is inconsistent with the configured field data
type, this value is ignored when you perform an aggregation query")."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

DEFAULT_PERCENTS = (1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0)
DEFAULT_MAX_BUCKETS = 10
# What GetStatistics gives for a field of each type.
STATISTICS = {
    "String": ("count",),
    "Boolean": ("count", "average", "sum", "minimum", "maximum"),
    "Number": (
        "count",
        "average",
        "sum",
        "minimum",
        "maximum",
        "sumOfSquares",
        "variance",
        "stdDeviation",
    ),
}


def typed(values: Iterable[Any], kind: str) -> list[Any]:
    """The values read as the field's type (Number: floats, Boolean: bools, String: text)."""
    read = {"Number": _number, "Boolean": _boolean}.get(kind, _text)
    return [value for value in map(read, values) if value is not None]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    return {"true": True, "false": False}.get(text)


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def statistics(values: Sequence[Any], kind: str) -> dict[str, float | int]:
    """GetStatistics over typed values: a String field counts them; a Boolean one adds the
    share of true values (average), their sum, minimum and maximum as 0 or 1; a Number one the
    whole set."""
    if kind == "String" or not values:
        return {"count": len(values)}
    numbers = [float(value) for value in values]
    if kind == "Boolean":
        return {
            "count": len(numbers),
            "average": sum(numbers) / len(numbers),
            "sum": sum(numbers),
            "minimum": min(numbers),
            "maximum": max(numbers),
        }
    total, squares = sum(numbers), sum(n * n for n in numbers)
    average = total / len(numbers)
    variance = max(squares / len(numbers) - average * average, 0.0)
    return {
        "count": len(numbers),
        "average": average,
        "sum": total,
        "minimum": min(numbers),
        "maximum": max(numbers),
        "sumOfSquares": squares,
        "variance": variance,
        "stdDeviation": variance**0.5,
    }


def percentiles(numbers: Sequence[float], percents: Sequence[float]) -> list[dict[str, float]]:
    """Each percent with the value below which that share of the numbers lies (linear between
    the two nearest ranks); with no numbers, the percents alone."""
    ordered = sorted(numbers)
    pairs = []
    for percent in percents:
        pair = {"percent": float(percent)}
        if ordered:
            pair["value"] = _at_rank(ordered, percent / 100 * (len(ordered) - 1))
        pairs.append(pair)
    return pairs


def _at_rank(ordered: Sequence[float], rank: float) -> float:
    below = math.floor(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


def buckets(values: Iterable[Any], max_buckets: int) -> list[dict[str, Any]]:
    """The most frequent values, most first (equal counts by value), ``max_buckets`` of them."""
    counted = Counter(_text(value) for value in values)
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return [{"keyValue": key, "count": count} for key, count in ranked[:max_buckets]]


def percent_named(name: str) -> float | None:
    """The percent a name gives (``p50``, ``P99`` or ``50``), or None for a name that gives
    none from 0 to 100."""
    found = re.fullmatch(r"[pP]?(\d{1,3})", name)
    if found is None or int(found.group(1)) > 100:
        return None
    return float(found.group(1))
