"""AWS IoT Core's documented MQTT limits, at the endpoint and over HTTP: a client id of at most
128 bytes, topics of at most 256 bytes and seven slashes (a basic ingest topic's first three not
counted), payloads of at most 128 KB, at most 50 subscriptions per connection."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from devices import PahoDevice, files_for

from pytest_iotcerts import IotCerts

EIGHT_SLASHES = "a/b/c/d/e/f/g/h/i"


@pytest.fixture
def device(iot_certs: IotCerts, tmp_path: Path) -> Iterator[Any]:
    made: list[PahoDevice] = []

    def make(client_id: str) -> PahoDevice:
        certificate = iot_certs.issue_certificate()
        made.append(
            PahoDevice(iot_certs, files_for(iot_certs, certificate, tmp_path / "d"), client_id)
        )
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_a_client_id_over_128_bytes_is_refused(iot_certs: IotCerts, device: Any) -> None:
    assert not device("c" * 129).connect()
    assert "128 bytes" in iot_certs.mqtt.refusals[-1].reason
    assert device("c" * 128).connect()


@pytest.mark.parametrize(
    "topic, payload",
    [(EIGHT_SLASHES, b"{}"), ("t" * 257, b"{}"), ("big", b"x" * (128 * 1024 + 1))],
    ids=["eight slashes", "257 bytes", "payload over 128 KB"],
)
def test_a_publish_past_the_limits_disconnects_the_device(
    iot_certs: IotCerts, device: Any, topic: str, payload: bytes
) -> None:
    sender = device("sender")
    assert sender.connect()

    sender.client.publish(topic, payload, qos=1)

    assert sender.disconnected.wait(10)
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sender", 10)
    assert event.json()["disconnectReason"] == "CLIENT_ERROR"
    assert all(m.topic != topic for m in iot_certs.mqtt.messages)


def test_a_subscription_past_the_limits_is_refused_in_the_suback(device: Any) -> None:
    listener = device("listener")
    assert listener.connect()

    assert not listener.subscribe(EIGHT_SLASHES)
    assert listener.subscribe("a/b/c/d/e/f/g/+")


def test_basic_ingest_does_not_count_its_first_three_slashes(
    iot_certs: IotCerts, device: Any, client: Any
) -> None:
    client.create_topic_rule(
        ruleName="ingest",
        topicRulePayload={"sql": "SELECT * FROM 'a/#'", "actions": []},
    )
    sender = device("sender")
    assert sender.connect()

    sender.publish("$aws/rules/ingest/a/b/c/d/e/f/g/h", b'{"x": 1}')

    deadline = time.monotonic() + 10  # the broker acknowledges before the rule has run
    while not iot_certs.rule_runs("ingest") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [run.topic for run in iot_certs.rule_runs("ingest")] == ["a/b/c/d/e/f/g/h"]


def test_iot_data_publish_past_the_limits_is_an_invalid_request(iot_certs: IotCerts) -> None:
    data = boto3.client("iot-data")
    with pytest.raises(data.exceptions.InvalidRequestException, match="slashes"):
        data.publish(topic=EIGHT_SLASHES, payload=b"{}")
    with pytest.raises(data.exceptions.InvalidRequestException, match="128 KB"):
        data.publish(topic="big", payload=b"x" * (128 * 1024 + 1))
    assert iot_certs.messages == []


def test_a_connection_holds_at_most_50_subscriptions(device: Any) -> None:
    sensor = device("many")
    assert sensor.connect()
    assert all(sensor.subscribe(f"filters/{n}") for n in range(50))

    assert not sensor.subscribe("filters/50")  # refused in the SUBACK (0x80)
    assert sensor.subscribe("filters/7")  # one it holds already is not a new one
