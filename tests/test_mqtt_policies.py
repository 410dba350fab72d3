"""Policies at the MQTT endpoint (the ``mqtt_policies`` setting): iot:Connect, iot:Publish,
iot:Subscribe and iot:Receive, with AWS IoT's policy variables; and the policy engine itself."""

from __future__ import annotations

import json
import queue
from pathlib import Path
from typing import Any

import pytest
from devices import PahoDevice, files_for

from pytest_iotcerts import Certificate, IotCerts
from pytest_iotcerts._engines.policies import Request, allowed

PREFIX = "arn:aws:iot:us-east-1:123456789012"
THING_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "iot:Connect",
            "Resource": f"{PREFIX}:client/${{iot:Connection.Thing.ThingName}}",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Publish",
            "Resource": f"{PREFIX}:topic/sensors/${{iot:ClientId}}/*",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Subscribe",
            "Resource": f"{PREFIX}:topicfilter/commands/${{iot:ClientId}}",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Receive",
            "Resource": f"{PREFIX}:topic/commands/${{iot:ClientId}}",
        },
    ],
}
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}],
}


@pytest.fixture
def iot_certs(iot_certs: IotCerts) -> IotCerts:
    iot_certs.mqtt_policies = True
    return iot_certs


def device_with(
    iot_certs: IotCerts, tmp_path: Path, thing: str, policy: dict[str, Any] | None
) -> tuple[Certificate, tuple[Path, Path]]:
    certificate = iot_certs.issue_certificate()
    iot_certs.create_thing(thing, principals=[certificate])
    if policy is not None:
        iot_certs.create_policy(
            f"{thing}-policy", document=json.dumps(policy), targets=[certificate]
        )
    return certificate, files_for(iot_certs, certificate, tmp_path / thing)


def test_the_setting_is_off_by_default(tmp_path: Path) -> None:
    from pytest_iotcerts import mock_iot

    with mock_iot() as iot:
        pair = files_for(iot, iot.issue_certificate(), tmp_path)  # no policy at all
        device = PahoDevice(iot, pair, "anyone")
        assert device.connect()
        device.close()


def test_a_certificate_without_policies_cannot_connect(iot_certs: IotCerts, tmp_path: Path) -> None:
    _, pair = device_with(iot_certs, tmp_path, "sensor-1", None)

    assert not PahoDevice(iot_certs, pair, "sensor-1").connect()

    assert "iot:Connect" in iot_certs.mqtt.refusals[-1].reason


def test_connect_with_the_thing_name_as_client_id_only(iot_certs: IotCerts, tmp_path: Path) -> None:
    _, pair = device_with(iot_certs, tmp_path, "sensor-1", THING_POLICY)

    assert not PahoDevice(iot_certs, pair, "someone-else").connect()
    device = PahoDevice(iot_certs, pair, "sensor-1")
    assert device.connect()
    device.close()


def test_publishing_outside_the_policy_disconnects(iot_certs: IotCerts, tmp_path: Path) -> None:
    _, pair = device_with(iot_certs, tmp_path, "sensor-1", THING_POLICY)
    device = PahoDevice(iot_certs, pair, "sensor-1")
    assert device.connect()

    device.publish("sensors/sensor-1/temperature", b"21")
    assert iot_certs.mqtt.wait_for_message("sensors/sensor-1/temperature")
    device.client.publish("sensors/sensor-2/temperature", b"22", qos=1)

    assert device.disconnected.wait(5)
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sensor-1").json()
    assert event["disconnectReason"] == "FORBIDDEN_ACCESS"
    assert iot_certs.mqtt.messages_on("sensors/sensor-2/#") == []
    device.close()


