"""Commands (AWS IoT Device Management): a command holds a payload for devices;
StartCommandExecution (the jobs data plane) sends it to one device, on
``$aws/commands/things/THING/executions/ID/request[/FORMAT]``, and the device answers with its
status on ``.../response[/FORMAT]``, accepted or rejected on ``.../response/accepted|rejected``.
Every change of an execution's status is an event on
``$aws/events/commandExecution/COMMAND/STATUS``. An execution that no device finishes within
its ``executionTimeoutSeconds`` (on the mock's clock) is TIMED_OUT.

Where the documentation is silent, the choices are AWS's likely ones: a deprecated command
starts no execution (ValidationException); a command deprecated for 12 hours (the longest
execution timeout) or more is deleted at once (200), any other is pending deletion (202) until
then; a command execution is deleted only once it has finished (ConflictException).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, not_found
from .._core.events import Message
from .._core.links import next_sequence
from .._core.ordered import Filtered, Ordered
from .._core.resources import Command, CommandExecution
from ._scope import Scope

NAMESPACES = ("AWS-IoT", "AWS-IoT-FleetWise")
DEFAULT_TIMEOUT_SECONDS = 10
MAX_TIMEOUT_SECONDS = 12 * 3600
DEVICE_STATUSES = ("IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT")
RESPONSE = re.compile(
    r"^\$aws/commands/(?P<kind>things|clients)/(?P<target>[^/#+]+)/executions/"
    r"(?P<execution>[^/#+]+)/response(?:/(?P<format>json|cbor))?$"
)
_TARGET = re.compile(
    r"^arn:aws[a-z-]*:iot:(?P<region>[^:]+):(?P<account>\d{12}):(?P<kind>thing|client)/(?P<name>.+)$"
)


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message)


class Commands:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # -- commands ------------------------------------------------------------------------------

    def create(self, command_id: str, settings: dict[str, Any]) -> Command:
        namespace = settings.pop("namespace", None) or "AWS-IoT"
        if namespace == "AWS-IoT" and not (settings.get("payload") or {}).get("content"):
            raise validation("A command in the AWS-IoT namespace needs a payload.")
        if namespace == "AWS-IoT" and settings.get("mandatoryParameters"):
            raise validation("mandatoryParameters are for the AWS-IoT-FleetWise namespace.")
        if namespace == "AWS-IoT-FleetWise" and not settings.get("roleArn"):
            raise validation("A command in the AWS-IoT-FleetWise namespace needs a roleArn.")
        now = timestamp()
        scope = self._scope
        command = Command(
            command_id=command_id,
            arn=f"arn:aws:iot:{scope.region}:{scope.account_id}:command/{command_id}",
            namespace=namespace,
            settings=settings,
            created_at=now,
            last_updated_at=now,
            sequence=next_sequence(),
        )
        with scope.store.lock:
            self._forget_deleted()
            if command_id in scope.state.commands:
                raise conflict(f"The command {command_id} already exists.")
            scope.state.commands[command_id] = command
        return command

    def get(self, command_id: str) -> Command:
        with self._scope.store.lock:
            self._forget_deleted()
            found = self._scope.state.commands.get(command_id)
        if found is None:
            raise not_found(f"The command {command_id} does not exist.")
        return found

    def update(self, command_id: str, changes: dict[str, Any]) -> Command:
        if not changes:
            raise validation("Give displayName, description or deprecated to update.")
        with self._scope.store.lock:
            command = self.get(command_id)
            if command.pending_deletion:
                raise conflict(f"The command {command_id} is being deleted.")
            for name in ("displayName", "description"):
                if name in changes:
                    command.settings[name] = changes[name]
            if "deprecated" in changes and bool(changes["deprecated"]) != command.deprecated:
                command.deprecated = bool(changes["deprecated"])
                command.deprecated_on_clock = self._scope.clock() if command.deprecated else None
            command.last_updated_at = timestamp()
            return command

    def delete(self, command_id: str) -> int:
        """200 when the command is gone, 202 when its deletion waits for its executions'
        longest timeout after its deprecation."""
        with self._scope.store.lock:
            self._forget_deleted()
            command = self._scope.state.commands.get(command_id)
            if command is None:
                return 200  # deleting what is not there succeeds, as AWS's deletes do
            since = command.deprecated_on_clock
            if since is not None and self._scope.clock() - since >= MAX_TIMEOUT_SECONDS:
                del self._scope.state.commands[command_id]
                return 200
            command.pending_deletion = True
            if command.deprecated_on_clock is None:
                command.deprecated, command.deprecated_on_clock = True, self._scope.clock()
            return 202

    def select(
        self, namespace: str | None, parameter: str | None, ascending: bool
    ) -> list[Command]:
        with self._scope.store.lock:
            self._forget_deleted()
            commands = list(self._scope.state.commands.values())
        chosen = [
            command
            for command in commands
            if (namespace is None or command.namespace == namespace)
            and (parameter is None or parameter in _parameter_names(command))
        ]
        return sorted(chosen, key=lambda c: c.sequence, reverse=not ascending)

    def _forget_deleted(self) -> None:
        """Commands pending deletion whose wait is over are gone (lock held)."""
        commands, now = self._scope.state.commands, self._scope.clock()
        for command_id, command in list(commands.items()):
            since = command.deprecated_on_clock
            if (
                command.pending_deletion
                and since is not None
                and now - since >= MAX_TIMEOUT_SECONDS
            ):
                del commands[command_id]

    # -- executions ----------------------------------------------------------------------------

    def start(
        self,
        command_arn: str,
        target_arn: str,
        parameters: dict[str, Any],
        timeout: int | None,
        client_token: str | None,
    ) -> CommandExecution:
        """StartCommandExecution: the execution is CREATED and its request published (the
        same client token for the same command and target: the same execution)."""
        timeout = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
        if not 1 <= timeout <= MAX_TIMEOUT_SECONDS:
            raise validation(
                f"executionTimeoutSeconds must be from 1 to {MAX_TIMEOUT_SECONDS}, not {timeout}."
            )
        scope = self._scope
        with scope.store.lock:
            command = self._command_of(command_arn)
            kind, name = self._target(target_arn)
            token = (client_token or "", command.arn, target_arn)
            held = scope.state.command_tokens.get(token) if client_token is not None else None
            if held is not None:
                return held
            now = timestamp()
            execution = CommandExecution(
                execution_id=str(uuid.uuid4()),
                command_arn=command.arn,
                command_id=command.command_id,
                target_arn=target_arn,
                parameters=dict(parameters),
                timeout_seconds=timeout,
                created_at=now,
                started_on_clock=scope.clock(),
                sequence=next_sequence(),
                client_token=client_token,
                last_updated_at=now,
            )
            scope.state.command_executions[execution.execution_id] = execution
            if client_token is not None:
                scope.state.command_tokens[token] = execution
        self._request(command, f"$aws/commands/{kind}s/{name}/executions/{execution.execution_id}")
        self._event(execution)
        return execution

    def _request(self, command: Command, execution_topic: str) -> None:
        """The command's payload, as the command holds it (not as JSON), on the request topic:
        ``/request/json``, ``/request/cbor``, or ``/request`` for another content type."""
        payload = command.settings.get("payload") or {}
        suffix = _format(str(payload.get("contentType") or ""))
        request = Message(
            f"{execution_topic}/request" + (f"/{suffix}" if suffix else ""),
            _bytes(payload.get("content")),
            account_id=self._scope.account_id,
            region=self._scope.region,
        )
        self._scope.store.events.record(request)

    def _command_of(self, command_arn: str) -> Command:
        command_id = command_arn.rpartition(":command/")[2]
        command = self._scope.state.commands.get(command_id)
        if command is None or command.arn != command_arn or command.pending_deletion:
            raise not_found(f"The command {command_arn} does not exist.")
        if command.deprecated:
            raise validation(f"The command {command_id} is deprecated: it starts no executions.")
        return command

    def _target(self, target_arn: str) -> tuple[str, str]:
        """("thing", NAME) or ("client", CLIENT_ID) (lock held)."""
        found = _TARGET.match(target_arn)
        scope = self._scope
        if found is None or (found["region"], found["account"]) != (scope.region, scope.account_id):
            raise validation(
                f"The target {target_arn} is not a thing or client ARN of this account."
            )
        if found["kind"] == "thing" and found["name"] not in scope.state.things:
            raise not_found(f"The thing {found['name']} does not exist.")
        return found["kind"], found["name"]

    def execution(self, execution_id: str, target_arn: str) -> CommandExecution:
        with self._scope.store.lock:
            found = self._scope.state.command_executions.get(execution_id)
            if found is None or found.target_arn != target_arn:
                raise not_found(f"The command execution {execution_id} does not exist.")
        self._expire(found)
        return found

    def executions(self, filters: dict[str, Any]) -> Ordered[CommandExecution]:
        """The executions the filters select, in the order they were started, each caught up
        with the clock and checked only as a page reaches it."""
        command_arn, target_arn = filters.get("commandArn"), filters.get("targetArn")
        if command_arn is None and target_arn is None:
            raise validation("Give commandArn or targetArn to list command executions.")

        def wanted(execution: CommandExecution) -> bool:
            self._expire(execution)
            return _selected(execution, filters)

        return Filtered(self._scope.state.command_executions.in_order, wanted)

    def delete_execution(self, execution_id: str, target_arn: str) -> None:
        with self._scope.store.lock:
            found = self._scope.state.command_executions.get(execution_id)
            if found is None or found.target_arn != target_arn:
                return
        self._expire(found)
        with self._scope.store.lock:
            if not found.finished:
                raise conflict(
                    f"The command execution {execution_id} is {found.status}: it is deleted only "
                    "once it has finished."
                )
            self._scope.state.command_executions.pop(execution_id, None)
            if found.client_token is not None:
                token = (found.client_token, found.command_arn, found.target_arn)
                self._scope.state.command_tokens.pop(token, None)

    def _expire(self, execution: CommandExecution) -> None:
        timed_out = False
        with self._scope.store.lock:
            due = execution.started_on_clock + execution.timeout_seconds
            if not execution.finished and self._scope.clock() >= due:
                self._set(
                    execution, "TIMED_OUT", {"reasonCode": "TIMED_OUT", "reasonDescription": ""}, {}
                )
                timed_out = True
        if timed_out:
            self._event(execution)

    # -- the device's side, over MQTT ----------------------------------------------------------

    def response(self, topic: str, payload: bytes) -> bool:
        """A device's status for an execution (False: not a commands response topic)."""
        found = RESPONSE.match(topic)
        if found is None:
            return False
        try:
            document = json.loads(payload or b"{}")
            execution = self._answered(found, document)
        except (ValueError, ServiceError) as error:
            message = (
                error.message if isinstance(error, ServiceError) else "The payload is not JSON."
            )
            self._scope.publish(
                f"{topic}/rejected" if not found["format"] else _rejected(topic),
                {
                    "error": getattr(error, "code", "InvalidRequest"),
                    "errorMessage": message,
                    "executionId": found["execution"],
                },
            )
            return True
        accepted = topic.rsplit("/", 1)
        accepted_topic = (
            f"{accepted[0]}/accepted/{accepted[1]}" if found["format"] else f"{topic}/accepted"
        )
        self._scope.publish(
            accepted_topic, {"executionId": execution.execution_id, "status": execution.status}
        )
        self._event(execution)
        return True

    def _answered(self, found: re.Match[str], document: Any) -> CommandExecution:
        if not isinstance(document, dict) or document.get("status") not in DEVICE_STATUSES:
            raise validation(f"status must be one of {', '.join(DEVICE_STATUSES)}.")
        execution = self._scope.state.command_executions.get(found["execution"])
        expected = f"{found['kind'][:-1]}/{found['target']}"
        if execution is None or not execution.target_arn.endswith(expected):
            raise not_found(f"The command execution {found['execution']} does not exist.")
        self._expire(execution)
        with self._scope.store.lock:
            if execution.finished:
                raise conflict(
                    f"The command execution {execution.execution_id} has finished "
                    f"({execution.status})."
                )
            reason = document.get("statusReason")
            self._set(
                execution,
                document["status"],
                reason if isinstance(reason, dict) else None,
                _result(document.get("result")),
            )
        return execution

    def _set(
        self,
        execution: CommandExecution,
        status: str,
        reason: dict[str, str] | None,
        result: dict[str, Any],
    ) -> None:
        now = timestamp()
        if execution.started_at is None:
            execution.started_at = now
        execution.status, execution.last_updated_at = status, now
        execution.status_reason = reason
        execution.result.update(result)
        if execution.finished:
            execution.completed_at = now

    def _event(self, execution: CommandExecution) -> None:
        event: dict[str, Any] = {
            "executionId": execution.execution_id,
            "status": execution.status,
            "eventType": "COMMAND_EXECUTION",
            "commandArn": execution.command_arn,
            "targetArn": execution.target_arn,
            "timestamp": int(timestamp().timestamp() * 1000),
        }
        if execution.status_reason:
            event["statusReason"] = execution.status_reason
        self._scope.publish(
            f"$aws/events/commandExecution/{execution.command_id}/{execution.status}", event
        )


