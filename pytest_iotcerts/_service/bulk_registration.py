"""Bulk registration (StartThingRegistrationTask and its companions): a provisioning template and
a JSON-lines file in S3, one line of parameters per thing, registered by the same template
engine as RegisterThing. A line that fails is reported, not the task. The task's reports are
written beside the input file: ``{taskId}/results.json`` (one ``{"offset", "response":
{"CertificatePem"?, "ResourceArns"}}`` per registered line) and ``{taskId}/errors.json`` (one
``{"offset", "errorCode", "errorMessage"}`` per failed line).

The mock runs a task when it starts, so it is ``Completed`` (or ``Failed``, when its input file
cannot be read) by the time StartThingRegistrationTask answers; StopThingRegistrationTask on a
finished task changes nothing, as AWS's does.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, invalid_request, not_found
from .._core.resources import RegistrationTask
from ._scope import Scope
from .provisioning import Provisioning
from .provisioning_templates import checked_template
from .s3_objects import S3Objects
from .security import check_role_arn

STATUSES = ("InProgress", "Completed", "Failed", "Cancelled", "Cancelling")
MAX_LINES = 1_000_000


class BulkRegistration:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def start(self, template_body: str, bucket: str, key: str, role_arn: str) -> RegistrationTask:
        check_role_arn(role_arn)
        template = checked_template(template_body)
        task = RegistrationTask(uuid.uuid4().hex, template_body, bucket, key, role_arn)
        with self._scope.store.lock:
            self._scope.state.registration_tasks[task.task_id] = task
        objects = S3Objects(self._scope)
        try:
            lines = objects.read(bucket, key).decode("utf-8").splitlines()
        except (ServiceError, UnicodeDecodeError) as error:
            message = error.message if isinstance(error, ServiceError) else "not UTF-8 text"
            self._finish(task, "Failed", f"The input file cannot be read: {message}")
            return task
        results, errors = [], []
        provisioning = Provisioning(self._scope)
        for offset, line in enumerate(line for line in lines[:MAX_LINES] if line.strip()):
            try:
                parameters = json.loads(line)
                if not isinstance(parameters, dict):
                    raise invalid_request("A line must be a JSON object of parameters.")
                done = provisioning.run(template, {k: str(v) for k, v in parameters.items()})
            except ValueError:
                errors.append(_error(offset, "InvalidRequestException", "The line is not JSON."))
                continue
            except ServiceError as error:
                errors.append(_error(offset, error.code, error.message))
                continue
            response: dict[str, Any] = {"ResourceArns": done.resource_arns}
            if done.certificate is not None:
                response["CertificatePem"] = done.certificate.pem
            results.append(json.dumps({"offset": offset, "response": response}))
        task.success_count, task.failure_count = len(results), len(errors)
        for report, entries in (("RESULTS", results), ("ERRORS", errors)):
            if entries:
                name = "results" if report == "RESULTS" else "errors"
                data = "\n".join(entries).encode()
                url = objects.write(bucket, f"{task.task_id}/{name}.json", data)
                task.reports[report].append(url)
        self._finish(task, "Completed", None)
        return task

    def _finish(self, task: RegistrationTask, status: str, message: str | None) -> None:
        with self._scope.store.lock:
            task.status, task.message = status, message
            task.percentage_progress = 100
            task.modified = timestamp()

    def get(self, task_id: str) -> RegistrationTask:
        with self._scope.store.lock:
            task = self._scope.state.registration_tasks.get(task_id)
        if task is None:
            raise not_found(f"The thing registration task {task_id} does not exist.")
        return task

    def select(self, status: str | None = None) -> list[RegistrationTask]:
        if status is not None and status not in STATUSES:
            raise invalid_request(f"status must be one of {', '.join(STATUSES)}.")
        with self._scope.store.lock:
            tasks = list(self._scope.state.registration_tasks.values())
        return [task for task in tasks if status in (None, task.status)]

    def stop(self, task_id: str) -> None:
        with self._scope.store.lock:
            task = self.get(task_id)
            if task.status == "InProgress":
                task.status, task.modified = "Cancelled", timestamp()


def _error(offset: int, code: str, message: str) -> str:
    return json.dumps({"offset": offset, "errorCode": code, "errorMessage": message})
