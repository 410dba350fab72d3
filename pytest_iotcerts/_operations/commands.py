"""Wire adapters for commands: the control plane's command and execution operations, and the
jobs data plane's StartCommandExecution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.resources import Command, CommandExecution
from .._service import IotService
from ._common import operation, page_by_position, page_by_token
from .tags import tag_on_create


def _command(command: Command) -> dict[str, Any]:
    shown = {
        "commandId": command.command_id,
        "commandArn": command.arn,
        "namespace": command.namespace,
        **command.settings,
        "createdAt": command.created_at,
        "lastUpdatedAt": command.last_updated_at,
        "deprecated": command.deprecated,
        "pendingDeletion": command.pending_deletion,
    }
    shown.pop("tags", None)
    return shown


@operation("CreateCommand")
def create_command(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    settings = {key: value for key, value in params.items() if key not in ("commandId", "tags")}
    command = service.commands.create(params["commandId"], settings)
    tag_on_create(service, command.arn, params)
    return {"commandId": command.command_id, "commandArn": command.arn}


@operation("GetCommand")
def get_command(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return _command(service.commands.get(params["commandId"]))


@operation("UpdateCommand")
def update_command(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    changes = {key: value for key, value in params.items() if key != "commandId"}
    command = service.commands.update(params["commandId"], changes)
    return {
        "commandId": command.command_id,
        "displayName": command.settings.get("displayName"),
        "description": command.settings.get("description"),
        "deprecated": command.deprecated,
        "lastUpdatedAt": command.last_updated_at,
    }


@operation("DeleteCommand")
def delete_command(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"statusCode": service.commands.delete(params["commandId"])}


@operation("ListCommands")
def list_commands(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    commands = service.commands.select(
        params.get("namespace"),
        params.get("commandParameterName"),
        ascending=params.get("sortOrder") == "ASCENDING",
    )
    chosen, token = page_by_position(commands, params)
    summaries = [
        {
            "commandArn": c.arn,
            "commandId": c.command_id,
            "displayName": c.settings.get("displayName"),
            "deprecated": c.deprecated,
            "createdAt": c.created_at,
            "lastUpdatedAt": c.last_updated_at,
            "pendingDeletion": c.pending_deletion,
        }
        for c in chosen
    ]
    return {"commands": summaries, "nextToken": token}


def _execution(execution: CommandExecution, *, with_result: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "executionId": execution.execution_id,
        "commandArn": execution.command_arn,
        "targetArn": execution.target_arn,
        "status": execution.status,
        "statusReason": execution.status_reason,
        "parameters": execution.parameters,
        "executionTimeoutSeconds": execution.timeout_seconds,
        "createdAt": execution.created_at,
        "lastUpdatedAt": execution.last_updated_at,
        "startedAt": execution.started_at,
        "completedAt": execution.completed_at,
    }
    if with_result:
        shown["result"] = execution.result
    return shown


@operation("GetCommandExecution")
def get_command_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    execution = service.commands.execution(params["executionId"], params["targetArn"])
    return _execution(execution, with_result=params.get("includeResult", True) is not False)


@operation("ListCommandExecutions")
def list_command_executions(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page_by_token(
        service.commands.executions(params),
        params,
        ascending=params.get("sortOrder") == "ASCENDING",
    )
    summaries = [
        {
            "commandArn": e.command_arn,
            "executionId": e.execution_id,
            "targetArn": e.target_arn,
            "status": e.status,
            "createdAt": e.created_at,
            "startedAt": e.started_at,
            "completedAt": e.completed_at,
        }
        for e in chosen
    ]
    return {"commandExecutions": summaries, "nextToken": token}


@operation("DeleteCommandExecution")
def delete_command_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.commands.delete_execution(params["executionId"], params["targetArn"])
    return {}


@operation("StartCommandExecution", service="iot-jobs-data")
def start_command_execution(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    execution = service.commands.start(
        params["commandArn"],
        params["targetArn"],
        dict(params.get("parameters") or {}),
        params.get("executionTimeoutSeconds"),
        params.get("clientToken"),
    )
    return {"executionId": execution.execution_id}
