"""How a job ends by itself: a SNAPSHOT job whose executions are all terminal is COMPLETED, and
a job whose failures meet its ``abortConfig`` is canceled. Both read the job's tally of its
executions' statuses, so settling a job after each device's update costs the same for a job over
ten things as for one over fifty thousand."""

from __future__ import annotations

from .._aws.clock import timestamp
from .._core.resources import Job
from .._core.resources.jobs import TERMINAL_EXECUTION_STATUSES
from . import fleet_changes
from ._scope import Scope
from .events import RegistryEvents

FAILURES = frozenset({"FAILED", "REJECTED", "TIMED_OUT"})
PENDING = ("QUEUED", "IN_PROGRESS")
# what abortConfig counts as executed: terminal, but not canceled
EXECUTED = TERMINAL_EXECUTION_STATUSES - {"CANCELED"}


class JobOutcomes:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def settle(self, job: Job) -> None:
        """A job whose failures meet its abortConfig is canceled; a SNAPSHOT job whose
        executions are all terminal (and all rolled out) is COMPLETED."""
        if job.status != "IN_PROGRESS":
            return
        if self._abort_if_failing(job) or job.target_selection != "SNAPSHOT":
            return
        if not job.rollout_waiting and not any(job.tally[status] for status in PENDING):
            job.status = "COMPLETED"
            job.completed_at = job.last_updated_at = timestamp()
            RegistryEvents(self._scope).job("completed", job)

    def _abort_if_failing(self, job: Job) -> bool:
        """abortConfig: once ``minNumberOfExecutedThings`` executions are terminal, a share of
        ``failureType`` (FAILED, REJECTED, TIMED_OUT, or ALL of them) at or past
        ``thresholdPercentage`` cancels the job, and its QUEUED executions."""
        criteria = (job.settings.get("abortConfig") or {}).get("criteriaList") or []
        if not criteria:
            return False
        executed = sum(job.tally[status] for status in EXECUTED)
        for criterion in criteria:
            kinds = (
                FAILURES if criterion.get("failureType") == "ALL" else {criterion["failureType"]}
            )
            failed = sum(job.tally[status] for status in kinds)
            minimum = int(criterion.get("minNumberOfExecutedThings", 1))
            share = 100 * failed / executed if executed else 0.0
            if executed >= minimum and share >= float(criterion["thresholdPercentage"]):
                self._abort(job, criterion, share)
                return True
        return False

    def _abort(self, job: Job, criterion: dict[str, object], share: float) -> None:
        job.status = "CANCELED"
        job.comment = (
            f"Aborted by abortConfig: {criterion['failureType']} reached {share:.2f}% of the "
            f"executed things (threshold {criterion['thresholdPercentage']}%)."
        )
        job.last_updated_at = timestamp()
        job.rollout_waiting = []
        events = RegistryEvents(self._scope)
        for execution in job.latest_executions():
            if execution.status == "QUEUED":
                execution.move_to("CANCELED")
                events.job_execution("canceled", execution)
        events.job("canceled", job)
        fleet_changes.executions_changed(self._scope, list(job.executions))
