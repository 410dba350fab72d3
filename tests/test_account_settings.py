"""Account settings that deployment code sets: event configurations, and logging (v1 and v2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pytest_iotcerts import IotCerts

ROLE = "arn:aws:iam::123456789012:role/IoTLogging"


def test_every_event_type_of_the_model_is_described_and_off(client: Any) -> None:
    described = client.describe_event_configurations()

    model_types = client.meta.service_model.shape_for("EventType").enum
    assert sorted(described["eventConfigurations"]) == sorted(model_types)
    assert not any(c["Enabled"] for c in described["eventConfigurations"].values())
    assert isinstance(described["creationDate"], dt.datetime)
    assert described["lastModifiedDate"] >= described["creationDate"]


def test_updating_enables_the_types_named_and_moves_the_modified_date(client: Any) -> None:
    before = client.describe_event_configurations()

    client.update_event_configurations(
        eventConfigurations={"THING": {"Enabled": True}, "JOB": {"Enabled": True}}
    )

    after = client.describe_event_configurations()
    enabled = {kind for kind, c in after["eventConfigurations"].items() if c["Enabled"]}
    assert enabled == {"THING", "JOB"}
    assert after["creationDate"] == before["creationDate"]
    assert after["lastModifiedDate"] >= before["lastModifiedDate"]

    client.update_event_configurations(eventConfigurations={"THING": {"Enabled": False}})
    after = client.describe_event_configurations()["eventConfigurations"]
    assert (after["THING"]["Enabled"], after["JOB"]["Enabled"]) == (False, True)


def test_an_unknown_event_type_is_a_validation_error(client: Any) -> None:
    with pytest.raises(client.exceptions.ClientError, match="THINGS"):
        client.update_event_configurations(eventConfigurations={"THINGS": {"Enabled": True}})


def test_event_configurations_are_per_account_and_region(iot_certs: IotCerts, client: Any) -> None:
    import boto3

    client.update_event_configurations(eventConfigurations={"THING": {"Enabled": True}})
    elsewhere = boto3.client("iot", region_name="eu-west-1")

    described = elsewhere.describe_event_configurations()["eventConfigurations"]
    assert described["THING"]["Enabled"] is False


# -- logging, v1 --------------------------------------------------------------------------------


def test_logging_options_v1_round_trip(client: Any) -> None:
    assert "roleArn" not in client.get_logging_options()

    client.set_logging_options(loggingOptionsPayload={"roleArn": ROLE, "logLevel": "INFO"})

    got = client.get_logging_options()
    assert (got["roleArn"], got["logLevel"]) == (ROLE, "INFO")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"logLevel": "INFO"}, "roleArn"),
        ({"roleArn": ROLE, "logLevel": "LOUD"}, "LOUD"),
        ({"roleArn": "not-an-arn"}, "not-an-arn"),
    ],
)
def test_logging_options_v1_are_validated(
    client: Any, payload: dict[str, str], message: str
) -> None:
    with pytest.raises(Exception, match=message):
        client.set_logging_options(loggingOptionsPayload=payload)
    assert "roleArn" not in client.get_logging_options()


# -- logging, v2 --------------------------------------------------------------------------------


def test_v2_logging_is_not_configured_until_set(client: Any) -> None:
    for call in (
        client.get_v2_logging_options,
        client.list_v2_logging_levels,
        lambda: client.set_v2_logging_level(
            logTarget={"targetType": "CLIENT_ID", "targetName": "c"}, logLevel="INFO"
        ),
    ):
        with pytest.raises(client.exceptions.NotConfiguredException):
            call()


def test_v2_logging_options_round_trip(client: Any) -> None:
    client.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="WARN")

    got = client.get_v2_logging_options()
    assert (got["roleArn"], got["defaultLogLevel"], got["disableAllLogs"]) == (ROLE, "WARN", False)

    client.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="ERROR", disableAllLogs=True)
    got = client.get_v2_logging_options()
    assert (got["defaultLogLevel"], got["disableAllLogs"]) == ("ERROR", True)


def test_v2_logging_levels_by_target(client: Any) -> None:
    client.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="ERROR")
    client.create_thing_group(thingGroupName="fleet-a")

    client.set_v2_logging_level(
        logTarget={"targetType": "THING_GROUP", "targetName": "fleet-a"}, logLevel="DEBUG"
    )
    client.set_v2_logging_level(
        logTarget={"targetType": "CLIENT_ID", "targetName": "sensor-1"}, logLevel="INFO"
    )
    client.set_v2_logging_level(
        logTarget={"targetType": "CLIENT_ID", "targetName": "sensor-1"}, logLevel="WARN"
    )

    listed = client.list_v2_logging_levels()["logTargetConfigurations"]
    assert listed == [
        {"logTarget": {"targetType": "DEFAULT"}, "logLevel": "ERROR"},
        {"logTarget": {"targetType": "THING_GROUP", "targetName": "fleet-a"}, "logLevel": "DEBUG"},
        {"logTarget": {"targetType": "CLIENT_ID", "targetName": "sensor-1"}, "logLevel": "WARN"},
    ]
    only_clients = client.list_v2_logging_levels(targetType="CLIENT_ID")
    assert [c["logTarget"]["targetName"] for c in only_clients["logTargetConfigurations"]] == [
        "sensor-1"
    ]

    client.delete_v2_logging_level(targetType="CLIENT_ID", targetName="sensor-1")
    listed = client.list_v2_logging_levels()["logTargetConfigurations"]
    assert [c["logTarget"]["targetType"] for c in listed] == ["DEFAULT", "THING_GROUP"]


def test_v2_logging_levels_page(client: Any) -> None:
    client.set_v2_logging_options(roleArn=ROLE)
    for index in range(5):
        client.set_v2_logging_level(
            logTarget={"targetType": "SOURCE_IP", "targetName": f"10.0.0.{index}"},
            logLevel="INFO",
        )

    pages = client.get_paginator("list_v2_logging_levels").paginate(
        PaginationConfig={"PageSize": 2}
    )

    names = [c["logTarget"]["targetName"] for p in pages for c in p["logTargetConfigurations"]]
    assert names == [f"10.0.0.{index}" for index in range(5)]


def test_the_default_target_is_the_default_level(client: Any) -> None:
    client.set_v2_logging_options(roleArn=ROLE, defaultLogLevel="ERROR")

    client.set_v2_logging_level(logTarget={"targetType": "DEFAULT"}, logLevel="INFO")

    assert client.get_v2_logging_options()["defaultLogLevel"] == "INFO"
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.delete_v2_logging_level(targetType="DEFAULT", targetName="")


@pytest.mark.parametrize(
    ("target", "level", "error"),
    [
        ({"targetType": "THING_GROUP", "targetName": "nowhere"}, "INFO", "nowhere"),
        ({"targetType": "CLIENT_ID"}, "INFO", "targetName"),
        ({"targetType": "CLIENT_ID", "targetName": "c"}, "CHATTY", "CHATTY"),
        ({"targetType": "SHOE_SIZE", "targetName": "c"}, "INFO", "SHOE_SIZE"),
    ],
)
def test_v2_logging_levels_are_validated(
    client: Any, target: dict[str, str], level: str, error: str
) -> None:
    client.set_v2_logging_options(roleArn=ROLE)

    with pytest.raises(Exception, match=error):
        client.set_v2_logging_level(logTarget=target, logLevel=level)
    assert client.list_v2_logging_levels()["logTargetConfigurations"] == []


def test_at_most_1000_log_targets(iot_certs: IotCerts, client: Any) -> None:
    client.set_v2_logging_options(roleArn=ROLE)
    logging = iot_certs.service().logging
    for index in range(1000):
        logging.set_level("CLIENT_ID", f"client-{index}", "INFO")

    with pytest.raises(client.exceptions.LimitExceededException):
        client.set_v2_logging_level(
            logTarget={"targetType": "CLIENT_ID", "targetName": "one-more"}, logLevel="INFO"
        )
    client.set_v2_logging_level(  # changing a target's level is not a new target
        logTarget={"targetType": "CLIENT_ID", "targetName": "client-7"}, logLevel="DEBUG"
    )
