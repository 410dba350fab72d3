"""Topic rules that fire: a device or a back end publishes, the rule's SQL selects and filters,
and the actions land: republished to a subscriber, in moto's SQS and DynamoDB, in a Lambda
stand-in; basic ingest; errorAction; every run recorded."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from devices import PahoDevice, files_for
from moto import mock_aws

from pytest_iotcerts import IotCerts

ROLE = "arn:aws:iam::123456789012:role/rules"


def rule(client: Any, name: str, sql: str, *actions: dict[str, Any], **extra: Any) -> None:
    client.create_topic_rule(
        ruleName=name,
        topicRulePayload={"sql": sql, "actions": list(actions), **extra},
    )


def eventually(found: Callable[[], Any], seconds: float = 10) -> Any:
    """What ``found`` gives once it gives something (a device's message is acknowledged
    before the rules it reaches have run)."""
    deadline = time.monotonic() + seconds
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return result


def publish(topic: str, document: Any) -> None:
    boto3.client("iot-data").publish(topic=topic, payload=json.dumps(document).encode(), qos=1)


@pytest.fixture
def device(iot_certs: IotCerts, tmp_path: Path) -> Iterator[Any]:
    made: list[PahoDevice] = []

    def connect(client_id: str) -> PahoDevice:
        certificate = iot_certs.issue_certificate()
        made.append(
            PahoDevice(
                iot_certs, files_for(iot_certs, certificate, tmp_path / client_id), client_id
            )
        )
        assert made[-1].connect()
        return made[-1]

    yield connect
    for each in made:
        each.close()


def test_a_device_publishes_and_the_rule_republishes_what_it_selects(
    iot_certs: IotCerts, client: Any, device: Any
) -> None:
    rule(
        client,
        "hot",
        "SELECT temp, topic(2) AS device FROM 'sensors/+/telemetry' WHERE temp > 30",
        {"republish": {"topic": "alerts/${topic(2)}", "roleArn": ROLE, "qos": 1}},
    )
    sensor, dashboard = device("s1"), device("dashboard")
    dashboard.subscribe("alerts/#")

    sensor.publish("sensors/s1/telemetry", b'{"temp": 20}')  # WHERE drops it
    sensor.publish("sensors/s1/telemetry", b'{"temp": 35, "humidity": 80}')

    alert = dashboard.next_message()
    assert alert.topic == "alerts/s1"
    assert json.loads(alert.payload) == {"temp": 35, "device": "s1"}
    [run] = eventually(lambda: iot_certs.rule_runs("hot"))  # recorded once its actions ran
    assert run.json() == {"temp": 35, "device": "s1"}
    assert run.outcomes[0].ok and run.outcomes[0].delivered


def test_actions_land_in_motos_sqs_and_dynamodb(iot_certs: IotCerts, client: Any) -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="readings")["QueueUrl"]
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="readings",
            KeySchema=[{"AttributeName": "device", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "device", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        rule(
            client,
            "store",
            "SELECT *, topic(2) AS device FROM 'sensors/+/telemetry'",
            {"sqs": {"queueUrl": queue, "roleArn": ROLE}},
            {"dynamoDBv2": {"roleArn": ROLE, "putItem": {"tableName": "readings"}}},
        )

        publish("sensors/s7/telemetry", {"temp": 21.5})

        [received] = sqs.receive_message(QueueUrl=queue)["Messages"]
        item = dynamodb.get_item(TableName="readings", Key={"device": {"S": "s7"}})["Item"]

    assert json.loads(received["Body"]) == {"temp": 21.5, "device": "s7"}
    assert item["temp"] == {"N": "21.5"}


def test_without_moto_an_action_on_another_service_is_recorded_not_sent(
    iot_certs: IotCerts, client: Any
) -> None:
    queue = "https://sqs.us-east-1.amazonaws.com/123456789012/readings"
    rule(
        client, "store", "SELECT * FROM 'sensors/#'", {"sqs": {"queueUrl": queue, "roleArn": ROLE}}
    )

    publish("sensors/s1", {"temp": 1})

    [outcome] = iot_certs.rule_runs("store")[0].outcomes
    assert (outcome.kind, outcome.target, outcome.ok, outcome.delivered) == (
        "sqs",
        queue,
        True,
        False,
    )
    assert json.loads(outcome.payload) == {"temp": 1}


def test_basic_ingest_runs_the_rule_and_reaches_no_subscriber(
    iot_certs: IotCerts, client: Any, device: Any
) -> None:
    calls: list[Any] = []
    iot_certs.set_lambda_function("ingest", calls.append)
    rule(
        client,
        "ingest",
        "SELECT * FROM 'sensors/+'",
        {"lambda": {"functionArn": "arn:aws:lambda:us-east-1:123456789012:function:ingest"}},
    )
    listener = device("listener")
    listener.subscribe("$aws/rules/ingest/#")

    sensor = device("s2")
    sensor.publish("$aws/rules/ingest/sensors/s2", b'{"temp": 3}')
    eventually(lambda: iot_certs.rule_runs("ingest"))  # the broker acknowledges first
    publish("$aws/rules/ingest/sensors/s3", {"temp": 4})

    assert calls == [{"temp": 3}, {"temp": 4}]
    assert [run.topic for run in iot_certs.rule_runs("ingest")] == ["sensors/s2", "sensors/s3"]
    assert listener.messages.empty()


def test_a_failing_action_runs_the_error_action_with_awss_payload(
    iot_certs: IotCerts, client: Any, device: Any
) -> None:
    listener = device("ops")
    listener.subscribe("rule-errors")
    with mock_aws():
        rule(
            client,
            "broken",
            "SELECT * FROM 'sensors/#'",
            {
                "sqs": {
                    "queueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/gone",
                    "roleArn": ROLE,
                }
            },
            errorAction={"republish": {"topic": "rule-errors", "roleArn": ROLE}},
        )
        publish("sensors/s1", {"temp": 9})

    report = json.loads(listener.next_message().payload)
    assert report["ruleName"] == "broken"
    assert report["topic"] == "sensors/s1"
    assert json.loads(__import__("base64").b64decode(report["base64OriginalPayload"])) == {
        "temp": 9
    }
    assert report["failures"][0]["failedAction"] == "sqsAction"
    [run] = iot_certs.rule_runs("broken")
    assert not run.outcomes[0].ok
    assert run.error_outcome is not None and run.error_outcome.ok


def test_a_disabled_rule_does_not_run(iot_certs: IotCerts, client: Any) -> None:
    rule(client, "off", "SELECT * FROM 'a/b'", {"republish": {"topic": "c", "roleArn": ROLE}})
    client.disable_topic_rule(ruleName="off")

    publish("a/b", {"x": 1})

    assert iot_certs.rule_runs() == []


def test_rules_select_what_aws_iot_itself_publishes(iot_certs: IotCerts, client: Any) -> None:
    rule(
        client,
        "shadow_history",
        "SELECT current.state.reported AS reported, topic(3) AS thing "
        "FROM '$aws/things/+/shadow/update/documents'",
        {"republish": {"topic": "history/${topic(3)}", "roleArn": ROLE}},
    )

    iot_certs.set_shadow("lamp", reported={"on": True})

    assert iot_certs.assert_published("history/lamp").json() == {
        "reported": {"on": True},
        "thing": "lamp",
    }


def test_sql_expressions_as_the_reference_has_them(iot_certs: IotCerts, client: Any) -> None:
    rule(
        client,
        "expressions",
        "SELECT state.reported.temp * 1.8 + 32 AS fahrenheit, "
        "CASE WHEN state.reported.temp > 25 THEN 'hot' ELSE 'ok' END AS level, "
        "upper(name) AS name, get(readings, 1) AS second, clientid() AS client "
        "FROM 'things/+/state' WHERE name <> 'ignored' AND isundefined(skip)",
        {"republish": {"topic": "out", "roleArn": ROLE}},
    )

    publish(
        "things/t1/state", {"state": {"reported": {"temp": 30}}, "name": "t1", "readings": [1, 2]}
    )
    publish("things/t2/state", {"name": "ignored"})
    publish("things/t3/state", {"name": "t3", "skip": True})

    [run] = iot_certs.rule_runs("expressions")
    assert run.json() == {
        "fahrenheit": 86.0,
        "level": "hot",
        "name": "T1",
        "second": 2,
        "client": "n/a",
    }


def test_a_function_the_emulator_does_not_evaluate_is_refused_when_the_rule_is_made(
    iot_certs: IotCerts, client: Any
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="machinelearning_predict"):
        rule(
            client,
            "unknown",
            "SELECT machinelearning_predict('model', 'role', *) AS p FROM 'a'",
            {"republish": {"topic": "out", "roleArn": ROLE}},
        )

    assert iot_certs.service().topic_rules.select() == []


def test_a_failing_expression_is_an_error_the_error_action_hears_of(
    iot_certs: IotCerts, client: Any
) -> None:
    rule(
        client,
        "failing",
        "SELECT x FROM 'a' WHERE x LIKE 'a%'",
        {"republish": {"topic": "out", "roleArn": ROLE}},
        errorAction={"republish": {"topic": "errors", "roleArn": ROLE}},
    )

    publish("a", {"x": 1})

    [run] = iot_certs.rule_runs("failing")
    assert run.error is not None
    assert iot_certs.assert_published("errors").json()["ruleName"] == "failing"


def test_an_http_destination_is_confirmed_with_the_token_aws_iot_sent(
    iot_certs: IotCerts, client: Any
) -> None:
    made = client.create_topic_rule_destination(
        destinationConfiguration={
            "httpUrlConfiguration": {"confirmationUrl": "https://hooks.example.com/"}
        }
    )["topicRuleDestination"]
    assert made["status"] == "IN_PROGRESS"
    assert made["arn"].startswith("arn:aws:iot:us-east-1:123456789012:ruledestination/http/")
    with pytest.raises(client.exceptions.ConflictingResourceUpdateException):
        client.update_topic_rule_destination(arn=made["arn"], status="ENABLED")
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.confirm_topic_rule_destination(confirmationToken="not-the-token")

    [sent] = iot_certs.destination_confirmations()
    assert (sent["url"], sent["arn"]) == ("https://hooks.example.com/", made["arn"])
    client.confirm_topic_rule_destination(confirmationToken=sent["confirmationToken"])

    got = client.get_topic_rule_destination(arn=made["arn"])["topicRuleDestination"]
    assert got["status"] == "ENABLED"
    assert got["httpUrlProperties"] == {"confirmationUrl": "https://hooks.example.com/"}
    [summary] = client.list_topic_rule_destinations()["destinationSummaries"]
    assert summary["httpUrlSummary"] == {"confirmationUrl": "https://hooks.example.com/"}
    client.update_topic_rule_destination(arn=made["arn"], status="DISABLED")
    client.delete_topic_rule_destination(arn=made["arn"])
    assert client.list_topic_rule_destinations()["destinationSummaries"] == []


def test_an_http_action_needs_an_enabled_destination(iot_certs: IotCerts, client: Any) -> None:
    url = "https://hooks.example.com/readings"
    rule(
        client,
        "hook",
        "SELECT * FROM 'sensors/#'",
        {"http": {"url": url}},
        errorAction={"republish": {"topic": "errors", "roleArn": ROLE}},
    )
    publish("sensors/s1", {"temp": 1})
    assert not iot_certs.rule_runs("hook")[0].outcomes[0].ok
    assert (
        iot_certs.assert_published("errors").json()["failures"][0]["failedAction"] == "httpAction"
    )

    client.create_topic_rule_destination(
        destinationConfiguration={
            "httpUrlConfiguration": {"confirmationUrl": "https://hooks.example.com/"}
        }
    )
    token = iot_certs.destination_confirmations()[0]["confirmationToken"]
    client.confirm_topic_rule_destination(confirmationToken=token)
    publish("sensors/s1", {"temp": 2})

    outcome = iot_certs.rule_runs("hook")[1].outcomes[0]
    assert (outcome.kind, outcome.target, outcome.ok, outcome.delivered) == (
        "http",
        url,
        True,
        False,
    )
    assert json.loads(outcome.payload) == {"temp": 2}


def test_a_vpc_destination_is_stored(client: Any) -> None:
    vpc = {
        "subnetIds": ["subnet-0123456789abcdef0"],
        "vpcId": "vpc-0123456789abcdef0",
        "roleArn": ROLE,
    }
    made = client.create_topic_rule_destination(destinationConfiguration={"vpcConfiguration": vpc})
    got = client.get_topic_rule_destination(arn=made["topicRuleDestination"]["arn"])
    assert got["topicRuleDestination"]["vpcProperties"] == {**vpc, "securityGroups": []}
    assert got["topicRuleDestination"]["status"] == "ENABLED"


def test_select_value_outputs_an_array_in_sql_2016_03_23(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.SqlParseException, match="2016-03-23"):
        rule(
            client,
            "v",
            "SELECT VALUE arr FROM 'topic'",
            {"republish": {"topic": "out", "roleArn": ROLE}},
        )
    rule(
        client,
        "v",
        "SELECT VALUE arr FROM 'topic'",
        {"republish": {"topic": "out", "roleArn": ROLE}},
        awsIotSqlVersion="2016-03-23",
    )

    publish("topic", {"a": {"b": "c"}, "arr": [1, 2, 3, 4]})  # the SQL reference's example

    assert iot_certs.assert_published("out").json() == [1, 2, 3, 4]


def moto_function(name: str) -> str:
    """A function in moto's Lambda (moto's Docker-free backend answers its invocations)."""
    import io
    import zipfile

    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    made = boto3.client("lambda", region_name="us-east-1").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": code.getvalue()},
    )
    return str(made["FunctionArn"])


def test_a_lambda_action_invokes_the_function_in_motos_lambda(
    iot_certs: IotCerts, client: Any
) -> None:
    with mock_aws(config={"lambda": {"use_docker": False}}):
        arn = moto_function("store-reading")
        rule(client, "to_lambda", "SELECT * FROM 'meters/+'", {"lambda": {"functionArn": arn}})

        publish("meters/m1", {"kwh": 12})

        [run] = iot_certs.rule_runs("to_lambda")
        assert run.outcomes[0].ok and run.outcomes[0].delivered


def test_a_lambda_action_to_a_function_moto_does_not_hold_fails(
    iot_certs: IotCerts, client: Any
) -> None:
    with mock_aws():
        missing = "arn:aws:lambda:us-east-1:123456789012:function:missing"
        rule(
            client,
            "to_nothing",
            "SELECT * FROM 'meters/+'",
            {"lambda": {"functionArn": missing}},
            errorAction={"republish": {"topic": "errors", "roleArn": ROLE}},
        )

        publish("meters/m1", {"kwh": 12})

        [failed] = iot_certs.rule_runs("to_nothing")
        assert not failed.outcomes[0].ok  # AWS IoT cannot invoke a function that is not there
        error = iot_certs.assert_published("errors").json()
        assert error["failures"][0]["failedResource"] == missing
