"""Jobs through boto3: the back end's control plane and a device's job agent (iot-jobs-data),
over the same state."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import urllib.request
from typing import Any

import boto3
import pytest
from models import needs
from sigv4 import signed_headers

from pytest_iotcerts import IotCerts

DOCUMENT = json.dumps({"operation": "rotate-certificate", "url": "${aws:iot:parameter:url}"})


@pytest.fixture
def device() -> Any:
    """A device's job agent: botocore's iot-jobs-data client."""
    return boto3.client("iot-jobs-data", region_name="us-east-1")


@pytest.fixture
def fleet(client: Any) -> dict[str, str]:
    """Things sensor-1 and sensor-2 in the group fleet, and sensor-3 alone; their ARNs."""
    client.create_thing_group(thingGroupName="fleet")
    arns = {}
    for index in (1, 2, 3):
        arns[f"sensor-{index}"] = client.create_thing(thingName=f"sensor-{index}")["thingArn"]
    for index in (1, 2):
        client.add_thing_to_thing_group(thingGroupName="fleet", thingName=f"sensor-{index}")
    arns["fleet"] = client.describe_thing_group(thingGroupName="fleet")["thingGroupArn"]
    return arns


def statuses(client: Any, job_id: str) -> dict[str, str]:
    summaries = client.list_job_executions_for_job(jobId=job_id)["executionSummaries"]
    return {s["thingArn"].rsplit("/", 1)[-1]: s["jobExecutionSummary"]["status"] for s in summaries}


@needs("GetJobDocument", "beforeSubstitution")
def test_a_job_queues_an_execution_per_thing_targeted(client: Any, fleet: dict[str, str]) -> None:
    created = client.create_job(
        jobId="rotate",
        targets=[fleet["fleet"], fleet["sensor-3"]],
        document=DOCUMENT,
        documentParameters={"url": "https://example.com/v2"},
        timeoutConfig={"inProgressTimeoutInMinutes": 30},
    )
    job = client.describe_job(jobId="rotate")["job"]

    assert created["jobArn"] == "arn:aws:iot:us-east-1:123456789012:job/rotate"
    assert (job["status"], job["targetSelection"]) == ("IN_PROGRESS", "SNAPSHOT")
    assert job["jobProcessDetails"]["numberOfQueuedThings"] == 3
    assert job["timeoutConfig"] == {"inProgressTimeoutInMinutes": 30}
    assert statuses(client, "rotate") == dict.fromkeys(
        ["sensor-1", "sensor-2", "sensor-3"], "QUEUED"
    )
    assert json.loads(client.get_job_document(jobId="rotate")["document"])["url"] == (
        "https://example.com/v2"
    )
    assert (
        "${aws:iot:parameter:url}"
        in client.get_job_document(jobId="rotate", beforeSubstitution=True)["document"]
    )


def test_a_device_runs_its_job_to_completion(
    iot_certs: IotCerts, client: Any, device: Any, fleet: dict[str, str]
) -> None:
    client.create_job(jobId="rotate", targets=[fleet["sensor-3"]], document=DOCUMENT)

    pending = device.get_pending_job_executions(thingName="sensor-3")
    started = device.start_next_pending_job_execution(
        thingName="sensor-3", statusDetails={"step": "download"}
    )["execution"]
    updated = device.update_job_execution(
        jobId="rotate",
        thingName="sensor-3",
        status="SUCCEEDED",
        expectedVersion=started["versionNumber"],
        includeJobExecutionState=True,
    )

    assert [job["jobId"] for job in pending["queuedJobs"]] == ["rotate"]
    assert pending["inProgressJobs"] == []
    assert (started["status"], started["statusDetails"]) == ("IN_PROGRESS", {"step": "download"})
    assert json.loads(started["jobDocument"])["operation"] == "rotate-certificate"
    assert updated["executionState"]["status"] == "SUCCEEDED"
    assert client.describe_job(jobId="rotate")["job"]["status"] == "COMPLETED"
    assert device.get_pending_job_executions(thingName="sensor-3")["queuedJobs"] == []
    assert [c.service for c in iot_certs.calls if c.operation == "UpdateJobExecution"] == [
        "iot-jobs-data"
    ]


def test_a_failed_execution_is_retried_as_the_retry_config_allows(
    client: Any, device: Any, fleet: dict[str, str]
) -> None:
    client.create_job(
        jobId="flaky",
        targets=[fleet["sensor-3"]],
        document=DOCUMENT,
        jobExecutionsRetryConfig={
            "criteriaList": [{"failureType": "FAILED", "numberOfRetries": 1}]
        },
    )

    def run_and_fail() -> int:
        started = device.start_next_pending_job_execution(thingName="sensor-3")["execution"]
        device.update_job_execution(jobId="flaky", thingName="sensor-3", status="FAILED")
        return int(started["executionNumber"])

    assert run_and_fail() == 1
    retried = client.describe_job_execution(jobId="flaky", thingName="sensor-3")["execution"]
    assert (retried["status"], retried["executionNumber"]) == ("QUEUED", 2)
    assert client.describe_job(jobId="flaky")["job"]["status"] == "IN_PROGRESS"
    assert run_and_fail() == 2

    summaries = client.list_job_executions_for_thing(thingName="sensor-3")["executionSummaries"]
    assert [s["jobExecutionSummary"]["retryAttempt"] for s in summaries] == [1]
    assert client.describe_job(jobId="flaky")["job"]["status"] == "COMPLETED"
    assert device.get_pending_job_executions(thingName="sensor-3")["queuedJobs"] == []


def test_a_jobs_process_details_count_the_latest_execution_on_each_thing(
    client: Any, device: Any, fleet: dict[str, str]
) -> None:
    client.create_job(
        jobId="count",
        targets=[fleet["sensor-1"], fleet["sensor-2"], fleet["sensor-3"]],
        document=DOCUMENT,
        jobExecutionsRetryConfig={
            "criteriaList": [{"failureType": "FAILED", "numberOfRetries": 1}]
        },
    )

    def counts() -> dict[str, int]:
        details = client.describe_job(jobId="count")["job"]["jobProcessDetails"]
        return {name: number for name, number in details.items() if number}

    assert counts() == {"numberOfQueuedThings": 3}
    device.start_next_pending_job_execution(thingName="sensor-1")
    device.update_job_execution(jobId="count", thingName="sensor-1", status="FAILED")  # retried
    device.start_next_pending_job_execution(thingName="sensor-2")
    device.update_job_execution(jobId="count", thingName="sensor-2", status="SUCCEEDED")
    assert counts() == {"numberOfQueuedThings": 2, "numberOfSucceededThings": 1}

    client.delete_job_execution(jobId="count", thingName="sensor-2", executionNumber=1)
    client.cancel_job_execution(jobId="count", thingName="sensor-1")
    assert counts() == {"numberOfQueuedThings": 1, "numberOfCanceledThings": 1}

    client.delete_job_execution(jobId="count", thingName="sensor-1", executionNumber=2)
    assert counts() == {"numberOfQueuedThings": 1, "numberOfFailedThings": 1}


def _at(minutes: float) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_scheduled_job_rolls_out_at_its_start_and_stops_at_its_end(
    iot_certs: IotCerts, client: Any, fleet: dict[str, str]
) -> None:
    iot_certs.clock.freeze()
    with pytest.raises(client.exceptions.InvalidRequestException, match="30 minutes"):
        client.create_job(
            jobId="soon",
            targets=[fleet["fleet"]],
            document=DOCUMENT,
            schedulingConfig={"startTime": _at(5)},
        )
    client.create_job(
        jobId="later",
        targets=[fleet["fleet"]],
        document=DOCUMENT,
        schedulingConfig={"startTime": _at(62), "endTime": _at(122), "endBehavior": "CANCEL"},
    )

    assert client.describe_job(jobId="later")["job"]["status"] == "SCHEDULED"
    assert statuses(client, "later") == {}
    iot_certs.clock.advance(62 * 60)
    assert client.describe_job(jobId="later")["job"]["status"] == "IN_PROGRESS"
    assert statuses(client, "later") == {"sensor-1": "QUEUED", "sensor-2": "QUEUED"}
    iot_certs.clock.advance(61 * 60)
    assert client.describe_job(jobId="later")["job"]["status"] == "CANCELED"
    assert statuses(client, "later") == {"sensor-1": "CANCELED", "sensor-2": "CANCELED"}


def _window_in(minutes: int) -> str:
    """A cron expression for the minute ``minutes`` from now, every day (UTC)."""
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    return f"cron({moment.minute} {moment.hour} * * ? *)"


def test_executions_roll_out_only_inside_a_maintenance_window(
    iot_certs: IotCerts, client: Any, fleet: dict[str, str]
) -> None:
    iot_certs.clock.freeze()
    client.create_job(
        jobId="night",
        targets=[fleet["fleet"]],
        document=DOCUMENT,
        schedulingConfig={
            "maintenanceWindows": [{"startTime": _window_in(120), "durationInMinutes": 30}]
        },
    )

    assert statuses(client, "night") == {}  # the window is two hours away
    iot_certs.clock.advance(119 * 60)
    assert statuses(client, "night") == {}
    iot_certs.clock.advance(2 * 60)
    assert statuses(client, "night") == {"sensor-1": "QUEUED", "sensor-2": "QUEUED"}


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"startTime": "cron(0 2 * * ? *)", "durationInMinutes": 10}, "30 to 1430"),
        ({"startTime": "cron(0 2 L * ? *)", "durationInMinutes": 60}, "not supported"),
        ({"startTime": "cron(0 2 * * MON *)", "durationInMinutes": 60}, "must be '\\?'"),
        ({"startTime": "0 2 * * ? *", "durationInMinutes": 60}, "not an AWS cron"),
    ],
)
def test_a_maintenance_window_aws_would_refuse_is_an_invalid_request(
    client: Any, fleet: dict[str, str], window: dict[str, Any], message: str
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match=message):
        client.create_job(
            jobId="bad",
            targets=[fleet["fleet"]],
            document=DOCUMENT,
            schedulingConfig={"maintenanceWindows": [window]},
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_job(jobId="bad")


def test_an_exponential_rollout_speeds_up_as_things_are_notified(
    iot_certs: IotCerts, client: Any
) -> None:
    iot_certs.clock.freeze()
    arns = [client.create_thing(thingName=f"t{index:02d}")["thingArn"] for index in range(12)]
    client.create_job(
        jobId="wave",
        targets=arns,
        document=DOCUMENT,
        jobExecutionsRolloutConfig={
            "maximumPerMinute": 100,
            "exponentialRate": {
                "baseRatePerMinute": 2,
                "incrementFactor": 2.0,
                "rateIncreaseCriteria": {"numberOfNotifiedThings": 2},
            },
        },
    )

    queued = [len(statuses(client, "wave"))]
    for _ in range(2):
        iot_certs.clock.advance(60)
        queued.append(len(statuses(client, "wave")))

    assert queued == [2, 6, 12]  # 2 a minute, then 4, then 16 (capped by what is left)


def test_terminal_states_stay_terminal(client: Any, device: Any, fleet: dict[str, str]) -> None:
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)
    device.update_job_execution(jobId="j", thingName="sensor-3", status="FAILED")

    with pytest.raises(device.exceptions.InvalidStateTransitionException):
        device.update_job_execution(jobId="j", thingName="sensor-3", status="IN_PROGRESS")
    with pytest.raises(device.exceptions.InvalidRequestException, match="not CANCELED"):
        device.update_job_execution(jobId="j", thingName="sensor-1", status="CANCELED")
    with pytest.raises(client.exceptions.InvalidStateTransitionException):
        client.cancel_job_execution(jobId="j", thingName="sensor-3")


def test_a_stale_expected_version_is_refused(
    client: Any, device: Any, fleet: dict[str, str]
) -> None:
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)
    device.start_next_pending_job_execution(thingName="sensor-3")

    with pytest.raises(device.exceptions.InvalidStateTransitionException, match="version"):
        device.update_job_execution(
            jobId="j", thingName="sensor-3", status="SUCCEEDED", expectedVersion=1
        )
    with pytest.raises(client.exceptions.VersionConflictException):
        client.cancel_job_execution(jobId="j", thingName="sensor-3", force=True, expectedVersion=1)


def test_cancel_job_leaves_in_progress_executions_unless_forced(
    client: Any, device: Any, fleet: dict[str, str]
) -> None:
    client.create_job(jobId="j", targets=[fleet["fleet"]], document=DOCUMENT)
    device.start_next_pending_job_execution(thingName="sensor-1")

    client.cancel_job(jobId="j", reasonCode="BAD_BUILD", comment="rolled back")
    gentle = statuses(client, "j")
    client.cancel_job(jobId="j", force=True)
    job = client.describe_job(jobId="j")["job"]

    assert gentle == {"sensor-1": "IN_PROGRESS", "sensor-2": "CANCELED"}
    assert statuses(client, "j") == {"sensor-1": "CANCELED", "sensor-2": "CANCELED"}
    assert (job["status"], job["forceCanceled"], job["reasonCode"]) == (
        "CANCELED",
        True,
        "BAD_BUILD",
    )
    execution = client.describe_job_execution(jobId="j", thingName="sensor-1")["execution"]
    assert execution["forceCanceled"] is True


def test_delete_job_in_progress_needs_force(client: Any, fleet: dict[str, str]) -> None:
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)

    with pytest.raises(client.exceptions.InvalidStateTransitionException) as raised:
        client.delete_job(jobId="j")
    client.delete_job(jobId="j", force=True)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert client.list_jobs()["jobs"] == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_job(jobId="j")


def test_a_deleted_job_or_execution_is_no_longer_pending_for_the_device(
    client: Any, device: Any, fleet: dict[str, str]
) -> None:
    for job_id in ("a", "b", "c"):
        client.create_job(jobId=job_id, targets=[fleet["sensor-3"]], document=DOCUMENT)
    device.start_next_pending_job_execution(thingName="sensor-3")  # a: IN_PROGRESS

    client.delete_job(jobId="b", force=True)
    client.delete_job_execution(jobId="a", thingName="sensor-3", executionNumber=1, force=True)

    pending = device.get_pending_job_executions(thingName="sensor-3")
    assert pending["inProgressJobs"] == []
    assert [job["jobId"] for job in pending["queuedJobs"]] == ["c"]


def test_targets_associated_with_a_continuous_job_are_queued(
    client: Any, fleet: dict[str, str]
) -> None:
    client.create_job(
        jobId="always", targets=[fleet["fleet"]], document=DOCUMENT, targetSelection="CONTINUOUS"
    )
    client.create_job(jobId="once", targets=[fleet["fleet"]], document=DOCUMENT)

    answer = client.associate_targets_with_job(jobId="always", targets=[fleet["sensor-3"]])

    assert answer["jobId"] == "always" and answer["jobArn"].endswith(":job/always")
    assert statuses(client, "always") == dict.fromkeys(
        ["sensor-1", "sensor-2", "sensor-3"], "QUEUED"
    )
    assert client.describe_job(jobId="always")["job"]["targets"] == [
        fleet["fleet"],
        fleet["sensor-3"],
    ]
    with pytest.raises(client.exceptions.InvalidRequestException, match="continuous"):
        client.associate_targets_with_job(jobId="once", targets=[fleet["sensor-3"]])
    too_many = [f"{fleet['sensor-3']}-{index}" for index in range(100)]
    with pytest.raises(client.exceptions.LimitExceededException):
        client.associate_targets_with_job(jobId="always", targets=too_many)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.associate_targets_with_job(jobId="nope", targets=[fleet["sensor-3"]])
    client.cancel_job(jobId="always")
    with pytest.raises(client.exceptions.InvalidRequestException, match="IN_PROGRESS"):
        client.associate_targets_with_job(jobId="always", targets=[fleet["sensor-3"]])


def test_a_continuous_job_picks_up_new_group_members(client: Any, fleet: dict[str, str]) -> None:
    client.create_job(
        jobId="always", targets=[fleet["fleet"]], document=DOCUMENT, targetSelection="CONTINUOUS"
    )
    client.create_job(jobId="once", targets=[fleet["fleet"]], document=DOCUMENT)

    client.add_thing_to_thing_group(thingGroupName="fleet", thingName="sensor-3")

    assert sorted(statuses(client, "always")) == ["sensor-1", "sensor-2", "sensor-3"]
    assert sorted(statuses(client, "once")) == ["sensor-1", "sensor-2"]
    listed = client.list_jobs(targetSelection="CONTINUOUS", thingGroupName="fleet")["jobs"]
    assert [j["jobId"] for j in listed] == ["always"]


def test_executions_for_a_thing_and_deleting_one(
    client: Any, device: Any, fleet: dict[str, str]
) -> None:
    for job_id in ("first", "second"):
        client.create_job(jobId=job_id, targets=[fleet["sensor-3"]], document=DOCUMENT)
    device.update_job_execution(jobId="first", thingName="sensor-3", status="SUCCEEDED")

    listed = client.list_job_executions_for_thing(thingName="sensor-3")["executionSummaries"]
    queued = client.list_job_executions_for_thing(thingName="sensor-3", status="QUEUED")

    assert [(s["jobId"], s["jobExecutionSummary"]["status"]) for s in listed] == [
        ("first", "SUCCEEDED"),
        ("second", "QUEUED"),
    ]
    assert [s["jobId"] for s in queued["executionSummaries"]] == ["second"]
    with pytest.raises(client.exceptions.InvalidStateTransitionException):
        client.delete_job_execution(jobId="second", thingName="sensor-3", executionNumber=1)
    client.delete_job_execution(jobId="first", thingName="sensor-3", executionNumber=1)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_job_execution(jobId="first", thingName="sensor-3")


def test_create_job_errors(client: Any, fleet: dict[str, str]) -> None:
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)

    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_job(
            jobId="k", targets=[fleet["sensor-3"].replace("sensor-3", "ghost")], document="{}"
        )
    with pytest.raises(client.exceptions.InvalidRequestException, match="JSON object"):
        client.create_job(jobId="k", targets=[fleet["sensor-3"]], document="[1, 2]")
    with pytest.raises(client.exceptions.InvalidRequestException, match="document"):
        client.create_job(jobId="k", targets=[fleet["sensor-3"]])


@needs("GetJobDocument", "beforeSubstitution")
def test_job_templates(client: Any, fleet: dict[str, str]) -> None:
    client.create_job(jobId="model", targets=[fleet["sensor-3"]], document=DOCUMENT)
    template = client.create_job_template(
        jobTemplateId="rotation",
        jobArn=client.describe_job(jobId="model")["job"]["jobArn"],
        description="certificate rotation",
    )
    client.create_job(
        jobId="from-template",
        targets=[fleet["sensor-1"]],
        jobTemplateArn=template["jobTemplateArn"],
    )

    described = client.describe_job_template(jobTemplateId="rotation")
    listed = client.list_job_templates()["jobTemplates"]

    assert template["jobTemplateArn"].endswith(":jobtemplate/rotation")
    assert described["document"] == DOCUMENT
    assert [t["jobTemplateId"] for t in listed] == ["rotation"]
    assert (
        client.get_job_document(jobId="from-template", beforeSubstitution=True)["document"]
        == DOCUMENT
    )
    with pytest.raises(client.exceptions.ConflictException):
        client.create_job_template(jobTemplateId="rotation", document="{}", description="again")
    client.delete_job_template(jobTemplateId="rotation")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_job_template(jobTemplateId="rotation")


def test_the_controller_inspects_and_advances_executions(
    iot_certs: IotCerts, client: Any, fleet: dict[str, str]
) -> None:
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)

    iot_certs.report_job_execution("j", "sensor-3", "SUCCEEDED", details={"took": "2s"})

    [job] = iot_certs.jobs
    assert (job.status, job.executions["sensor-3"][-1].status) == ("COMPLETED", "SUCCEEDED")
    assert job.executions["sensor-3"][-1].status_details == {"took": "2s"}
    assert (
        client.describe_job(jobId="j")["job"]["jobProcessDetails"]["numberOfSucceededThings"] == 1
    )


def test_the_loopback_endpoint_tells_the_jobs_data_plane_by_its_signature(
    iot_certs: IotCerts, client: Any, fleet: dict[str, str]
) -> None:
    """GET /things/NAME/jobs is ListJobExecutionsForThing on the control plane and
    GetPendingJobExecutions on the jobs data plane: the signature's scope decides, as for a
    subprocess pointed at the endpoint by AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE."""
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)
    url = f"{iot_certs.endpoint_url}/things/sensor-3/jobs"

    answers = {}
    for service in ("iot", "iot-jobs-data"):
        request = urllib.request.Request(url, headers=signed_headers("GET", url, service=service))
        with urllib.request.urlopen(request, timeout=10) as response:
            answers[service] = json.loads(response.read())

    assert [s["jobId"] for s in answers["iot"]["executionSummaries"]] == ["j"]
    assert [job["jobId"] for job in answers["iot-jobs-data"]["queuedJobs"]] == ["j"]


def test_a_job_agent_in_a_subprocess_reaches_the_same_jobs(
    iot_certs: IotCerts, client: Any, fleet: dict[str, str]
) -> None:
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)
    agent = (
        "import boto3; device = boto3.client('iot-jobs-data'); "
        "print(device.start_next_pending_job_execution(thingName='sensor-3')['execution']['jobId'])"
    )

    ran = subprocess.run(
        [sys.executable, "-c", agent],
        env=iot_certs.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (ran.returncode, ran.stdout.strip()) == (0, "j"), ran.stderr
    assert (
        client.describe_job_execution(jobId="j", thingName="sensor-3")["execution"]["status"]
        == "IN_PROGRESS"
    )


def test_faults_reach_the_jobs_data_plane(
    iot_certs: IotCerts, client: Any, device: Any, fleet: dict[str, str]
) -> None:
    client.create_job(jobId="j", targets=[fleet["sensor-3"]], document=DOCUMENT)
    iot_certs.add_fault("CertificateValidationException", operation="StartNextPendingJobExecution")

    with pytest.raises(device.exceptions.CertificateValidationException):
        device.start_next_pending_job_execution(thingName="sensor-3")

    with pytest.raises(ValueError, match="cannot return"):
        iot_certs.add_fault("VersionConflictException", operation="GetPendingJobExecutions")
    assert (
        client.describe_job_execution(jobId="j", thingName="sensor-3")["execution"]["status"]
        == "QUEUED"
    )


def _started_with_a_ten_minute_timeout(client: Any, device: Any, sensor: str) -> Any:
    client.create_job(
        jobId="j",
        targets=[sensor],
        document=DOCUMENT,
        timeoutConfig={"inProgressTimeoutInMinutes": 10},
    )
    return device.start_next_pending_job_execution(thingName="sensor-3")["execution"]


def test_an_in_progress_execution_times_out_on_the_mock_clock(
    iot_certs: IotCerts, client: Any, device: Any, fleet: dict[str, str]
) -> None:
    started = _started_with_a_ten_minute_timeout(client, device, fleet["sensor-3"])

    iot_certs.clock.advance(9 * 60)
    running = client.describe_job_execution(jobId="j", thingName="sensor-3")["execution"]
    iot_certs.clock.advance(60)
    timed_out = client.describe_job_execution(jobId="j", thingName="sensor-3")["execution"]

    assert started["approximateSecondsBeforeTimedOut"] in (599, 600)
    assert running["status"] == "IN_PROGRESS"
    assert running["approximateSecondsBeforeTimedOut"] in (59, 60)
    assert timed_out["status"] == "TIMED_OUT"
    assert client.describe_job(jobId="j")["job"]["status"] == "COMPLETED"
    with pytest.raises(device.exceptions.InvalidStateTransitionException):
        device.update_job_execution(jobId="j", thingName="sensor-3", status="SUCCEEDED")


def test_the_lists_see_a_timeout_the_clock_brought_without_a_read_of_the_job(
    iot_certs: IotCerts, client: Any, device: Any, fleet: dict[str, str]
) -> None:
    """Listing catches up with the mock's clock the jobs it can still change."""
    _started_with_a_ten_minute_timeout(client, device, fleet["sensor-3"])

    iot_certs.clock.advance(10 * 60)

    listed = client.list_job_executions_for_thing(thingName="sensor-3", status="TIMED_OUT")
    assert [s["jobId"] for s in listed["executionSummaries"]] == ["j"]
    assert [job["jobId"] for job in client.list_jobs(status="COMPLETED")["jobs"]] == ["j"]