def test_subscribe_and_receive_as_the_policy_says(iot_certs: IotCerts, tmp_path: Path) -> None:
    _, pair = device_with(iot_certs, tmp_path, "sensor-1", THING_POLICY)
    device = PahoDevice(iot_certs, pair, "sensor-1")
    assert device.connect()

    assert not device.subscribe("commands/sensor-2")
    assert device.subscribe("commands/sensor-1")
    iot_certs.mqtt.publish("commands/sensor-1", b"reboot")

    assert device.next_message().payload == b"reboot"
    device.close()


def test_receive_denied_means_not_delivered(iot_certs: IotCerts, tmp_path: Path) -> None:
    no_receive = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iot:Connect", "iot:Subscribe"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iot:Receive", "Resource": f"{PREFIX}:topic/ok"},
        ],
    }
    _, pair = device_with(iot_certs, tmp_path, "listener", no_receive)
    device = PahoDevice(iot_certs, pair, "listener")
    assert device.connect()
    assert device.subscribe("#")

    iot_certs.mqtt.publish("secret", b"x")
    iot_certs.mqtt.publish("ok", b"y")

    assert device.next_message().topic == "ok"
    with pytest.raises(queue.Empty):
        device.next_message(timeout=0.2)
    device.close()


def test_an_explicit_deny_wins(iot_certs: IotCerts, tmp_path: Path) -> None:
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            *ALLOW_ALL["Statement"],
            {"Effect": "Deny", "Action": "iot:Connect", "Resource": f"{PREFIX}:client/blocked-*"},
        ],
    }
    _, pair = device_with(iot_certs, tmp_path, "device", deny)

    assert not PahoDevice(iot_certs, pair, "blocked-1").connect()
    allowed_device = PahoDevice(iot_certs, pair, "fine-1")
    assert allowed_device.connect()
    allowed_device.close()


def test_a_policy_on_the_things_group_applies(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    _, pair = device_with(iot_certs, tmp_path, "lamp", None)
    group = client.create_thing_group(thingGroupName="lights")
    client.add_thing_to_thing_group(thingGroupName="lights", thingName="lamp")
    client.create_policy(policyName="lights", policyDocument=json.dumps(ALLOW_ALL))
    client.attach_policy(policyName="lights", target=group["thingGroupArn"])

    device = PahoDevice(iot_certs, pair, "lamp")
    assert device.connect()
    device.close()


# -- the engine --------------------------------------------------------------------------------


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_engine_wildcards_and_case() -> None:
    policy = document({"Effect": "Allow", "Action": "IOT:Pub*", "Resource": "arn:*:topic/a/?/c"})

    assert allowed([policy], Request("iot:Publish", "arn:x:topic/a/b/c"))
    assert not allowed([policy], Request("iot:Publish", "arn:x:topic/a/bb/c"))
    assert not allowed([policy], Request("iot:Subscribe", "arn:x:topic/a/b/c"))


def test_engine_not_action_and_not_resource() -> None:
    policy = document(
        {"Effect": "Allow", "NotAction": "iot:Publish", "NotResource": "arn:x:topic/private"}
    )

    assert allowed([policy], Request("iot:Subscribe", "arn:x:topic/public"))
    assert not allowed([policy], Request("iot:Publish", "arn:x:topic/public"))
    assert not allowed([policy], Request("iot:Subscribe", "arn:x:topic/private"))


def test_engine_unresolved_variables_and_conditions() -> None:
    by_thing = document(
        {
            "Effect": "Allow",
            "Action": "iot:Connect",
            "Resource": "arn:x:client/${iot:Connection.Thing.ThingName}",
            "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
        }
    )
    attached = {"iot:Connection.Thing.ThingName": "t1", "iot:Connection.Thing.IsAttached": "true"}

    assert allowed([by_thing], Request("iot:Connect", "arn:x:client/t1", attached))
    assert not allowed([by_thing], Request("iot:Connect", "arn:x:client/t1", {}))
    unknown_operator = document(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
        }
    )
    assert not allowed([unknown_operator], Request("iot:Connect", "arn:x:client/t1"))
    assert not allowed(["not json"], Request("iot:Connect", "arn:x:client/t1"))