def _parameter_names(command: Command) -> set[str]:
    return {str(p.get("name")) for p in command.settings.get("mandatoryParameters") or []}


def _format(content_type: str) -> str:
    kind = content_type.split(";")[0].strip().lower()
    return {"application/json": "json", "application/cbor": "cbor"}.get(kind, "")


def _bytes(content: Any) -> bytes:
    if content is None:
        return b""
    return content if isinstance(content, bytes) else str(content).encode()


def _rejected(topic: str) -> str:
    head, _, fmt = topic.rpartition("/")
    return f"{head}/rejected/{fmt}"


def _result(result: Any) -> dict[str, Any]:
    """A device's result values, as the API shows them (S, B, BIN)."""
    if not isinstance(result, dict):
        return {}
    shown: dict[str, Any] = {}
    for name, value in result.items():
        if isinstance(value, dict):
            shown[str(name)] = {
                key.upper(): item for key, item in value.items() if key.upper() in ("S", "B", "BIN")
            }
        else:
            shown[str(name)] = {"S": str(value)}
    return shown


def _selected(execution: CommandExecution, filters: dict[str, Any]) -> bool:
    if filters.get("commandArn") not in (None, execution.command_arn):
        return False
    if filters.get("targetArn") not in (None, execution.target_arn):
        return False
    if filters.get("status") not in (None, execution.status):
        return False
    for name, moment in (
        ("startedTimeFilter", execution.started_at or execution.created_at),
        ("completedTimeFilter", execution.completed_at),
    ):
        window = filters.get(name)
        if not window:
            continue
        if moment is None:
            return False
        stamp = moment.timestamp()
        if "after" in window and stamp <= _epoch(window["after"]):
            return False
        if "before" in window and stamp >= _epoch(window["before"]):
            return False
    return True


def _epoch(value: Any) -> float:
    """A time filter's bound: epoch seconds or milliseconds, or an ISO 8601 time."""
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        import datetime as dt

        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise validation(f"The time {text} is neither epoch seconds nor ISO 8601.") from None
    return number / 1000 if number > 1e11 else number
