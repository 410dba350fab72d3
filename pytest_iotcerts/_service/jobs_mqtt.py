"""The jobs MQTT API, as devices run jobs: requests on ``$aws/things/NAME/jobs/get``,
``start-next``, ``JOBID/get`` and ``JOBID/update`` answered on ``.../accepted`` or
``.../rejected`` with AWS's documents and error codes, and the notifications AWS IoT publishes
without being asked: ``jobs/notify`` (the pending executions, whenever that list changes) and
``jobs/notify-next`` (the next execution, whenever it changes). Over the same job state as the
control plane and the HTTP jobs data plane; timestamps are epoch seconds.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from typing import Any

from .._aws.errors import ServiceError
from .._core.resources import JobExecution
from ._scope import Scope
from .job_executions import JobExecutions
from .jobs import document_of

REQUEST = re.compile(
    r"^\$aws/things/(?P<thing>[^/#+]+)/jobs/"
    r"(?:(?P<list>get)|(?P<start>start-next)|(?P<job>[^/#+]+)/(?P<action>get|update))$"
)
# The jobs data plane's errors, as the MQTT API names them in a rejected document
_CODES = {
    "InvalidRequestException": "InvalidRequest",
    "ResourceNotFoundException": "ResourceNotFound",
    "InvalidStateTransitionException": "InvalidStateTransition",
    "VersionConflictException": "VersionMismatch",
    "ThrottlingException": "RequestThrottled",
}


class _Rejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _seconds(moment: Any) -> int | None:
    return None if moment is None else int(moment.timestamp())


def summary(execution: JobExecution) -> dict[str, Any]:
    """A JobExecutionSummary, as the MQTT API shows it."""
    shown = {
        "jobId": execution.job_id,
        "queuedAt": _seconds(execution.queued_at),
        "startedAt": _seconds(execution.started_at),
        "lastUpdatedAt": _seconds(execution.last_updated_at),
        "versionNumber": execution.version,
        "executionNumber": execution.execution_number,
    }
    return {key: value for key, value in shown.items() if value is not None}


class JobsMqtt:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self._executions = JobExecutions(scope)

    def execution(self, execution: JobExecution, *, with_document: bool = True) -> dict[str, Any]:
        """A JobExecution, as the MQTT API shows it (its document as JSON)."""
        shown = {
            **summary(execution),
            "thingName": execution.thing_name,
            "status": execution.status,
            "statusDetails": dict(execution.status_details),
        }
        left = self._executions.seconds_left(execution)
        if left is not None:
            shown["approximateSecondsBeforeTimedOut"] = left
        if with_document:
            job = self._scope.state.jobs.get(execution.job_id)
            document = document_of(job) if job is not None else None
            shown["jobDocument"] = json.loads(document) if document else {}
        return shown

    # -- requests ---------------------------------------------------------------------------

    def request(self, topic: str, payload: bytes) -> bool:
        """Answer a jobs API request as AWS IoT (False: not one)."""
        found = REQUEST.match(topic)
        if found is None:
            return False
        request: dict[str, Any] = {}
        try:
            request = _read(payload)
            answer = self._answer(found, request)
        except _Rejected as rejected:
            self._reply(topic, "rejected", request, code=rejected.code, message=rejected.message)
        except ServiceError as error:
            code = _CODES.get(error.code, "InternalError")
            self._reply(topic, "rejected", request, code=code, message=error.message)
        else:
            self._reply(topic, "accepted", request, **answer)
        return True

    def _answer(self, found: re.Match[str], request: dict[str, Any]) -> dict[str, Any]:
        thing, executions = found["thing"], self._executions
        if found["list"]:
            in_progress, queued = executions.pending(thing)
            return {
                "inProgressJobs": [summary(run) for run in in_progress],
                "queuedJobs": [summary(run) for run in queued],
            }
        if found["start"]:
            started = executions.start_next(
                thing, request.get("statusDetails"), request.get("stepTimeoutInMinutes")
            )
            self.notify([thing])
            return {} if started is None else {"execution": self.execution(started)}
        job_id = found["job"]
        if found["action"] == "get":
            run = (
                executions.next_for(thing)
                if job_id == "$next"
                else executions.get(job_id, thing, request.get("executionNumber"))
            )
            if run is None:
                return {}
            with_document = request.get("includeJobDocument", True) is not False
            return {"execution": self.execution(run, with_document=with_document)}
        return self._update(thing, job_id, request)

    def _update(self, thing: str, job_id: str, request: dict[str, Any]) -> dict[str, Any]:
        if "status" not in request:
            raise _Rejected("InvalidRequest", "An update names the execution's new status.")
        run = self._executions.report(
            job_id,
            thing,
            request["status"],
            details=request.get("statusDetails"),
            expected_version=request.get("expectedVersion"),
            number=request.get("executionNumber"),
            step_minutes=request.get("stepTimeoutInMinutes"),
        )
        self.notify([thing])
        answer: dict[str, Any] = {}
        if request.get("includeJobExecutionState"):
            answer["executionState"] = {
                "status": run.status,
                "statusDetails": dict(run.status_details),
                "versionNumber": run.version,
            }
        if request.get("includeJobDocument"):
            answer["jobDocument"] = self.execution(run)["jobDocument"]
        return answer

    def _reply(self, topic: str, outcome: str, request: dict[str, Any], **fields: Any) -> None:
        document = {**fields, "timestamp": int(time.time())}
        if isinstance(request.get("clientToken"), str):
            document["clientToken"] = request["clientToken"]
        self._scope.publish(f"{topic}/{outcome}", document)

    # -- notifications ------------------------------------------------------------------------

    def notify(self, thing_names: Iterable[str]) -> None:
        """``notify`` when a thing's pending executions changed, ``notify-next`` when its next
        one did, as AWS IoT publishes them. The jobs are caught up with the clock once for all
        the things, so a job over many things tells them all in time linear in their number."""
        things = list(dict.fromkeys(thing_names))
        if len(things) > 1:
            self._executions.catch_up()
        for thing in things:
            try:
                in_progress, queued = self._executions.pending(thing, caught_up=len(things) > 1)
            except ServiceError:  # the thing is gone
                continue
            pending = (tuple(r.job_id for r in in_progress), tuple(r.job_id for r in queued))
            following = next(iter(in_progress + queued), None)
            next_key = None if following is None else (following.job_id, following.execution_number)
            with self._scope.store.lock:
                before = self._scope.state.jobs_notified.get(thing, (((), ()), None))
                self._scope.state.jobs_notified[thing] = (pending, next_key)
            now = int(time.time())
            prefix = f"$aws/things/{thing}/jobs"
            if pending != before[0]:
                jobs = {"IN_PROGRESS": in_progress, "QUEUED": queued}
                listed = {
                    status: [summary(r) for r in runs] for status, runs in jobs.items() if runs
                }
                self._scope.publish(f"{prefix}/notify", {"timestamp": now, "jobs": listed})
            if next_key != before[1]:
                document: dict[str, Any] = {"timestamp": now}
                if following is not None:
                    document["execution"] = self.execution(following)
                self._scope.publish(f"{prefix}/notify-next", document)


def _read(payload: bytes) -> dict[str, Any]:
    if not payload.strip():
        return {}
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _Rejected("InvalidJson", "The request is not valid JSON.") from None
    if not isinstance(document, dict):
        raise _Rejected("InvalidJson", "The request must be a JSON object.")
    return document
