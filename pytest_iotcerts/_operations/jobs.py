"""Wire adapters for jobs, job executions and job templates (the control plane's side)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._aws import managed_job_templates
from .._core.resources import Job, JobExecution
from .._service import IotService
from .._service.jobs import managed_template
from ._common import chosen, operation, page_by_position, page_by_token
from .tags import tag_on_create

JOB_SETTINGS = (
    "targets",
    "documentSource",
    "document",
    "description",
    "presignedUrlConfig",
    "targetSelection",
    "jobExecutionsRolloutConfig",
    "abortConfig",
    "timeoutConfig",
    "namespaceId",
    "jobTemplateArn",
    "jobExecutionsRetryConfig",
    "documentParameters",
    "schedulingConfig",
    "destinationPackageVersions",
)
TEMPLATE_SETTINGS = (
    "jobArn",
    "documentSource",
    "document",
    "description",
    "presignedUrlConfig",
    "jobExecutionsRolloutConfig",
    "abortConfig",
    "timeoutConfig",
    "jobExecutionsRetryConfig",
    "maintenanceWindows",
    "destinationPackageVersions",
)
_NOT_IN_JOB_SHAPE = ("document", "documentSource")


def _process_details(job: Job) -> dict[str, Any]:
    counts = job.tally
    names = {
        "CANCELED": "numberOfCanceledThings",
        "SUCCEEDED": "numberOfSucceededThings",
        "FAILED": "numberOfFailedThings",
        "REJECTED": "numberOfRejectedThings",
        "QUEUED": "numberOfQueuedThings",
        "IN_PROGRESS": "numberOfInProgressThings",
        "REMOVED": "numberOfRemovedThings",
        "TIMED_OUT": "numberOfTimedOutThings",
    }
    return {member: counts.get(status, 0) for status, member in names.items()}


def _job_shape(job: Job) -> dict[str, Any]:
    settings = {k: v for k, v in job.settings.items() if k not in _NOT_IN_JOB_SHAPE}
    return {
        **settings,
        "jobArn": job.arn,
        "jobId": job.job_id,
        "targetSelection": job.target_selection,
        "status": job.status,
        "forceCanceled": job.force_canceled,
        "reasonCode": job.reason_code,
        "comment": job.comment,
        "createdAt": job.created_at,
        "lastUpdatedAt": job.last_updated_at,
        "completedAt": job.completed_at,
        "jobProcessDetails": _process_details(job),
        "isConcurrent": False,
    }


def execution_shape(service: IotService, execution: JobExecution) -> dict[str, Any]:
    """The JobExecution shape (DescribeJobExecution)."""
    return {
        "approximateSecondsBeforeTimedOut": service.job_executions.seconds_left(execution),
        "jobId": execution.job_id,
        "status": execution.status,
        "forceCanceled": execution.force_canceled,
        "statusDetails": {"detailsMap": dict(execution.status_details)},
        "thingArn": execution.thing_arn,
        "queuedAt": execution.queued_at,
        "startedAt": execution.started_at,
        "lastUpdatedAt": execution.last_updated_at,
        "executionNumber": execution.execution_number,
        "versionNumber": execution.version,
    }


def _summary(execution: JobExecution) -> dict[str, Any]:
    return {
        "status": execution.status,
        "queuedAt": execution.queued_at,
        "startedAt": execution.started_at,
        "lastUpdatedAt": execution.last_updated_at,
        "executionNumber": execution.execution_number,
        "retryAttempt": execution.retry_attempt,
    }


@operation("CreateJob")
def create_job(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    job = service.jobs.create(params["jobId"], chosen(params, JOB_SETTINGS))
    tag_on_create(service, job.arn, params)
    return {"jobArn": job.arn, "jobId": job.job_id, "description": job.settings.get("description")}


@operation("DescribeJob")
def describe_job(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        job = service.jobs.get(params["jobId"])
        shape = _job_shape(job)
        if params.get("beforeSubstitution") and job.packages_given:
            shape["destinationPackageVersions"] = job.packages_given
        return {"documentSource": job.settings.get("documentSource"), "job": shape}


@operation("ListJobs")
def list_jobs(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        jobs = service.jobs.listed(
            status=params.get("status"),
            target_selection=params.get("targetSelection"),
            thing_group=params.get("thingGroupName"),
        )
        picked, token = page_by_token(jobs, params)
    summaries = [
        {
            "jobArn": job.arn,
            "jobId": job.job_id,
            "targetSelection": job.target_selection,
            "status": job.status,
            "createdAt": job.created_at,
            "lastUpdatedAt": job.last_updated_at,
            "completedAt": job.completed_at,
            "isConcurrent": False,
        }
        for job in picked
    ]
    return {"jobs": summaries, "nextToken": token}


@operation("GetJobDocument")
def get_job_document(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    document = service.jobs.document(
        params["jobId"], before_substitution=bool(params.get("beforeSubstitution"))
    )
    return {"document": document}


@operation("UpdateJob")
def update_job(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    changes = chosen(params, JOB_SETTINGS)
    changes.pop("namespaceId", None)
    service.jobs.update(params["jobId"], changes)
    return {}


@operation("CancelJob")
def cancel_job(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    job = service.jobs.cancel(
        params["jobId"],
        force=bool(params.get("force")),
        reason_code=params.get("reasonCode"),
        comment=params.get("comment"),
    )
    return {"jobArn": job.arn, "jobId": job.job_id, "description": job.settings.get("description")}


@operation("AssociateTargetsWithJob")
def associate_targets_with_job(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    job = service.jobs.associate_targets(params["jobId"], list(params["targets"]))
    return {"jobArn": job.arn, "jobId": job.job_id, "description": job.settings.get("description")}


@operation("ListManagedJobTemplates")
def list_managed_job_templates(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    name = params.get("templateName")
    templates = [t for t in managed_job_templates.TEMPLATES.values() if name in (None, t.name)]
    if name is not None and not templates:
        managed_template(name)  # ResourceNotFoundException
    picked, token = page_by_position(templates, params)
    summaries = [
        {
            "templateArn": t.arn(service.scope.region),
            "templateName": t.name,
            "description": t.description,
            "environments": ["LINUX"],
            "templateVersion": managed_job_templates.VERSION,
        }
        for t in picked
    ]
    return {"managedJobTemplates": summaries, "nextToken": token}


@operation("DescribeManagedJobTemplate")
def describe_managed_job_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    template = managed_template(params["templateName"], params.get("templateVersion"))
    return {
        "templateName": template.name,
        "templateArn": template.arn(service.scope.region),
        "description": template.description,
        "templateVersion": managed_job_templates.VERSION,
        "environments": ["LINUX"],
        "documentParameters": [dict(p) for p in template.parameters],
        "document": template.document,
    }


@operation("DeleteJob")
def delete_job(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.jobs.delete(params["jobId"], force=bool(params.get("force")))
    return {}


@operation("DescribeJobExecution")
def describe_job_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    execution = service.job_executions.get(
        params["jobId"], params["thingName"], params.get("executionNumber")
    )
    return {"execution": execution_shape(service, execution)}


@operation("ListJobExecutionsForJob")
def list_job_executions_for_job(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    runs = service.job_executions.of_job(params["jobId"], params.get("status"))
    picked, token = page_by_position(runs, params)
    summaries = [
        {"thingArn": run.thing_arn, "jobExecutionSummary": _summary(run)} for run in picked
    ]
    return {"executionSummaries": summaries, "nextToken": token}


@operation("ListJobExecutionsForThing")
def list_job_executions_for_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        runs = service.job_executions.listed_of_thing(
            params["thingName"], status=params.get("status"), job_id=params.get("jobId")
        )
        picked, token = page_by_token(runs, params)
        summaries = [{"jobId": run.job_id, "jobExecutionSummary": _summary(run)} for run in picked]
    return {"executionSummaries": summaries, "nextToken": token}


@operation("CancelJobExecution")
def cancel_job_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.job_executions.cancel(
        params["jobId"],
        params["thingName"],
        force=bool(params.get("force")),
        expected_version=params.get("expectedVersion"),
        details=params.get("statusDetails"),
    )
    return {}


@operation("DeleteJobExecution")
def delete_job_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.job_executions.delete(
        params["jobId"],
        params["thingName"],
        params["executionNumber"],
        force=bool(params.get("force")),
    )
    return {}


@operation("CreateJobTemplate")
def create_job_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    template = service.job_templates.create(
        params["jobTemplateId"], chosen(params, TEMPLATE_SETTINGS)
    )
    tag_on_create(service, template.arn, params)
    return {"jobTemplateArn": template.arn, "jobTemplateId": template.name}


@operation("DescribeJobTemplate")
def describe_job_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    template = service.job_templates.get(params["jobTemplateId"])
    return {
        **template.settings,
        "jobTemplateArn": template.arn,
        "jobTemplateId": template.name,
        "createdAt": template.created_at,
    }


@operation("ListJobTemplates")
def list_job_templates(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    picked, token = page_by_token(service.job_templates.in_order(), params)
    summaries = [
        {
            "jobTemplateArn": t.arn,
            "jobTemplateId": t.name,
            "description": t.settings.get("description"),
            "createdAt": t.created_at,
        }
        for t in picked
    ]
    return {"jobTemplates": summaries, "nextToken": token}


@operation("DeleteJobTemplate")
def delete_job_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.job_templates.delete(params["jobTemplateId"])
    return {}
