"""Jobs, their executions on things, and job templates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..._aws.clock import timestamp
from ..._aws.public import public
from ..links import next_sequence
from ..ordered import Ordered
from ._named import ConfiguredResource

TERMINAL_EXECUTION_STATUSES = frozenset(
    {"SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "REMOVED", "CANCELED"}
)


@public
@dataclass
class JobExecution:
    """One execution of a job on one thing; ``version`` moves on with every change."""

    job_id: str
    thing_name: str
    thing_arn: str
    execution_number: int
    status: str = "QUEUED"
    status_details: dict[str, str] = field(default_factory=dict)
    queued_at: dt.datetime = field(default_factory=timestamp)
    started_at: dt.datetime | None = None
    last_updated_at: dt.datetime = field(default_factory=timestamp)
    version: int = 1
    force_canceled: bool = False
    timeout_at: float | None = None  # on the mock's clock, while IN_PROGRESS with a timeout
    retry_attempt: int = 0  # 0 for the first run, then one more for each retry
    # its place among the executions queued (a thing's list pages by it)
    sequence: int = field(default_factory=next_sequence, compare=False, repr=False)
    # its job's count of statuses, while it is the latest execution on its thing
    tally: Counter[str] | None = field(default=None, compare=False, repr=False)
    # its thing's pending executions, while it is one of them
    pending_in: Ordered[JobExecution] | None = field(default=None, compare=False, repr=False)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_EXECUTION_STATUSES

    def leave_pending(self) -> None:
        """No longer among its thing's pending executions (finished, or deleted)."""
        if self.pending_in is not None:
            self.pending_in.discard(self.sequence)
            self.pending_in = None

    def move_to(self, status: str, details: dict[str, str] | None = None) -> None:
        if status == "IN_PROGRESS" and self.started_at is None:
            self.started_at = timestamp()
        if self.tally is not None:
            self.tally[self.status] -= 1
            self.tally[status] += 1
        if status in TERMINAL_EXECUTION_STATUSES:
            self.leave_pending()
        self.status = status
        self.status_details.update(details or {})
        self.last_updated_at = timestamp()
        self.version += 1


@public
class Job(ConfiguredResource):
    """A job: a document for things (and the things of thing groups) to run, and its
    executions by thing name (a list each: a thing can run a job more than once)."""

    _arn_kind = "job"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.status = "IN_PROGRESS"
        self.created_at = self.last_updated_at = timestamp()
        self.completed_at: dt.datetime | None = None
        self.force_canceled = False
        self.reason_code: str | None = None
        self.comment: str | None = None
        self.executions: dict[str, list[JobExecution]] = {}
        # the statuses of the latest execution on each thing, counted as they change
        # (DescribeJob's jobProcessDetails without a look at every execution)
        self.tally: Counter[str] = Counter()
        # the executions with a timeout running (IN_PROGRESS), so catching up with the clock
        # looks at them alone
        self.timing: dict[int, JobExecution] = {}
        # jobExecutionsRolloutConfig: things not queued yet, and when the rollout began (on
        # the mock's clock)
        self.rollout_waiting: list[str] = []
        self.rollout_began = 0.0
        # the mock's clock and the wall clock at the job's creation: wall times (cron
        # expressions, schedules) map to the mock's clock through it
        self.clock_anchor: tuple[float, float] = (0.0, 0.0)
        self.rollout_minute = 0  # the rollout's current minute, its rate, and how many it sent
        self.rollout_rate = 0.0
        self.rollout_sent = 0
        self.rollout_mark = 0  # exponentialRate: progress counted at the last increase
        # schedulingConfig: when the rollout starts and ends, on the mock's clock
        self.starts_at: float | None = None
        self.ends_at: float | None = None
        # the package versions it installs as given ($default and all), and the value of each
        # package placeholder of its document, fixed when it was made
        self.packages_given: list[str] | None = None
        self.package_values: dict[str, Any] = {}

    @property
    def job_id(self) -> str:
        return self.name

    def use_packages(self, resolved: list[str], values: dict[str, Any]) -> None:
        """The package versions it installs, ``$default`` resolved; its document's package
        placeholders and their values."""
        given = self.settings.get("destinationPackageVersions")
        if given:
            self.packages_given = list(given)
            self.settings["destinationPackageVersions"] = resolved
        self.package_values = values

    @property
    def target_selection(self) -> str:
        return str(self.settings.get("targetSelection", "SNAPSHOT"))

    def counted(self, execution: JobExecution) -> None:
        """``execution`` is now the latest on its thing: its status counts."""
        execution.tally = self.tally
        self.tally[execution.status] += 1

    def uncounted(self, execution: JobExecution) -> None:
        """``execution`` is no longer the latest on its thing."""
        if execution.tally is self.tally:
            self.tally[execution.status] -= 1
            execution.tally = None

    def latest_executions(self) -> list[JobExecution]:
        """The latest execution on each thing, in the order the things were targeted."""
        return [runs[-1] for runs in self.executions.values()]

    def __repr__(self) -> str:
        return f"<Job {self.name} {self.status} things={list(self.executions)}>"


@public
class JobTemplate(ConfiguredResource):
    """A job template: a job's document and configuration, to create jobs from."""

    _arn_kind = "jobtemplate"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.created_at = timestamp()
