"""Commands: a command's payload sent to one device by StartCommandExecution (the jobs data
plane), over MQTT on AWS IoT's commands topics; the device's answer sets the execution's status;
an execution no device finishes times out on the mock's clock; every status change is an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from devices import PahoDevice, files_for

from pytest_iotcerts import IotCerts

REGION = "us-east-1"


@pytest.fixture
def iot(iot_certs: IotCerts) -> Any:
    return boto3.client("iot", region_name=REGION)


@pytest.fixture
def jobs_data(iot_certs: IotCerts) -> Any:
    return boto3.client("iot-jobs-data", region_name=REGION)


@pytest.fixture
def lamp(iot_certs: IotCerts, iot: Any, tmp_path: Path) -> Iterator[PahoDevice]:
    iot.create_thing(thingName="lamp")
    device = PahoDevice(
        iot_certs, files_for(iot_certs, iot_certs.issue_certificate(), tmp_path), "lamp"
    )
    assert device.connect()
    assert device.subscribe("$aws/commands/things/lamp/executions/+/request/#")
    assert device.subscribe("$aws/commands/things/lamp/executions/+/response/#")
    yield device
    device.close()


def thing_arn(iot: Any, name: str = "lamp") -> str:
    return str(iot.describe_thing(thingName=name)["thingArn"])


def make_command(iot: Any, command_id: str = "turn-on") -> str:
    made = iot.create_command(
        commandId=command_id,
        displayName="Turn on",
        payload={"content": b'{"on": true}', "contentType": "application/json"},
    )
    return str(made["commandArn"])


def test_a_command_reaches_the_device_and_its_answer_sets_the_status(
    iot_certs: IotCerts, iot: Any, jobs_data: Any, lamp: PahoDevice
) -> None:
    arn = make_command(iot)

    execution_id = jobs_data.start_command_execution(targetArn=thing_arn(iot), commandArn=arn)[
        "executionId"
    ]

    request = lamp.next_message()
    assert request.topic == f"$aws/commands/things/lamp/executions/{execution_id}/request/json"
    assert json.loads(request.payload) == {"on": True}
    started = iot.get_command_execution(executionId=execution_id, targetArn=thing_arn(iot))
    assert (started["status"], started["commandArn"]) == ("CREATED", arn)

    response = f"$aws/commands/things/lamp/executions/{execution_id}/response/json"
    answer = {"status": "SUCCEEDED", "result": {"brightness": {"s": "80"}}}
    lamp.publish(response, json.dumps(answer).encode())

    accepted = iot_certs.mqtt.wait_for_message(
        f"$aws/commands/things/lamp/executions/{execution_id}/response/accepted/json"
    )
    assert accepted.json()["executionId"] == execution_id
    done = iot.get_command_execution(executionId=execution_id, targetArn=thing_arn(iot))
    assert done["status"] == "SUCCEEDED"
    assert done["result"] == {"brightness": {"S": "80"}}
    assert done["completedAt"] >= done["createdAt"]
    events = iot_certs.events_on("$aws/events/commandExecution/turn-on/+")
    statuses = [event.json()["status"] for event in events]
    assert statuses == ["CREATED", "SUCCEEDED"]


def test_a_finished_execution_rejects_another_answer(
    iot_certs: IotCerts, iot: Any, jobs_data: Any, lamp: PahoDevice
) -> None:
    execution_id = jobs_data.start_command_execution(
        targetArn=thing_arn(iot), commandArn=make_command(iot)
    )["executionId"]
    response = f"$aws/commands/things/lamp/executions/{execution_id}/response/json"
    lamp.publish(response, b'{"status": "FAILED", "statusReason": {"reasonCode": "BUSY"}}')
    iot_certs.mqtt.wait_for_message(
        f"$aws/commands/things/lamp/executions/{execution_id}/response/accepted/json"
    )

    lamp.publish(response, b'{"status": "SUCCEEDED"}')

    rejected = iot_certs.mqtt.wait_for_message(
        f"$aws/commands/things/lamp/executions/{execution_id}/response/rejected/json"
    )
    assert "has finished" in rejected.json()["errorMessage"]
    failed = iot.get_command_execution(executionId=execution_id, targetArn=thing_arn(iot))
    assert (failed["status"], failed["statusReason"]["reasonCode"]) == ("FAILED", "BUSY")


def test_an_execution_no_device_finishes_times_out_on_the_mocks_clock(
    iot_certs: IotCerts, iot: Any, jobs_data: Any
) -> None:
    iot.create_thing(thingName="lamp")
    execution_id = jobs_data.start_command_execution(
        targetArn=thing_arn(iot), commandArn=make_command(iot), executionTimeoutSeconds=30
    )["executionId"]

    iot_certs.clock.advance(31)

    timed_out = iot.get_command_execution(executionId=execution_id, targetArn=thing_arn(iot))
    assert timed_out["status"] == "TIMED_OUT"
    [event] = iot_certs.events_on("$aws/events/commandExecution/turn-on/TIMED_OUT")
    assert event.json()["executionId"] == execution_id


def test_commands_are_listed_updated_deprecated_and_deleted(iot: Any, jobs_data: Any) -> None:
    arn = make_command(iot, "first")
    make_command(iot, "second")
    with pytest.raises(iot.exceptions.ConflictException):
        make_command(iot, "first")

    listed = iot.list_commands(sortOrder="ASCENDING")["commands"]
    assert [c["commandId"] for c in listed] == ["first", "second"]
    updated = iot.update_command(commandId="first", description="lights", deprecated=True)
    assert (updated["description"], updated["deprecated"]) == ("lights", True)

    iot.create_thing(thingName="lamp")
    with pytest.raises(jobs_data.exceptions.ValidationException, match="deprecated"):
        jobs_data.start_command_execution(targetArn=thing_arn(iot), commandArn=arn)
    assert iot.delete_command(commandId="first")["statusCode"] == 202  # deprecated just now
    assert iot.get_command(commandId="first")["pendingDeletion"] is True
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_command(commandId="nothing")


def test_a_deprecated_command_is_deleted_once_its_longest_timeout_has_passed(
    iot_certs: IotCerts, iot: Any
) -> None:
    make_command(iot)
    iot.update_command(commandId="turn-on", deprecated=True)

    iot_certs.clock.advance(12 * 3600)

    assert iot.delete_command(commandId="turn-on")["statusCode"] == 200
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_command(commandId="turn-on")


def test_executions_are_listed_by_command_or_target_and_deleted_when_finished(
    iot_certs: IotCerts, iot: Any, jobs_data: Any
) -> None:
    iot.create_thing(thingName="lamp")
    arn, target = make_command(iot), thing_arn(iot)
    first = jobs_data.start_command_execution(targetArn=target, commandArn=arn)["executionId"]
    again = jobs_data.start_command_execution(targetArn=target, commandArn=arn, clientToken="once")[
        "executionId"
    ]
    assert (
        jobs_data.start_command_execution(targetArn=target, commandArn=arn, clientToken="once")[
            "executionId"
        ]
        == again
    )  # the same client token: the same execution

    listed = iot.list_command_executions(commandArn=arn, sortOrder="ASCENDING")
    assert [e["executionId"] for e in listed["commandExecutions"]] == [first, again]
    with pytest.raises(iot.exceptions.ValidationException):
        iot.list_command_executions()
    with pytest.raises(iot.exceptions.ConflictException):
        iot.delete_command_execution(executionId=first, targetArn=target)

    iot_certs.clock.advance(11)  # past the default timeout of 10 seconds
    iot.delete_command_execution(executionId=first, targetArn=target)

    remaining = iot.list_command_executions(targetArn=target)["commandExecutions"]
    assert [(e["executionId"], e["status"]) for e in remaining] == [(again, "TIMED_OUT")]


def test_executions_page_newest_first_with_botocores_paginator(iot: Any, jobs_data: Any) -> None:
    arn = make_command(iot)
    started = []
    for index in range(5):
        iot.create_thing(thingName=f"lamp-{index}")
        target = thing_arn(iot, f"lamp-{index}")
        started.append(
            jobs_data.start_command_execution(targetArn=target, commandArn=arn)["executionId"]
        )

    pages = iot.get_paginator("list_command_executions").paginate(
        commandArn=arn, PaginationConfig={"PageSize": 2}
    )

    listed = [[e["executionId"] for e in page["commandExecutions"]] for page in pages]
    assert listed == [started[:2:-1], started[2:0:-1], started[:1]]


def test_a_target_that_does_not_exist_or_a_device_publishing_a_request_is_refused(
    iot_certs: IotCerts, iot: Any, jobs_data: Any, lamp: PahoDevice
) -> None:
    arn = make_command(iot)
    missing = thing_arn(iot).replace("thing/lamp", "thing/nothing")
    with pytest.raises(jobs_data.exceptions.ResourceNotFoundException):
        jobs_data.start_command_execution(targetArn=missing, commandArn=arn)

    lamp.client.publish("$aws/commands/things/lamp/executions/x/request/json", b"{}", qos=1)

    assert lamp.disconnected.wait(5)  # a request topic is AWS IoT's to publish on


def test_a_request_the_model_refuses_is_the_commands_validation_error(iot: Any) -> None:
    """The commands' operations model ValidationException, not InvalidRequestException: a
    constraint the service checks (the id's pattern) is refused with it."""
    with pytest.raises(iot.exceptions.ValidationException, match="1 validation error detected"):
        make_command(iot, "turn on!")

    assert iot.list_commands()["commands"] == []
