"""Jobs as devices run them over MQTT: the jobs API topics answered with AWS's documents, and
``notify`` / ``notify-next`` sent as the pending executions change, so firmware never polls.
With the Device SDK's ``iotjobs`` client and with paho."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from awscrt import mqtt
from awsiot import iotjobs
from devices import PahoDevice, files_for, sdk_connection

from pytest_iotcerts import IotCerts

JOBS = "$aws/things/meter-1/jobs"


@pytest.fixture
def meter(iot_certs: IotCerts, client: Any, tmp_path: Path) -> Iterator[PahoDevice]:
    client.create_thing(thingName="meter-1")
    device = PahoDevice(
        iot_certs, files_for(iot_certs, iot_certs.issue_certificate(), tmp_path), "meter-1"
    )
    assert device.connect()
    yield device
    device.close()


def create_job(client: Any, job_id: str, document: dict[str, Any]) -> None:
    client.create_job(
        jobId=job_id,
        targets=[client.describe_thing(thingName="meter-1")["thingArn"]],
        document=json.dumps(document),
    )


def payload(message: Any) -> Any:
    return json.loads(message.payload)


def test_a_new_job_is_notified_without_polling(meter: PahoDevice, client: Any) -> None:
    meter.subscribe(f"{JOBS}/notify-next")
    meter.subscribe(f"{JOBS}/notify")

    create_job(client, "upgrade", {"firmware": "2.0"})

    messages = {m.topic: payload(m) for m in (meter.next_message(), meter.next_message())}
    execution = messages[f"{JOBS}/notify-next"]["execution"]
    assert (execution["jobId"], execution["status"]) == ("upgrade", "QUEUED")
    assert execution["jobDocument"] == {"firmware": "2.0"}
    assert messages[f"{JOBS}/notify"]["jobs"]["QUEUED"][0]["jobId"] == "upgrade"


def test_the_jobs_api_over_paho(meter: PahoDevice, client: Any) -> None:
    create_job(client, "upgrade", {"firmware": "2.0"})
    for topic in ("get", "start-next", "upgrade/update", "upgrade/get"):
        meter.subscribe(f"{JOBS}/{topic}/+")

    meter.publish(f"{JOBS}/get", b'{"clientToken": "c1"}')
    pending = payload(meter.next_message())
    assert pending["queuedJobs"][0]["jobId"] == "upgrade"
    assert pending["inProgressJobs"] == []
    assert pending["clientToken"] == "c1"

    meter.publish(f"{JOBS}/start-next", b'{"statusDetails": {"step": "download"}}')
    started = payload(meter.next_message())["execution"]
    assert (started["status"], started["statusDetails"]) == ("IN_PROGRESS", {"step": "download"})

    meter.publish(
        f"{JOBS}/upgrade/update",
        b'{"status": "SUCCEEDED", "expectedVersion": 2, "includeJobExecutionState": true}',
    )
    assert payload(meter.next_message())["executionState"]["status"] == "SUCCEEDED"
    assert client.describe_job(jobId="upgrade")["job"]["status"] == "COMPLETED"

    meter.publish(f"{JOBS}/upgrade/update", b'{"status": "FAILED"}')
    rejected = meter.next_message()
    assert rejected.topic == f"{JOBS}/upgrade/update/rejected"
    assert payload(rejected)["code"] == "InvalidStateTransition"


@pytest.mark.parametrize(
    ("request_payload", "code"),
    [
        (b"{not json", "InvalidJson"),
        (b'{"status": "SUCCEEDED", "expectedVersion": 9}', "VersionMismatch"),
        (b'{"status": "CANCELED"}', "InvalidRequest"),
    ],
)
def test_bad_updates_are_rejected_with_awss_codes(
    meter: PahoDevice, client: Any, request_payload: bytes, code: str
) -> None:
    create_job(client, "upgrade", {})
    meter.subscribe(f"{JOBS}/upgrade/update/rejected")

    meter.publish(f"{JOBS}/upgrade/update", request_payload)

    assert payload(meter.next_message())["code"] == code


def test_an_unknown_job_is_resource_not_found(meter: PahoDevice) -> None:
    meter.subscribe(f"{JOBS}/nothing/get/rejected")

    meter.publish(f"{JOBS}/nothing/get", b"{}")

    assert payload(meter.next_message())["code"] == "ResourceNotFound"


def test_canceling_the_job_tells_the_device(meter: PahoDevice, client: Any) -> None:
    create_job(client, "upgrade", {})
    meter.subscribe(f"{JOBS}/notify-next")

    client.cancel_job(jobId="upgrade")

    assert "execution" not in payload(meter.next_message())  # nothing is pending any more


# -- the Device SDK's jobs client, as its samples run a job -----------------------------------


class Firmware:
    """A device's job loop on awsiotsdk's ``IotJobsClient``: told of the next job, it starts
    it and reports it done."""

    def __init__(self, connection: mqtt.Connection, thing: str) -> None:
        self.client = iotjobs.IotJobsClient(connection)
        self.thing = thing
        self.next_jobs: queue.Queue[Any] = queue.Queue()
        self.answers: queue.Queue[Any] = queue.Queue()
        qos = mqtt.QoS.AT_LEAST_ONCE
        start = iotjobs.StartNextPendingJobExecutionSubscriptionRequest(thing_name=thing)
        update = iotjobs.UpdateJobExecutionSubscriptionRequest(thing_name=thing, job_id="+")
        changed = iotjobs.NextJobExecutionChangedSubscriptionRequest(thing_name=thing)
        for subscribed, _ in (
            self.client.subscribe_to_next_job_execution_changed_events(
                changed, qos, self.next_jobs.put
            ),
            self.client.subscribe_to_start_next_pending_job_execution_accepted(
                start, qos, self.answers.put
            ),
            self.client.subscribe_to_update_job_execution_accepted(update, qos, self.answers.put),
        ):
            subscribed.result(10)

    def run_next(self) -> Any:
        request = iotjobs.StartNextPendingJobExecutionRequest(thing_name=self.thing)
        self.client.publish_start_next_pending_job_execution(
            request, mqtt.QoS.AT_LEAST_ONCE
        ).result(10)
        started = self.answers.get(timeout=10).execution
        done = iotjobs.UpdateJobExecutionRequest(
            thing_name=self.thing,
            job_id=started.job_id,
            status=iotjobs.JobStatus.SUCCEEDED,
            expected_version=started.version_number,
        )
        self.client.publish_update_job_execution(done, mqtt.QoS.AT_LEAST_ONCE).result(10)
        self.answers.get(timeout=10)
        return started


def test_a_device_sdk_firmware_runs_a_job_end_to_end(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    client.create_thing(thingName="meter-2")
    connection = sdk_connection(
        iot_certs, files_for(iot_certs, iot_certs.issue_certificate(), tmp_path), "meter-2"
    )
    connection.connect().result(10)
    try:
        firmware = Firmware(connection, "meter-2")
        client.create_job(
            jobId="rotate",
            targets=[client.describe_thing(thingName="meter-2")["thingArn"]],
            document=json.dumps({"operation": "rotate"}),
        )

        told = firmware.next_jobs.get(timeout=10)
        assert told.execution.job_id == "rotate"
        assert told.execution.job_document == {"operation": "rotate"}
        started = firmware.run_next()

        assert started.status == iotjobs.JobStatus.IN_PROGRESS
        assert client.describe_job(jobId="rotate")["job"]["status"] == "COMPLETED"
        assert firmware.next_jobs.get(timeout=10).execution is None  # nothing more to do
    finally:
        connection.disconnect().result(10)


# -- rollout and abort, on the mock's clock ----------------------------------------------------


def things(client: Any, count: int) -> list[str]:
    return [client.create_thing(thingName=f"device-{n}")["thingArn"] for n in range(count)]


def test_a_rollout_rate_queues_executions_minute_by_minute(
    iot_certs: IotCerts, client: Any
) -> None:
    client.create_job(
        jobId="slow",
        targets=things(client, 7),
        document="{}",
        jobExecutionsRolloutConfig={"maximumPerMinute": 3},
    )

    def queued() -> int:
        return len(client.list_job_executions_for_job(jobId="slow")["executionSummaries"])

    assert queued() == 3
    iot_certs.clock.advance(59)
    assert queued() == 3
    iot_certs.clock.advance(1)
    assert queued() == 6
    iot_certs.clock.advance(60)
    assert queued() == 7


def test_a_job_past_its_abort_threshold_cancels_itself(iot_certs: IotCerts, client: Any) -> None:
    client.create_job(
        jobId="risky",
        targets=things(client, 6),
        document="{}",
        abortConfig={
            "criteriaList": [
                {
                    "failureType": "FAILED",
                    "action": "CANCEL",
                    "thresholdPercentage": 60,
                    "minNumberOfExecutedThings": 2,
                }
            ]
        },
    )
    device = boto3.client("iot-jobs-data")
    device.update_job_execution(jobId="risky", thingName="device-0", status="FAILED")
    assert client.describe_job(jobId="risky")["job"]["status"] == "IN_PROGRESS"  # 1 executed

    device.update_job_execution(jobId="risky", thingName="device-1", status="SUCCEEDED")
    assert client.describe_job(jobId="risky")["job"]["status"] == "IN_PROGRESS"  # 50% < 60%
    device.update_job_execution(jobId="risky", thingName="device-2", status="FAILED")  # 67%

    job = client.describe_job(jobId="risky")["job"]
    assert job["status"] == "CANCELED"
    assert "abortConfig" in job["comment"]
    statuses = {
        s["thingArn"].rsplit("/", 1)[1]: s["jobExecutionSummary"]["status"]
        for s in client.list_job_executions_for_job(jobId="risky")["executionSummaries"]
    }
    assert statuses["device-3"] == "CANCELED"  # what was still QUEUED is canceled
    assert statuses["device-0"] == "FAILED"
