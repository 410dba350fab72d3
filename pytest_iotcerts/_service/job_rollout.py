"""A job's rollout, minute by minute on the mock's clock: how many executions a minute may
queue (``jobExecutionsRolloutConfig``: ``maximumPerMinute``, or ``exponentialRate`` rising as
its criteria are met), and whether a maintenance window lets it queue any."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .._core.resources import Job
from .maintenance_windows import window_open

MAX_ROLLOUT_PER_MINUTE = 1000  # jobExecutionsRolloutConfig's documented maximum


def window_open_for(job: Job, minute: int) -> bool:
    """schedulingConfig.maintenanceWindows: executions are queued only while a window is
    open (its start a cron expression in UTC, on the mock's clock)."""
    windows = (job.settings.get("schedulingConfig") or {}).get("maintenanceWindows")
    if not windows:
        return True
    anchor_clock, anchor_wall = job.clock_anchor
    at = anchor_wall + job.rollout_began + 60 * minute - anchor_clock
    return window_open(windows, dt.datetime.fromtimestamp(at, dt.timezone.utc))


def rollout_room(job: Job) -> int:
    """How many more executions this minute of the rollout may queue."""
    rollout = job.settings.get("jobExecutionsRolloutConfig") or {}
    exponential = rollout.get("exponentialRate")
    cap = float(rollout.get("maximumPerMinute") or MAX_ROLLOUT_PER_MINUTE)
    if exponential:
        if job.rollout_sent == 0:  # a new minute: the rate rises as its criteria are met
            job.rollout_rate = min(cap, job.rollout_rate or exponential["baseRatePerMinute"])
            _speed_up(job, exponential, cap)
    elif rollout.get("maximumPerMinute"):
        job.rollout_rate = cap
    else:
        return len(job.rollout_waiting)
    return max(0, int(job.rollout_rate) - job.rollout_sent)


def _speed_up(job: Job, exponential: dict[str, Any], cap: float) -> None:
    criteria = exponential.get("rateIncreaseCriteria") or {}
    if "numberOfNotifiedThings" in criteria:
        need = int(criteria["numberOfNotifiedThings"])
        progress = sum(len(runs) for runs in job.executions.values())
    elif "numberOfSucceededThings" in criteria:
        need = int(criteria["numberOfSucceededThings"])
        progress = job.tally["SUCCEEDED"]
    else:
        return
    while need > 0 and progress - job.rollout_mark >= need and job.rollout_rate < cap:
        job.rollout_rate = min(cap, job.rollout_rate * float(exponential["incrementFactor"]))
        job.rollout_mark += need