def test_a_step_timeout_from_the_device_replaces_the_jobs(
    iot_certs: IotCerts, client: Any, device: Any, fleet: dict[str, str]
) -> None:
    client.create_job(
        jobId="j",
        targets=[fleet["sensor-3"]],
        document=DOCUMENT,
        timeoutConfig={"inProgressTimeoutInMinutes": 60},
    )
    device.start_next_pending_job_execution(thingName="sensor-3", stepTimeoutInMinutes=2)

    iot_certs.clock.advance(2 * 60)

    pending = device.get_pending_job_executions(thingName="sensor-3")
    assert (pending["inProgressJobs"], pending["queuedJobs"]) == ([], [])
    assert (
        client.describe_job_execution(jobId="j", thingName="sensor-3")["execution"]["status"]
        == "TIMED_OUT"
    )


def test_a_job_from_an_aws_managed_template(client: Any, fleet: dict[str, str]) -> None:
    listed = client.list_managed_job_templates()["managedJobTemplates"]
    assert {"AWS-Reboot", "AWS-Download-File", "AWS-Run-Command"} <= {
        t["templateName"] for t in listed
    }
    described = client.describe_managed_job_template(templateName="AWS-Download-File")
    assert described["templateArn"] == "arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0"
    assert [p["key"] for p in described["documentParameters"] if not p["optional"]] == [
        "downloadUrl",
        "filePath",
    ]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_managed_job_template(templateName="AWS-Nothing")
    arn = described["templateArn"]
    with pytest.raises(client.exceptions.InvalidRequestException, match="filePath"):
        client.create_job(
            jobId="missing",
            targets=[fleet["sensor-3"]],
            jobTemplateArn=arn,
            documentParameters={"downloadUrl": "https://example.com/index.html"},
        )

    made = client.create_job(
        jobId="download",
        targets=[fleet["sensor-3"]],
        jobTemplateArn=arn,
        documentParameters={"downloadUrl": "https://example.com/index.html", "filePath": "/tmp/f"},
    )

    assert made["description"] == "A managed job template for downloading a file."
    document = json.loads(client.get_job_document(jobId="download")["document"])
    action = document["steps"][0]["action"]
    assert action["input"]["args"] == ["https://example.com/index.html", "/tmp/f"]
    assert (action["input"]["path"], action["runAsUser"]) == ("", "")
