"""The data plane over HTTP (``iot-data``): device shadows, Publish, retained messages and
DeleteConnection, through boto3 as a back end calls them, with AWS's documented rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_iotcerts import IotCerts


@pytest.fixture
def data(iot_certs: IotCerts) -> Any:
    return boto3.client("iot-data", region_name="us-east-1")


def update(data: Any, document: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = data.update_thing_shadow(payload=json.dumps(document).encode(), **kwargs)
    return json.loads(response["payload"].read())


def get(data: Any, **kwargs: Any) -> dict[str, Any]:
    return json.loads(data.get_thing_shadow(**kwargs)["payload"].read())


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


# -- shadows: the documents ------------------------------------------------------------------


def test_an_update_is_accepted_with_metadata_version_and_client_token(data: Any) -> None:
    accepted = update(
        data,
        {"state": {"desired": {"color": "red", "light": {"on": True}}}, "clientToken": "t-1"},
        thingName="lamp",
    )

    assert accepted["state"] == {"desired": {"color": "red", "light": {"on": True}}}
    stamp = accepted["timestamp"]
    assert accepted["metadata"] == {
        "desired": {"color": {"timestamp": stamp}, "light": {"on": {"timestamp": stamp}}}
    }
    assert accepted["version"] == 1
    assert accepted["clientToken"] == "t-1"


def test_get_shows_desired_reported_and_the_delta_between_them(data: Any) -> None:
    update(data, {"state": {"desired": {"color": "red", "mode": {"a": 1, "b": 2}}}}, thingName="l")
    update(data, {"state": {"reported": {"color": "blue", "mode": {"a": 1}}}}, thingName="l")

    document = get(data, thingName="l")

    assert document["state"] == {
        "desired": {"color": "red", "mode": {"a": 1, "b": 2}},
        "reported": {"color": "blue", "mode": {"a": 1}},
        "delta": {"color": "red", "mode": {"b": 2}},
    }
    assert document["version"] == 2
    assert set(document["metadata"]) == {"desired", "reported"}


def test_reported_in_step_with_desired_leaves_no_delta(data: Any) -> None:
    update(data, {"state": {"desired": {"color": "red"}}}, thingName="l")
    update(data, {"state": {"reported": {"color": "red", "extra": 1}}}, thingName="l")

    assert "delta" not in get(data, thingName="l")["state"]


def test_null_removes_a_key_and_a_whole_section(data: Any) -> None:
    update(data, {"state": {"desired": {"a": 1, "b": 2}, "reported": {"a": 0}}}, thingName="l")

    update(data, {"state": {"desired": {"b": None}}}, thingName="l")
    assert get(data, thingName="l")["state"]["desired"] == {"a": 1}

    update(data, {"state": {"desired": None}}, thingName="l")
    document = get(data, thingName="l")
    assert document["state"] == {"reported": {"a": 0}}  # no desired, so no delta either
    assert "desired" not in document["metadata"]


def test_arrays_are_replaced_whole_with_metadata_per_element(data: Any) -> None:
    update(data, {"state": {"desired": {"colors": ["red", "green"]}}}, thingName="l")
    accepted = update(data, {"state": {"desired": {"colors": ["blue"]}}}, thingName="l")

    document = get(data, thingName="l")
    assert document["state"]["desired"] == {"colors": ["blue"]}
    assert document["metadata"]["desired"]["colors"] == [{"timestamp": accepted["timestamp"]}]


def test_a_stale_version_is_a_conflict_and_changes_nothing(data: Any) -> None:
    update(data, {"state": {"desired": {"a": 1}}}, thingName="l")

    with pytest.raises(data.exceptions.ConflictException) as raised:
        update(data, {"state": {"desired": {"a": 2}}, "version": 7}, thingName="l")

    assert error_of(raised) == ("ConflictException", 409, "Version conflict")
    assert get(data, thingName="l")["state"]["desired"] == {"a": 1}
    update(data, {"state": {"desired": {"a": 3}}, "version": 1}, thingName="l")  # current: ok


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "Invalid JSON"),
        (b'{"version": 1}', "Missing required node: state"),
        (b'{"state": []}', "State node must be an object"),
        (b'{"state": {"desired": 5}}', "Desired node must be an object"),
        (b'{"state": {"reported": "x"}}', "Reported node must be an object"),
        (b'{"state": {"delta": {}}}', "State contains an invalid node"),
        (b'{"state": {"desired": {}}, "version": "1"}', "Invalid version"),
        (json.dumps({"state": {}, "clientToken": "x" * 65}).encode(), "Invalid clientToken"),
        (
            json.dumps({"state": {"desired": {"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}}}),
            "JSON contains too many levels of nesting; maximum is 6",
        ),
    ],
)
def test_bad_documents_are_400_with_awss_messages(
    data: Any, iot_certs: IotCerts, payload: bytes | str, message: str
) -> None:
    with pytest.raises(data.exceptions.InvalidRequestException) as raised:
        data.update_thing_shadow(thingName="l", payload=payload)

    assert error_of(raised) == ("InvalidRequestException", 400, message)
    assert iot_certs.shadow("l") is None


def test_six_levels_of_nesting_are_accepted(data: Any) -> None:
    six = {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}
    assert update(data, {"state": {"reported": six}}, thingName="l")["version"] == 1


def test_a_document_past_8_kb_is_too_large(data: Any, iot_certs: IotCerts) -> None:
    update(data, {"state": {"reported": {"a": "x" * 5000}}}, thingName="l")

    with pytest.raises(data.exceptions.RequestEntityTooLargeException) as raised:
        update(data, {"state": {"reported": {"b": "y" * 4000}}}, thingName="l")  # merged: > 8 KB

    assert error_of(raised)[:2] == ("RequestEntityTooLargeException", 413)
    assert iot_certs.shadow("l")["version"] == 1  # type: ignore[index]


def test_text_that_is_not_utf8_is_an_unsupported_encoding(data: Any) -> None:
    with pytest.raises(data.exceptions.UnsupportedDocumentEncodingException) as raised:
        data.update_thing_shadow(thingName="l", payload=b'{"state": {"reported": {"a": "\xff"}}}')

    assert error_of(raised)[1] == 415


# -- shadows: existence, deletion, names ------------------------------------------------------


def test_a_shadow_that_does_not_exist_is_not_found(data: Any) -> None:
    with pytest.raises(data.exceptions.ResourceNotFoundException) as raised:
        get(data, thingName="nothing")
    assert error_of(raised) == (
        "ResourceNotFoundException",
        404,
        "No shadow exists with name: 'Unnamed Shadow'",
    )
    with pytest.raises(data.exceptions.ResourceNotFoundException) as raised:
        data.delete_thing_shadow(thingName="nothing", shadowName="config")
    assert error_of(raised)[2] == "No shadow exists with name: 'config'"


def test_a_thing_need_not_be_registered_to_have_a_shadow(data: Any, iot_certs: IotCerts) -> None:
    update(data, {"state": {"reported": {"up": True}}}, thingName="not-in-the-registry")

    assert iot_certs.things == []
    assert get(data, thingName="not-in-the-registry")["state"]["reported"] == {"up": True}


def test_delete_answers_the_version_and_a_new_shadow_counts_on_for_48_hours(
    data: Any, iot_certs: IotCerts
) -> None:
    update(data, {"state": {"reported": {"a": 1}}}, thingName="l")
    update(data, {"state": {"reported": {"a": 2}}}, thingName="l")

    deleted = json.loads(data.delete_thing_shadow(thingName="l")["payload"].read())
    assert deleted["version"] == 2
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        get(data, thingName="l")
    assert update(data, {"state": {"reported": {"a": 3}}}, thingName="l")["version"] == 3

    data.delete_thing_shadow(thingName="l")
    iot_certs.clock.advance(48 * 3600 + 1)
    assert update(data, {"state": {"reported": {"a": 4}}}, thingName="l")["version"] == 1


def test_named_shadows_are_their_own_documents_and_are_listed(data: Any) -> None:
    update(data, {"state": {"reported": {"classic": 1}}}, thingName="l")
    for name in ("firmware", "config", "battery"):
        update(data, {"state": {"reported": {name: 1}}}, thingName="l", shadowName=name)

    assert get(data, thingName="l", shadowName="config")["state"] == {"reported": {"config": 1}}
    assert get(data, thingName="l")["state"] == {"reported": {"classic": 1}}
    first = data.list_named_shadows_for_thing(thingName="l", pageSize=2)
    rest = data.list_named_shadows_for_thing(thingName="l", nextToken=first["nextToken"])
    assert first["results"] + rest["results"] == ["battery", "config", "firmware"]
    assert "nextToken" not in rest


# -- Publish and retained messages ------------------------------------------------------------


def test_publish_is_recorded_with_its_mqtt5_properties(data: Any, iot_certs: IotCerts) -> None:
    data.publish(
        topic="fleet/alerts",
        qos=1,
        payload=b'{"level": "high"}',
        contentType="application/json",
        responseTopic="fleet/replies",
        userProperties=json.dumps([{"source": "backend"}]),
    )

    message = iot_certs.assert_published("fleet/+", {"level": "high"})
    assert (message.via, message.sender, message.qos) == ("http", None, 1)
    assert message.properties["contentType"] == "application/json"
    assert message.properties["responseTopic"] == "fleet/replies"
    assert message.properties["userProperties"] == [{"source": "backend"}]


def test_a_retained_message_is_kept_listed_and_cleared_by_an_empty_one(data: Any) -> None:
    data.publish(topic="config/a", payload=b"one", retain=True, qos=1)
    data.publish(topic="config/b", payload=b"two", retain=True)

    kept = data.get_retained_message(topic="config/a")
    assert (kept["topic"], kept["payload"], kept["qos"]) == ("config/a", b"one", 1)
    assert kept["lastModifiedTime"] > 1_600_000_000_000  # epoch milliseconds
    first = data.list_retained_messages(maxResults=1)
    rest = data.list_retained_messages(nextToken=first["nextToken"])
    topics = first["retainedTopics"] + rest["retainedTopics"]
    assert [(t["topic"], t["payloadSize"]) for t in topics] == [("config/a", 3), ("config/b", 3)]

    data.publish(topic="config/a", payload=b"", retain=True)
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_retained_message(topic="config/a")


def test_a_retained_messages_user_properties_come_back(data: Any) -> None:
    data.publish(topic="t", payload=b"x", retain=True, userProperties='[{"a": "1"}]')

    assert json.loads(data.get_retained_message(topic="t")["userProperties"]) == [{"a": "1"}]


def test_publishing_on_a_shadow_topic_is_a_shadow_update(data: Any, iot_certs: IotCerts) -> None:
    data.publish(topic="$aws/things/l/shadow/update", payload=b'{"state":{"desired":{"on":1}}}')

    assert iot_certs.shadow("l")["state"]["desired"] == {"on": 1}  # type: ignore[index]
    assert iot_certs.assert_published("$aws/things/l/shadow/update/accepted").via == "aws"


@pytest.mark.parametrize(
    "topic",
    [
        "$aws/things/l/shadow/update/accepted",
        "$aws/things/l/shadow/update/delta",
        "$aws/certificates/create/json/accepted",
        "$aws/events/presence/connected/l",
    ],
)
def test_clients_may_not_publish_on_topics_aws_iot_answers_on(
    data: Any, iot_certs: IotCerts, topic: str
) -> None:
    with pytest.raises(data.exceptions.UnauthorizedException):
        data.publish(topic=topic, payload=b"{}")
    assert iot_certs.messages == []


@pytest.mark.parametrize("topic", ["a/+/b", "a/#"])
def test_a_topic_filter_is_not_a_topic_to_publish_on(data: Any, topic: str) -> None:
    with pytest.raises(data.exceptions.InvalidRequestException):
        data.publish(topic=topic, payload=b"x")


def test_delete_connection_of_a_client_not_connected_is_not_found(data: Any) -> None:
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.delete_connection(clientId="nobody")


# -- every door, nothing escapes --------------------------------------------------------------


def test_the_address_describe_endpoint_hands_out_is_answered_in_process(
    iot_certs: IotCerts,
) -> None:
    address = boto3.client("iot").describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
    data = boto3.client("iot-data", endpoint_url=f"https://{address}")

    data.publish(topic="hello", payload=b"world")

    assert iot_certs.assert_published("hello", b"world")
    assert iot_certs.calls[-1].service == "iot-data"


def test_faults_and_retries_reach_the_data_plane(iot_certs: IotCerts) -> None:
    iot_certs.throttle("UpdateThingShadow", times=2)
    data = boto3.client("iot-data", config=Config(retries={"mode": "standard"}))

    response = data.update_thing_shadow(thingName="l", payload=b'{"state":{"reported":{}}}')

    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [c.error_code for c in iot_certs.calls] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]


def test_requests_code_is_answered_by_mock_requests(iot_certs: IotCerts) -> None:
    import requests
    from requests_aws4auth import AWS4Auth

    iot_certs.set_shadow("lamp", reported={"on": True})
    auth = AWS4Auth("AKIDEXAMPLE", "secret", "us-east-1", "iotdata")
    with iot_certs.mock_requests():
        answer = requests.get(
            "https://data-ats.iot.us-east-1.amazonaws.com/things/lamp/shadow", auth=auth, timeout=5
        )

    assert answer.status_code == 200
    assert answer.json()["state"]["reported"] == {"on": True}


@pytest.mark.asyncio
async def test_aiobotocore_reads_the_same_shadows(iot_certs: IotCerts) -> None:
    import aiobotocore.session

    iot_certs.set_shadow("lamp", desired={"on": True})
    session = aiobotocore.session.get_session()
    async with session.create_client("iot-data", region_name="us-east-1") as data:
        response = await data.get_thing_shadow(thingName="lamp")
        document = json.loads(await response["payload"].read())

    assert document["state"]["delta"] == {"on": True}


def test_the_aws_cli_updates_and_reads_a_shadow(iot_certs: IotCerts, tmp_path: Any) -> None:
    env = iot_certs.subprocess_env()
    out = tmp_path / "out.json"
    command = [sys.executable, "-m", "awscli", "iot-data"]
    subprocess.run(
        [
            *command,
            "update-thing-shadow",
            "--thing-name",
            "lamp",
            "--payload",
            '{"state":{"reported":{"on":true}}}',
            str(out),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert json.loads(out.read_text())["version"] == 1
    subprocess.run(
        [*command, "get-thing-shadow", "--thing-name", "lamp", str(out)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert json.loads(out.read_text())["state"]["reported"] == {"on": True}
    assert "AWS_ENDPOINT_URL_IOT_DATA_PLANE" in env
    assert os.environ.get("AWS_ENDPOINT_URL_IOT_DATA_PLANE") is None


def test_an_iot_service_not_emulated_is_refused_in_process(iot_certs: IotCerts) -> None:
    tunnels = boto3.client("iotsecuretunneling")

    with pytest.raises(ClientError) as raised:
        tunnels.list_tunnels()

    code, status, message = error_of(raised)
    assert (code, status) == ("NotImplementedException", 501)
    assert "'iotsecuretunneling'" in message


def test_moto_answers_the_iot_services_we_do_not_emulate(iot_certs: IotCerts) -> None:
    from moto import mock_aws

    with mock_aws():
        groups = boto3.client("greengrass").list_groups()["Groups"]
        boto3.client("iot").create_thing(thingName="ours")

    assert groups == []
    assert [thing.name for thing in iot_certs.things] == ["ours"]


# -- the controller -----------------------------------------------------------------------------


def test_seeded_shadows_and_retained_messages_are_what_clients_read(
    iot_certs: IotCerts, data: Any
) -> None:
    iot_certs.set_shadow("lamp", desired={"on": True}, reported={"on": False})
    iot_certs.set_shadow("lamp", shadow_name="config", reported={"interval": 60})
    iot_certs.retain("lamp/config", {"interval": 60}, qos=1)

    assert get(data, thingName="lamp")["state"]["delta"] == {"on": True}
    assert iot_certs.shadow("lamp", "config")["state"] == {"reported": {"interval": 60}}  # type: ignore[index]
    assert [m.topic for m in iot_certs.retained_messages()] == ["lamp/config"]
    assert iot_certs.retained_messages()[0].json() == {"interval": 60}
    assert data.get_retained_message(topic="lamp/config")["qos"] == 1


def test_assert_published_says_what_was_published_instead(iot_certs: IotCerts) -> None:
    iot_certs.retain("a/b", b"x")

    with pytest.raises(
        AssertionError, match=r"no message on 'c/#' was published; published: \[\('a/b'"
    ):
        iot_certs.assert_published("c/#")
