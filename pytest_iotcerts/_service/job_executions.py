"""Job executions, from both sides: the back end's (describe, list, cancel, delete) and the
device's (the ``iot-jobs-data`` API: pending executions, start the next, update).

States as AWS documents them: QUEUED, IN_PROGRESS, then one terminal state (SUCCEEDED, FAILED,
REJECTED, TIMED_OUT, REMOVED, CANCELED) that never changes again. A SNAPSHOT job is COMPLETED
once every execution is terminal.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, overload

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, invalid_request, not_found
from .._core.ordered import Filtered, Ordered
from .._core.resources import Job, JobExecution
from . import fleet_changes
from ._scope import Scope
from .events import RegistryEvents
from .job_outcomes import JobOutcomes
from .job_rollout import rollout_room, window_open_for

# What a device may report with UpdateJobExecution.
DEVICE_STATUSES = ("IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED")
ACTIVE_JOB = frozenset({"SCHEDULED", "IN_PROGRESS"})


class _Latest(Sequence[JobExecution]):
    """A job's latest executions, read under the store's lock as a page is sliced."""

    def __init__(self, job: Job, lock: Any) -> None:
        self._job, self._lock = job, lock

    def __len__(self) -> int:
        return len(self._job.executions)

    @overload
    def __getitem__(self, index: int) -> JobExecution: ...

    @overload
    def __getitem__(self, index: slice) -> list[JobExecution]: ...

    def __getitem__(self, index: int | slice) -> JobExecution | list[JobExecution]:
        with self._lock:
            runs = self._job.executions.values()
            if isinstance(index, slice):
                start, stop, step = index.indices(len(self._job.executions))
                return [held[-1] for held in itertools.islice(runs, start, stop, step)]
            return list(runs)[index][-1]


def _state_error(message: str) -> ServiceError:
    return ServiceError("InvalidStateTransitionException", message)


class JobExecutions:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def queue(self, job: Job, thing_name: str, *, retry_attempt: int = 0) -> JobExecution:
        runs = job.executions.setdefault(thing_name, [])
        execution = JobExecution(
            job.job_id,
            thing_name,
            self._scope.thing(thing_name).arn,
            execution_number=len(runs) + 1,
            retry_attempt=retry_attempt,
        )
        listed = self._scope.state.executions_of_thing.setdefault(thing_name, Ordered())
        if runs:
            listed.discard(runs[-1].sequence)
            job.uncounted(runs[-1])
        runs.append(execution)
        listed.add(execution.sequence, execution)
        job.counted(execution)
        pending = self._scope.state.pending_of_thing.setdefault(thing_name, Ordered())
        pending.add(execution.sequence, execution)
        execution.pending_in = pending
        return execution

    def _retry(self, job: Job, execution: JobExecution) -> None:
        """jobExecutionsRetryConfig: a FAILED or TIMED_OUT execution is queued again (a new
        execution number, ``retryAttempt`` one more) while its failure type has retries left."""
        criteria = (job.settings.get("jobExecutionsRetryConfig") or {}).get("criteriaList") or []
        runs = job.executions.get(execution.thing_name, [])
        for criterion in criteria:
            kind = criterion.get("failureType")
            types = {"FAILED", "TIMED_OUT"} if kind == "ALL" else {kind}
            if execution.status not in types or job.status != "IN_PROGRESS":
                continue
            failures = sum(run.status in types for run in runs)
            if failures <= int(criterion.get("numberOfRetries", 0)):
                self.queue(job, execution.thing_name, retry_attempt=execution.retry_attempt + 1)
                return

    def settle(self, job: Job) -> None:
        """Complete or abort the job as its executions' statuses now say."""
        JobOutcomes(self._scope).settle(job)

    def cancel_all(self, job: Job, *, force: bool) -> None:
        """A job canceled: its QUEUED executions (and IN_PROGRESS ones with ``force``)."""
        events = RegistryEvents(self._scope)
        for execution in job.latest_executions():
            if execution.status == "QUEUED" or (force and execution.status == "IN_PROGRESS"):
                execution.force_canceled = execution.status == "IN_PROGRESS"
                execution.move_to("CANCELED")
                events.job_execution("canceled", execution)

    def follow_schedule(self, job: Job) -> None:
        """schedulingConfig: a SCHEDULED job starts rolling out at its startTime; at its
        endTime the rollout stops (endBehavior STOP_ROLLOUT, the default) or the job is
        canceled (CANCEL; FORCE_CANCEL cancels IN_PROGRESS executions too)."""
        now = self._scope.clock()
        if job.status == "SCHEDULED" and job.starts_at is not None and now >= job.starts_at:
            job.status, job.rollout_began = "IN_PROGRESS", job.starts_at
            job.rollout_minute = job.rollout_sent = 0
            job.last_updated_at = timestamp()
        if job.ends_at is None or now < job.ends_at or job.status not in ACTIVE_JOB:
            return
        behavior = (job.settings.get("schedulingConfig") or {}).get("endBehavior")
        job.ends_at, job.rollout_waiting = None, []
        if behavior in ("CANCEL", "FORCE_CANCEL"):
            job.status, job.last_updated_at = "CANCELED", timestamp()
            self.cancel_all(job, force=behavior == "FORCE_CANCEL")
            RegistryEvents(self._scope).job("canceled", job)
            fleet_changes.executions_changed(self._scope, list(job.executions))

    def roll_out(self, job: Job) -> None:
        """jobExecutionsRolloutConfig: executions are queued minute by minute on the mock's
        clock, ``maximumPerMinute`` each minute, or from ``exponentialRate.baseRatePerMinute``
        up by ``incrementFactor`` each time ``rateIncreaseCriteria`` is met (capped by
        ``maximumPerMinute``); all at once without a rollout config."""
        self._release(job)
        self._track(job)

    def _track(self, job: Job) -> None:
        """Keep ``jobs_in_motion`` true: the jobs the mock's clock may still change."""
        moving = self._scope.state.jobs_in_motion
        in_motion = (
            bool(job.rollout_waiting or job.timing)
            or job.status == "SCHEDULED"
            or (job.ends_at is not None and job.status in ACTIVE_JOB)
        )
        if in_motion and self._scope.state.jobs.get(job.job_id) is job:
            moving[job.job_id] = job
        else:
            moving.pop(job.job_id, None)

    def _release(self, job: Job) -> None:
        """Queue the executions the rollout has room for by now."""
        self.follow_schedule(job)
        if not job.rollout_waiting or job.status != "IN_PROGRESS":
            return
        now = int((self._scope.clock() - job.rollout_began) // 60)
        released: list[str] = []
        while job.rollout_waiting:
            room = rollout_room(job) if window_open_for(job, job.rollout_minute) else 0
            batch, job.rollout_waiting = job.rollout_waiting[:room], job.rollout_waiting[room:]
            for thing_name in batch:
                self.queue(job, thing_name)
            released += batch
            job.rollout_sent += len(batch)
            if job.rollout_minute >= now:
                break
            job.rollout_minute, job.rollout_sent = job.rollout_minute + 1, 0
        if released:
            fleet_changes.executions_changed(self._scope, released)

    def _job(self, job_id: str) -> Job:
        job = self._scope.state.jobs.get(job_id)
        if job is None:
            raise not_found(f"The job {job_id} does not exist.")
        self.expire(job)
        return job

    def expire(self, job: Job) -> None:
        """Catch up with the mock's clock: executions due by the rollout rate are queued,
        IN_PROGRESS ones past their timeout are TIMED_OUT."""
        self.roll_out(job)
        now = self._scope.clock()
        for key, execution in list(job.timing.items()):
            deadline = execution.timeout_at
            if execution.status != "IN_PROGRESS" or deadline is None:
                del job.timing[key]  # finished, or canceled, before its timeout
                continue
            if now >= deadline:
                del job.timing[key]
                execution.timeout_at = None
                execution.move_to("TIMED_OUT")
                RegistryEvents(self._scope).job_execution("timed_out", execution)
                self._retry(job, execution)
                fleet_changes.executions_changed(self._scope, [execution.thing_name])
        self.settle(job)
        self._track(job)

    def seconds_left(self, execution: JobExecution) -> int | None:
        """approximateSecondsBeforeTimedOut: while IN_PROGRESS with a timeout."""
        if execution.timeout_at is None or execution.status != "IN_PROGRESS":
            return None
        return max(0, int(execution.timeout_at - self._scope.clock()))

    def _start(self, execution: JobExecution, step_minutes: int | None) -> None:
        """The timeout of an execution now IN_PROGRESS: the device's step timeout, else the
        job's timeoutConfig.inProgressTimeoutInMinutes."""
        job = self._job(execution.job_id)
        minutes = step_minutes or (job.settings.get("timeoutConfig") or {}).get(
            "inProgressTimeoutInMinutes"
        )
        if minutes:
            execution.timeout_at = self._scope.clock() + 60 * int(minutes)
            job.timing[id(execution)] = execution
            self._track(job)

    def get(self, job_id: str, thing_name: str, number: int | None = None) -> JobExecution:
        """The latest execution of a job on a thing (or the one numbered ``number``)."""
        with self._scope.store.lock:
            runs = self._job(job_id).executions.get(thing_name, [])
            chosen = [run for run in runs if number in (None, run.execution_number)]
            if not chosen:
                raise not_found(f"The job {job_id} has no execution on thing {thing_name}.")
            return chosen[-1]

    def of_job(self, job_id: str, status: str | None = None) -> Sequence[JobExecution]:
        """The latest execution on each thing of the job, in the order the things were
        targeted; unfiltered, a view a page is sliced from in O(position + page)."""
        with self._scope.store.lock:
            job = self._job(job_id)
            if status is None:
                return _Latest(job, self._scope.store.lock)
            return [run for run in job.latest_executions() if run.status == status]

    def catch_up(self) -> None:
        """Every job caught up with the mock's clock (rollouts, timeouts)."""
        with self._scope.store.lock:
            for job in list(self._scope.state.jobs_in_motion.values()):
                self.expire(job)

    def of_thing(
        self,
        thing_name: str,
        *,
        status: str | None = None,
        job_id: str | None = None,
        caught_up: bool = False,
    ) -> list[JobExecution]:
        """A thing's executions across jobs, oldest first (``caught_up``: the jobs have just
        been caught up with the clock, for many things at once)."""
        with self._scope.store.lock:
            return list(
                self.listed_of_thing(thing_name, status=status, job_id=job_id, caught_up=caught_up)
            )

    def listed_of_thing(
        self,
        thing_name: str,
        *,
        status: str | None = None,
        job_id: str | None = None,
        caught_up: bool = False,
    ) -> Ordered[JobExecution]:
        """A thing's executions across jobs (the latest of each job), in the order they were
        queued, checked against the filters only as a page reaches them (call under the
        store's lock)."""
        self._scope.thing(thing_name)
        if not caught_up:
            self.catch_up()
        listed = self._scope.state.executions_of_thing.get(thing_name) or Ordered()
        if status is None and job_id is None:
            return listed
        return Filtered(
            listed, lambda run: status in (None, run.status) and job_id in (None, run.job_id)
        )

    def cancel(
        self,
        job_id: str,
        thing_name: str,
        *,
        force: bool = False,
        expected_version: int | None = None,
        details: dict[str, str] | None = None,
    ) -> JobExecution:
        """QUEUED is canceled; IN_PROGRESS only with ``force``; a terminal state stays."""
        with self._scope.store.lock:
            execution = self.get(job_id, thing_name)
            self._check_version(execution, expected_version)
            if execution.terminal or (execution.status == "IN_PROGRESS" and not force):
                raise _state_error(
                    f"The job execution of {job_id} on {thing_name} is {execution.status}; only "
                    "a QUEUED execution (or an IN_PROGRESS one, with force) can be canceled."
                )
            execution.force_canceled = execution.status == "IN_PROGRESS"
            execution.move_to("CANCELED", details)
            RegistryEvents(self._scope).job_execution("canceled", execution)
            self.settle(self._job(job_id))
        fleet_changes.executions_changed(self._scope, [thing_name])
        return execution

    def delete(self, job_id: str, thing_name: str, number: int, *, force: bool = False) -> None:
        """A terminal execution, or any with ``force``."""
        with self._scope.store.lock:
            execution = self.get(job_id, thing_name, number)
            if not execution.terminal and not force:
                raise _state_error(
                    f"The job execution of {job_id} on {thing_name} is {execution.status}; "
                    "delete it with force, or once it is in a terminal state."
                )
            job = self._job(job_id)
            runs = job.executions[thing_name]
            listed = self._scope.state.executions_of_thing[thing_name]
            listed.discard(runs[-1].sequence)
            job.uncounted(runs[-1])
            execution.leave_pending()
            runs.remove(execution)
            if runs:
                listed.add(runs[-1].sequence, runs[-1])
                job.counted(runs[-1])
            else:
                del job.executions[thing_name]
            RegistryEvents(self._scope).job_execution("deleted", execution)
        fleet_changes.executions_changed(self._scope, [thing_name])

    # -- the device's side ----------------------------------------------------------------

    def pending(
        self, thing_name: str, *, caught_up: bool = False
    ) -> tuple[list[JobExecution], list[JobExecution]]:
        """GetPendingJobExecutions: (IN_PROGRESS, QUEUED), oldest first."""
        with self._scope.store.lock:
            self._scope.thing(thing_name)
            if not caught_up:
                self.catch_up()
            runs = list(self._scope.state.pending_of_thing.get(thing_name) or ())
        return (
            [run for run in runs if run.status == "IN_PROGRESS"],
            [run for run in runs if run.status == "QUEUED"],
        )

    def start_next(
        self, thing_name: str, details: dict[str, str] | None, step_minutes: int | None = None
    ) -> JobExecution | None:
        """StartNextPendingJobExecution: the oldest IN_PROGRESS one, else the oldest QUEUED one,
        now IN_PROGRESS; None when nothing is pending."""
        with self._scope.store.lock:
            in_progress, queued = self.pending(thing_name)
            if in_progress:
                return in_progress[0]
            if not queued:
                return None
            execution = queued[0]
            execution.move_to("IN_PROGRESS", details)
            self._start(execution, step_minutes)
        fleet_changes.executions_changed(self._scope, [thing_name])
        return execution

    def report(
        self,
        job_id: str,
        thing_name: str,
        status: str,
        *,
        details: dict[str, str] | None = None,
        expected_version: int | None = None,
        number: int | None = None,
        step_minutes: int | None = None,
    ) -> JobExecution:
        """UpdateJobExecution, from the device (``step_minutes``: a new step timeout)."""
        if status not in DEVICE_STATUSES:
            raise invalid_request(f"A device reports {', '.join(DEVICE_STATUSES)}, not {status}.")
        with self._scope.store.lock:
            execution = self.get(job_id, thing_name, number)
            self._check_version(execution, expected_version)
            if execution.terminal:
                raise _state_error(
                    f"The job execution of {job_id} on {thing_name} is already {execution.status}, "
                    "a terminal state."
                )
            starting = execution.status == "QUEUED" and status == "IN_PROGRESS"
            execution.move_to(status, details)
            if starting or (status == "IN_PROGRESS" and step_minutes):
                self._start(execution, step_minutes)
            if execution.terminal:
                execution.timeout_at = None
                RegistryEvents(self._scope).job_execution(status.lower(), execution)
                self._retry(self._scope.state.jobs[job_id], execution)
            self.settle(self._job(job_id))
        fleet_changes.executions_changed(self._scope, [thing_name])
        if status == "SUCCEEDED":
            fleet_changes.job_succeeded(self._scope, self._job(job_id), thing_name)
        return execution

    def next_for(self, thing_name: str) -> JobExecution | None:
        """``$next``: the execution StartNextPendingJobExecution would return, unchanged."""
        in_progress, queued = self.pending(thing_name)
        return next(iter(in_progress + queued), None)

    @staticmethod
    def _check_version(execution: JobExecution, expected: int | None) -> None:
        if expected is not None and expected != execution.version:
            raise ServiceError(
                "VersionConflictException",
                f"The job execution of {execution.job_id} on {execution.thing_name} is at "
                f"version {execution.version}, not {expected}.",
            )
