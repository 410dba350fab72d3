"""Shadows over MQTT, as devices use them: the reserved topics answered with AWS's documents, the
same store as HTTP in both directions, and the reply topics devices may not publish on. Tested with
paho and with the AWS IoT Device SDK's shadow client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import boto3
import pytest
from awscrt import mqtt
from awsiot import iotshadow
from devices import PahoDevice, files_for, sdk_connection

from pytest_iotcerts import IotCerts

SHADOW = "$aws/things/lamp/shadow"


@pytest.fixture
def device(iot_certs: IotCerts, tmp_path: Path) -> Iterator[Any]:
    made: list[PahoDevice] = []

    def connect(client_id: str) -> PahoDevice:
        certificate = iot_certs.issue_certificate()
        paho_device = PahoDevice(
            iot_certs, files_for(iot_certs, certificate, tmp_path / client_id), client_id
        )
        made.append(paho_device)
        assert paho_device.connect(), iot_certs.mqtt.refusals
        return paho_device

    yield connect
    for each in made:
        each.close()


def payload_of(message: Any) -> Any:
    return json.loads(message.payload)


def test_a_device_reports_and_the_back_end_reads_it_over_http(
    iot_certs: IotCerts, device: Any
) -> None:
    lamp, app = device("lamp"), device("app")
    app.subscribe(f"{SHADOW}/update/accepted")
    app.subscribe(f"{SHADOW}/update/documents")
    lamp.subscribe(f"{SHADOW}/update/accepted")

    lamp.publish(f"{SHADOW}/update", b'{"state":{"reported":{"on":true}},"clientToken":"c1"}')

    accepted = payload_of(lamp.next_message())  # every subscriber gets the answer
    assert accepted["state"] == {"reported": {"on": True}}
    assert accepted["clientToken"] == "c1"
    assert payload_of(app.next_message())["version"] == 1
    documents = payload_of(app.next_message())
    assert documents["previous"] is None
    assert documents["current"]["state"] == {"reported": {"on": True}}
    data = boto3.client("iot-data")
    shadow = json.loads(data.get_thing_shadow(thingName="lamp")["payload"].read())
    assert shadow["state"]["reported"] == {"on": True}


def test_a_desired_change_over_http_reaches_the_device_as_a_delta(
    iot_certs: IotCerts, device: Any
) -> None:
    lamp = device("lamp")
    lamp.subscribe(f"{SHADOW}/update/delta")
    iot_certs.set_shadow("lamp", reported={"color": "red", "on": True})

    boto3.client("iot-data").update_thing_shadow(
        thingName="lamp", payload=b'{"state":{"desired":{"color":"blue","on":true}}}'
    )

    delta = payload_of(lamp.next_message())
    assert delta["state"] == {"color": "blue"}  # "on" is as reported: no delta for it
    assert delta["version"] == 2
    assert set(delta["metadata"]) == {"color"}


def test_get_over_mqtt_is_accepted_or_rejected_with_awss_codes(
    iot_certs: IotCerts, device: Any
) -> None:
    lamp = device("lamp")
    lamp.subscribe(f"{SHADOW}/get/+")
    lamp.subscribe(f"{SHADOW}/name/config/get/+")

    lamp.publish(f"{SHADOW}/name/config/get", b'{"clientToken":"c2"}')
    rejected = lamp.next_message()
    assert rejected.topic == f"{SHADOW}/name/config/get/rejected"
    assert payload_of(rejected)["code"] == 404
    assert payload_of(rejected)["message"] == "No shadow exists with name: 'config'"
    assert payload_of(rejected)["clientToken"] == "c2"

    iot_certs.set_shadow("lamp", desired={"on": True})
    lamp.publish(f"{SHADOW}/get", b"")
    accepted = lamp.next_message()
    assert accepted.topic == f"{SHADOW}/get/accepted"
    assert payload_of(accepted)["state"]["delta"] == {"on": True}


def test_a_bad_update_is_rejected_and_changes_nothing(iot_certs: IotCerts, device: Any) -> None:
    lamp = device("lamp")
    lamp.subscribe(f"{SHADOW}/update/rejected")
    iot_certs.set_shadow("lamp", reported={"on": True})

    lamp.publish(f"{SHADOW}/update", b'{"state":{"reported":{"on":false}},"version":9}')

    rejected = payload_of(lamp.next_message())
    assert (rejected["code"], rejected["message"]) == (409, "Version conflict")
    assert iot_certs.shadow("lamp")["state"]["reported"] == {"on": True}  # type: ignore[index]


def test_delete_over_mqtt(iot_certs: IotCerts, device: Any) -> None:
    lamp = device("lamp")
    lamp.subscribe(f"{SHADOW}/delete/accepted")
    iot_certs.set_shadow("lamp", reported={"on": True})

    lamp.publish(f"{SHADOW}/delete", b"{}")

    assert payload_of(lamp.next_message())["version"] == 1
    assert iot_certs.shadow("lamp") is None


@pytest.mark.parametrize(
    "topic",
    [
        f"{SHADOW}/update/accepted",
        f"{SHADOW}/update/delta",
        "$aws/certificates/create/json/accepted",
        "$aws/provisioning-templates/fleet/provision/json/accepted",
        "$aws/events/presence/connected/app",
    ],
)
def test_a_device_publishing_a_forged_reply_is_disconnected_and_nobody_gets_it(
    iot_certs: IotCerts, device: Any, topic: str
) -> None:
    forger, victim = device("forger"), device("victim")
    victim.subscribe(topic)

    forger.client.publish(topic, b'{"privateKey": "forged"}', qos=1)

    assert forger.disconnected.wait(10)
    assert all(m.topic != topic or m.sender is None for m in iot_certs.mqtt.messages)
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/forger", 10)
    assert event.json()["disconnectReason"] == "FORBIDDEN_ACCESS"
    assert victim.messages.empty()


def test_retained_messages_are_one_store_for_http_and_mqtt(
    iot_certs: IotCerts, device: Any
) -> None:
    data = boto3.client("iot-data")
    data.publish(topic="config/lamp", payload=b'{"interval": 60}', retain=True, qos=1)
    sensor = device("sensor")
    sensor.client.publish("status/sensor", b"online", qos=1, retain=True).wait_for_publish(10)

    lamp = device("lamp")
    lamp.subscribe("config/lamp")
    assert lamp.next_message().payload == b'{"interval": 60}'  # a new subscriber gets it
    iot_certs.assert_published("status/sensor", b"online")
    assert data.get_retained_message(topic="status/sensor")["payload"] == b"online"


def test_delete_connection_closes_the_client(iot_certs: IotCerts, device: Any) -> None:
    lamp = device("lamp")

    boto3.client("iot-data").delete_connection(clientId="lamp")

    assert lamp.disconnected.wait(10)
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/lamp", 10)
    assert event.json()["disconnectReason"] == "API_INITIATED_DISCONNECT"


def test_a_message_published_over_http_reaches_mqtt_subscribers(
    iot_certs: IotCerts, device: Any
) -> None:
    lamp = device("lamp")
    lamp.subscribe("commands/lamp")

    boto3.client("iot-data").publish(topic="commands/lamp", payload=b"blink", qos=1)

    assert lamp.next_message().payload == b"blink"


# -- the AWS IoT Device SDK's shadow client ---------------------------------------------------


class ShadowClient:
    """awsiotsdk's ``IotShadowClient``, each answer a future."""

    def __init__(self, connection: mqtt.Connection, thing: str) -> None:
        self.client = iotshadow.IotShadowClient(connection)
        self.thing = thing
        self.answer: Future[Any] = Future()
        self.deltas: Future[Any] = Future()
        update = iotshadow.UpdateShadowSubscriptionRequest(thing_name=thing)
        get = iotshadow.GetShadowSubscriptionRequest(thing_name=thing)
        delta = iotshadow.ShadowDeltaUpdatedSubscriptionRequest(thing_name=thing)
        qos = mqtt.QoS.AT_LEAST_ONCE
        for subscribed, _ in (
            self.client.subscribe_to_update_shadow_accepted(update, qos, self._answered),
            self.client.subscribe_to_update_shadow_rejected(update, qos, self._answered),
            self.client.subscribe_to_get_shadow_accepted(get, qos, self._answered),
            self.client.subscribe_to_get_shadow_rejected(get, qos, self._answered),
            self.client.subscribe_to_shadow_delta_updated_events(delta, qos, self._delta),
        ):
            subscribed.result(10)

    def _answered(self, answer: Any) -> None:
        if not self.answer.done():
            self.answer.set_result(answer)

    def _delta(self, event: Any) -> None:
        if not self.deltas.done():
            self.deltas.set_result(event)

    def report(self, reported: dict[str, Any]) -> Any:
        self.answer = Future()
        request = iotshadow.UpdateShadowRequest(
            thing_name=self.thing,
            state=iotshadow.ShadowState(reported=reported),
            client_token="sdk-1",
        )
        self.client.publish_update_shadow(request, mqtt.QoS.AT_LEAST_ONCE).result(10)
        return self.answer.result(10)

    def get(self) -> Any:
        self.answer = Future()
        request = iotshadow.GetShadowRequest(thing_name=self.thing, client_token="sdk-2")
        self.client.publish_get_shadow(request, mqtt.QoS.AT_LEAST_ONCE).result(10)
        return self.answer.result(10)


@pytest.fixture
def sdk_shadow(iot_certs: IotCerts, tmp_path: Path) -> Iterator[ShadowClient]:
    certificate = iot_certs.issue_certificate()
    connection = sdk_connection(iot_certs, files_for(iot_certs, certificate, tmp_path), "lamp")
    connection.connect().result(10)
    yield ShadowClient(connection, "lamp")
    connection.disconnect().result(10)


def test_the_device_sdk_reports_gets_and_is_told_of_a_delta(
    iot_certs: IotCerts, sdk_shadow: ShadowClient
) -> None:
    accepted = sdk_shadow.report({"on": False})
    assert isinstance(accepted, iotshadow.UpdateShadowResponse)
    assert accepted.state.reported == {"on": False}
    assert accepted.client_token == "sdk-1"

    boto3.client("iot-data").update_thing_shadow(
        thingName="lamp", payload=b'{"state":{"desired":{"on":true}}}'
    )
    delta = sdk_shadow.deltas.result(10)
    assert delta.state == {"on": True}

    document = sdk_shadow.get()
    assert isinstance(document, iotshadow.GetShadowResponse)
    assert document.state.delta == {"on": True}
    assert document.version == 2
