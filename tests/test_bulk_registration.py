"""Bulk registration: a template and a JSON-lines file in S3 (moto's, as AWS reads it; or one the
test hands the mock) register things by the thousand, each line through RegisterThing's template
engine; failed lines are reported, not the task."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pytest_iotcerts import IotCerts

ROLE = "arn:aws:iam::123456789012:role/bulk-registration"
TEMPLATE = json.dumps(
    {
        "Parameters": {"ThingName": {"Type": "String"}, "Serial": {"Type": "String"}},
        "Resources": {
            "thing": {
                "Type": "AWS::IoT::Thing",
                "Properties": {
                    "ThingName": {"Ref": "ThingName"},
                    "AttributePayload": {"serial": {"Ref": "Serial"}},
                },
            }
        },
    }
)


def test_a_thousand_lines_from_motos_s3_with_a_report(iot_certs: IotCerts, client: Any) -> None:
    lines = [json.dumps({"ThingName": f"meter-{n}", "Serial": str(n)}) for n in range(1000)]
    lines[7] = "not json"
    lines[8] = json.dumps({"Serial": "no name"})  # the template needs ThingName
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="fleet-input")
        s3.put_object(Bucket="fleet-input", Key="meters.json", Body="\n".join(lines).encode())

        task_id = client.start_thing_registration_task(
            templateBody=TEMPLATE,
            inputFileBucket="fleet-input",
            inputFileKey="meters.json",
            roleArn=ROLE,
        )["taskId"]

        task = client.describe_thing_registration_task(taskId=task_id)
        errors = client.list_thing_registration_task_reports(taskId=task_id, reportType="ERRORS")
        [link] = errors["resourceLinks"]
        key = link.split(".amazonaws.com/", 1)[1]
        reported = [
            json.loads(line)
            for line in s3.get_object(Bucket="fleet-input", Key=key)["Body"].read().splitlines()
        ]

    assert (task["status"], task["successCount"], task["failureCount"]) == ("Completed", 998, 2)
    assert task["percentageProgress"] == 100
    assert len(iot_certs.things) == 998
    assert client.describe_thing(thingName="meter-999")["attributes"] == {"serial": "999"}
    assert [(r["offset"], r["errorCode"]) for r in reported] == [
        (7, "InvalidRequestException"),
        (8, "InvalidRequestException"),
    ]
    assert client.list_thing_registration_tasks(status="Completed")["taskIds"] == [task_id]


def test_without_moto_the_input_file_is_handed_to_the_mock(
    iot_certs: IotCerts, client: Any
) -> None:
    iot_certs.put_s3_object("bucket", "in.json", json.dumps({"ThingName": "a", "Serial": "1"}))

    task_id = client.start_thing_registration_task(
        templateBody=TEMPLATE, inputFileBucket="bucket", inputFileKey="in.json", roleArn=ROLE
    )["taskId"]

    results = client.list_thing_registration_task_reports(taskId=task_id, reportType="RESULTS")
    [link] = results["resourceLinks"]
    report = iot_certs.s3_object("bucket", link.split(".amazonaws.com/", 1)[1])
    assert report is not None
    assert json.loads(report)["response"]["ResourceArns"]["thing"].endswith(":thing/a")
    client.stop_thing_registration_task(taskId=task_id)  # finished: nothing changes
    assert client.describe_thing_registration_task(taskId=task_id)["status"] == "Completed"


def test_an_input_file_that_cannot_be_read_fails_the_task(client: Any) -> None:
    task_id = client.start_thing_registration_task(
        templateBody=TEMPLATE, inputFileBucket="nowhere", inputFileKey="x.json", roleArn=ROLE
    )["taskId"]

    task = client.describe_thing_registration_task(taskId=task_id)
    assert task["status"] == "Failed"
    assert "put_s3_object" in task["message"]


def test_a_bad_template_or_role_is_refused_at_once(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.start_thing_registration_task(
            templateBody="{}", inputFileBucket="bucket", inputFileKey="k", roleArn=ROLE
        )
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.start_thing_registration_task(
            templateBody=TEMPLATE,
            inputFileBucket="bucket",
            inputFileKey="k",
            roleArn="arn:aws:iam::123456789012:user/someone",
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_thing_registration_task(taskId="0" * 32)
