"""Jobs' maintenance windows (``schedulingConfig.maintenanceWindows``): each a start time, an
AWS cron expression in UTC, and a duration; a job's executions are queued only while one is
open."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from .._aws.errors import invalid_request
from .._engines import aws_cron

MAINTENANCE_MINUTES = (30, 1430)  # a maintenance window's documented durations


def maintenance_windows(windows: Any) -> list[tuple[aws_cron.Cron, int]]:
    """schedulingConfig.maintenanceWindows, checked: each a ``startTime`` cron expression and
    a ``durationInMinutes`` from 30 to 1430 (InvalidRequestException otherwise)."""
    if not isinstance(windows, list):
        raise invalid_request("maintenanceWindows must be a list of windows.")
    low, high = MAINTENANCE_MINUTES
    checked = []
    for window in windows:
        window = window if isinstance(window, dict) else {}
        duration = window.get("durationInMinutes")
        if type(duration) is not int or not low <= duration <= high:
            raise invalid_request(
                f"A maintenance window's durationInMinutes is from {low} to {high}."
            )
        checked.append((_cron(str(window.get("startTime", ""))), duration))
    return checked


@lru_cache(maxsize=256)
def _cron(expression: str) -> aws_cron.Cron:
    return aws_cron.parse(expression)


def window_open(windows: Any, moment: dt.datetime) -> bool:
    """Whether one of the (checked) windows is open at ``moment`` (UTC)."""
    return aws_cron.window_open(maintenance_windows(windows), moment)
