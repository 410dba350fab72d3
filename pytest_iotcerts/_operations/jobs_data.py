"""Wire adapters for the jobs data plane (``iot-jobs-data``): a device's job agent asking for
its pending executions, starting the next and reporting progress. Same state as the back end's
jobs; timestamps here are epoch seconds, as the model says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._aws.errors import ServiceError
from .._core.resources import JobExecution
from .._service import IotService
from .._service.jobs_mqtt import summary
from ._common import operation

SERVICE = "iot-jobs-data"


def _execution(
    service: IotService, execution: JobExecution, *, with_document: bool
) -> dict[str, Any]:
    shape = {
        **summary(execution),
        "thingName": execution.thing_name,
        "status": execution.status,
        "statusDetails": dict(execution.status_details),
        "approximateSecondsBeforeTimedOut": service.job_executions.seconds_left(execution),
    }
    if with_document:
        shape["jobDocument"] = service.jobs.document(execution.job_id)
    return shape


@operation("GetPendingJobExecutions", service=SERVICE)
def get_pending_job_executions(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    in_progress, queued = service.job_executions.pending(params["thingName"])
    return {
        "inProgressJobs": [summary(run) for run in in_progress],
        "queuedJobs": [summary(run) for run in queued],
    }


@operation("StartNextPendingJobExecution", service=SERVICE)
def start_next_pending_job_execution(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    execution = service.job_executions.start_next(
        params["thingName"], params.get("statusDetails"), params.get("stepTimeoutInMinutes")
    )
    if execution is None:
        return {}
    return {"execution": _execution(service, execution, with_document=True)}


@operation("DescribeJobExecution", service=SERVICE)
def describe_job_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    executions = service.job_executions
    if params["jobId"] == "$next":
        execution = executions.next_for(params["thingName"])
        if execution is None:
            return {}
    else:
        execution = executions.get(
            params["jobId"], params["thingName"], params.get("executionNumber")
        )
    with_document = params.get("includeJobDocument", True) is not False
    return {"execution": _execution(service, execution, with_document=with_document)}


@operation("UpdateJobExecution", service=SERVICE)
def update_job_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    try:
        execution = service.job_executions.report(
            params["jobId"],
            params["thingName"],
            params["status"],
            details=params.get("statusDetails"),
            expected_version=params.get("expectedVersion"),
            number=params.get("executionNumber"),
            step_minutes=params.get("stepTimeoutInMinutes"),
        )
    except ServiceError as error:
        if error.code != "VersionConflictException":
            raise
        # The jobs data plane's model has no VersionConflictException: a stale version is a
        # conflict with the execution's state (409), as its MQTT API's VersionMismatch is.
        raise ServiceError("InvalidStateTransitionException", error.message) from None
    answer: dict[str, Any] = {}
    if params.get("includeJobExecutionState"):
        answer["executionState"] = {
            "status": execution.status,
            "statusDetails": dict(execution.status_details),
            "versionNumber": execution.version,
        }
    if params.get("includeJobDocument"):
        answer["jobDocument"] = service.jobs.document(execution.job_id)
    return answer
