"""MQTT 5 at the endpoint's port: the same devices and APIs as MQTT 3.1.1, AWS IoT's MQTT 5 limits
in the CONNACK, reason codes where 3.1.1 could only hang up, and messages that cross versions.
With paho (``MQTTv5``) and the Device SDK's MQTT 5 client."""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import paho.mqtt.client as paho
import pytest
from awscrt import mqtt5
from devices import PahoDevice, files_for, sdk5_builder, sdk5_client
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from test_mqtt_provisioning import claim as claim  # the claim certificate's fixture

from pytest_iotcerts import IotCerts

QOS1 = mqtt5.QoS.AT_LEAST_ONCE


@pytest.fixture
def pair(iot_certs: IotCerts, tmp_path: Path) -> tuple[Path, Path]:
    return files_for(iot_certs, iot_certs.issue_certificate(), tmp_path)


@pytest.fixture
def five(iot_certs: IotCerts, pair: tuple[Path, Path]) -> Iterator[PahoDevice]:
    device = PahoDevice(iot_certs, pair, "five", protocol=paho.MQTTv5)
    assert device.connect()
    yield device
    device.close()


@pytest.fixture
def three(iot_certs: IotCerts, pair: tuple[Path, Path]) -> Iterator[PahoDevice]:
    device = PahoDevice(iot_certs, pair, "three")
    assert device.connect()
    yield device
    device.close()


def publish_properties(**values: Any) -> Properties:
    properties = Properties(PacketTypes.PUBLISH)
    for name, value in values.items():
        setattr(properties, name, value)
    return properties


# -- connecting ----------------------------------------------------------------------------


def test_the_connack_tells_aws_iots_mqtt_5_limits(iot_certs: IotCerts, five: PahoDevice) -> None:
    told = five.connack_properties

    assert told.MaximumQoS == 1
    assert told.RetainAvailable == 1
    assert told.TopicAliasMaximum == 8
    assert told.ReceiveMaximum == 100
    assert told.MaximumPacketSize == 146 * 1024
    assert told.SubscriptionIdentifierAvailable == 0
    assert told.SharedSubscriptionAvailable == 1
    assert [(c.client_id, c.protocol_version) for c in iot_certs.mqtt.clients] == [("five", 5)]


def test_the_device_sdks_mqtt5_client_connects_and_negotiates(
    iot_certs: IotCerts, pair: tuple[Path, Path]
) -> None:
    client = sdk5_client(iot_certs, pair, "sdk-five", keep_alive_interval_sec=5)
    try:
        settings = client.negotiated
        assert settings.maximum_qos == QOS1
        assert settings.topic_alias_maximum_to_server == 8
        assert settings.server_keep_alive_sec == 30  # AWS IoT holds keep-alives to 30..1200 s
        assert not settings.subscription_identifiers_available
        assert iot_certs.mqtt.wait_for_client("sdk-five").protocol_version == 5
    finally:
        client.stop()


def test_an_empty_client_id_is_assigned_one(iot_certs: IotCerts, pair: tuple[Path, Path]) -> None:
    device = PahoDevice(iot_certs, pair, "", protocol=paho.MQTTv5)
    assert device.connect()

    assigned = device.connack_properties.AssignedClientIdentifier
    assert assigned and iot_certs.mqtt.clients[0].client_id == assigned
    device.close()


def test_a_client_id_past_128_bytes_is_refused_in_the_connack(
    iot_certs: IotCerts, pair: tuple[Path, Path]
) -> None:
    device = PahoDevice(iot_certs, pair, "x" * 129, protocol=paho.MQTTv5)

    assert not device.connect()
    assert device.reason == "Client identifier not valid"
    assert "128 bytes" in iot_certs.mqtt.refusals[-1].reason


def test_iot_connect_denied_is_a_not_authorized_connack(
    iot_certs: IotCerts, tmp_path: Path
) -> None:
    iot_certs.mqtt_policies = True
    pair = files_for(iot_certs, iot_certs.issue_certificate(), tmp_path)  # no policy

    device = PahoDevice(iot_certs, pair, "nobody", protocol=paho.MQTTv5)

    assert not device.connect()
    assert device.reason == "Not authorized"
    assert iot_certs.mqtt.clients == []


def test_the_device_sdks_mqtt5_client_is_told_why_it_is_refused(
    iot_certs: IotCerts, tmp_path: Path
) -> None:
    from concurrent.futures import Future

    iot_certs.mqtt_policies = True
    pair = files_for(iot_certs, iot_certs.issue_certificate(), tmp_path)  # no policy
    failed: Future[Any] = Future()
    client = sdk5_builder(
        iot_certs, pair, "refused", on_lifecycle_connection_failure=failed.set_result
    )
    client.start()
    try:
        data = failed.result(10)  # at once, not after the SDK's CONNACK timeout
    finally:
        client.stop()
    assert data.connack_packet.reason_code == mqtt5.ConnectReasonCode.NOT_AUTHORIZED


# -- messages across versions ----------------------------------------------------------------


def test_messages_cross_between_mqtt_3_and_mqtt_5(five: PahoDevice, three: PahoDevice) -> None:
    assert five.subscribe("plant/#") and three.subscribe("plant/#")

    five.publish("plant/from-five", b"5")
    three.publish("plant/from-three", b"3")

    for device in (five, three):
        got = {m.topic: m.payload for m in (device.next_message(), device.next_message())}
        assert got == {"plant/from-five": b"5", "plant/from-three": b"3"}


def test_mqtt_5_properties_reach_mqtt_5_subscribers_and_the_records(
    iot_certs: IotCerts, five: PahoDevice, three: PahoDevice
) -> None:
    assert five.subscribe("orders/+") and three.subscribe("orders/+")
    properties = publish_properties(
        UserProperty=[("tenant", "acme")],
        ContentType="application/json",
        ResponseTopic="orders/replies",
        CorrelationData=b"\x01\x02",
    )

    five.client.publish("orders/1", b"{}", qos=1, properties=properties).wait_for_publish(5)

    received = five.next_message().properties
    assert received.UserProperty == [("tenant", "acme")]
    assert (received.ContentType, received.ResponseTopic) == ("application/json", "orders/replies")
    assert received.CorrelationData == b"\x01\x02"
    assert three.next_message().payload == b"{}"  # a 3.1.1 subscriber gets the message alone
    recorded = iot_certs.mqtt.messages_on("orders/1")[0]
    assert recorded.properties["userProperties"] == [{"tenant": "acme"}]
    assert recorded.properties["correlationData"] == "AQI="


def test_iot_data_publish_reaches_mqtt_5_subscribers_with_its_properties(
    iot_certs: IotCerts, five: PahoDevice
) -> None:
    assert five.subscribe("alerts/#")
    data = boto3.client("iot-data", region_name="us-east-1")

    data.publish(
        topic="alerts/fire",
        qos=1,
        payload=b"smoke",
        userProperties=json.dumps([{"floor": "3"}]),
        contentType="text/plain",
    )

    message = five.next_message()
    assert (message.topic, message.payload) == ("alerts/fire", b"smoke")
    assert message.properties.UserProperty == [("floor", "3")]
    assert message.properties.ContentType == "text/plain"


def test_a_topic_alias_stands_for_its_topic(iot_certs: IotCerts, five: PahoDevice) -> None:
    assert five.subscribe("telemetry/#")

    five.client.publish("telemetry/t1", b"a", qos=1, properties=publish_properties(TopicAlias=1))
    five.client.publish("", b"b", qos=1, properties=publish_properties(TopicAlias=1))

    assert [five.next_message().topic for _ in range(2)] == ["telemetry/t1", "telemetry/t1"]
    assert [m.payload for m in iot_certs.mqtt.messages_on("telemetry/t1")] == [b"a", b"b"]


def test_qos_2_is_not_supported_and_disconnects(iot_certs: IotCerts, five: PahoDevice) -> None:
    five.client.publish("plant/q2", b"x", qos=2)

    assert five.disconnected.wait(5)
    assert five.disconnect_reason == "QoS not supported"
    assert iot_certs.mqtt.messages_on("plant/q2") == []


def test_retained_messages_and_the_retain_handling_option(
    iot_certs: IotCerts, pair: tuple[Path, Path], three: PahoDevice
) -> None:
    three.client.publish("config/lamp", b"on", qos=1, retain=True).wait_for_publish(5)
    iot_certs.mqtt.wait_for_message("config/lamp")

    late = PahoDevice(iot_certs, pair, "late", protocol=paho.MQTTv5)
    assert late.connect()
    assert late.subscribe("config/+")
    message = late.next_message()
    assert (message.topic, message.payload, message.retain) == ("config/lamp", b"on", True)

    assert late.subscribe("config/#", retainHandling=2)  # "do not send retained messages"
    with pytest.raises(Exception):  # noqa: B017 - queue.Empty
        late.next_message(timeout=0.5)
    late.close()


def retained_for_a_newcomer(iot_certs: IotCerts, pair: tuple[Path, Path], topic: str) -> Any:
    late = PahoDevice(iot_certs, pair, "newcomer", protocol=paho.MQTTv5)
    assert late.connect()
    assert late.subscribe(topic)
    try:
        return late.next_message(timeout=2)
    finally:
        late.close()


def test_a_retained_message_keeps_its_mqtt_5_properties(
    iot_certs: IotCerts, pair: tuple[Path, Path], five: PahoDevice
) -> None:
    properties = publish_properties(
        UserProperty=[("site", "north")], ContentType="text/plain", ResponseTopic="lamp/replies"
    )
    five.client.publish("lamp/state", b"on", qos=1, retain=True, properties=properties)
    iot_certs.mqtt.wait_for_message("lamp/state")

    message = retained_for_a_newcomer(iot_certs, pair, "lamp/+")

    assert (message.payload, message.retain) == (b"on", True)
    assert message.properties.UserProperty == [("site", "north")]
    assert (message.properties.ContentType, message.properties.ResponseTopic) == (
        "text/plain",
        "lamp/replies",
    )
    data = boto3.client("iot-data", region_name="us-east-1")
    kept = data.get_retained_message(topic="lamp/state")
    assert json.loads(kept["userProperties"]) == [{"site": "north"}]


def test_a_retained_publish_over_http_keeps_its_properties_for_mqtt_5_subscribers(
    iot_certs: IotCerts, pair: tuple[Path, Path]
) -> None:
    data = boto3.client("iot-data", region_name="us-east-1")
    data.publish(
        topic="fleet/config",
        qos=1,
        retain=True,
        payload=b"v2",
        userProperties=json.dumps([{"rev": "2"}]),
        contentType="text/plain",
    )

    message = retained_for_a_newcomer(iot_certs, pair, "fleet/#")

    assert (message.payload, message.retain) == (b"v2", True)
    assert message.properties.UserProperty == [("rev", "2")]
    assert message.properties.ContentType == "text/plain"


def test_a_retained_message_from_mqtt_3_replaces_the_properties_too(
    iot_certs: IotCerts, pair: tuple[Path, Path], five: PahoDevice, three: PahoDevice
) -> None:
    properties = publish_properties(UserProperty=[("site", "north")])
    five.client.publish("lamp/state", b"on", qos=1, retain=True, properties=properties)
    iot_certs.mqtt.wait_for_message("lamp/state")
    three.client.publish("lamp/state", b"off", qos=1, retain=True).wait_for_publish(5)
    deadline = time.monotonic() + 5
    while len(iot_certs.mqtt.messages_on("lamp/state")) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)

    message = retained_for_a_newcomer(iot_certs, pair, "lamp/state")

    assert message.payload == b"off"
    assert not hasattr(message.properties, "UserProperty")


def test_a_retained_message_past_its_expiry_is_no_longer_sent(
    iot_certs: IotCerts,
    pair: tuple[Path, Path],
    five: PahoDevice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_iotcerts._doors.mqtt import _properties5

    clock = [1000.0]
    monkeypatch.setattr(_properties5, "time", type("Clock", (), {"monotonic": lambda: clock[0]}))
    for topic, seconds in (("notices/short", 10), ("notices/long", 60)):
        expiring = publish_properties(MessageExpiryInterval=seconds)
        five.client.publish(topic, b"x", qos=1, retain=True, properties=expiring)
        iot_certs.mqtt.wait_for_message(topic)

    clock[0] += 20
    message = retained_for_a_newcomer(iot_certs, pair, "notices/+")

    assert message.topic == "notices/long"
    assert message.properties.MessageExpiryInterval == 40


def test_a_shared_subscription_gives_each_message_to_one_member(
    iot_certs: IotCerts, pair: tuple[Path, Path], three: PahoDevice
) -> None:
    workers = [PahoDevice(iot_certs, pair, f"worker-{n}", protocol=paho.MQTTv5) for n in (1, 2)]
    for worker in workers:
        assert worker.connect()
        assert worker.subscribe("$share/pool/tasks/#")

    for n in range(4):
        three.publish(f"tasks/{n}", str(n).encode())

    got = [[w.next_message().payload for _ in range(2)] for w in workers]
    assert sorted(got[0] + got[1]) == [b"0", b"1", b"2", b"3"]
    for worker in workers:
        worker.close()


def test_a_shared_group_spans_mqtt_3_and_mqtt_5_clients(
    iot_certs: IotCerts, pair: tuple[Path, Path], five: PahoDevice
) -> None:
    """AWS IoT allows shared subscriptions on MQTT 3.1.1 too; a group's members take turns
    whatever their version."""
    members = [
        PahoDevice(iot_certs, pair, "member-3"),
        PahoDevice(iot_certs, pair, "member-5", protocol=paho.MQTTv5),
    ]
    for member in members:
        assert member.connect()
        assert member.subscribe("$share/mixed/jobs/+")

    for n in range(4):
        five.publish(f"jobs/{n}", str(n).encode())

    got = [sorted(m.next_message().payload for _ in range(2)) for m in members]
    assert sorted(got[0] + got[1]) == [b"0", b"1", b"2", b"3"]
    for member in members:
        with pytest.raises(Exception):  # noqa: B017 - queue.Empty: once each, no more
            member.next_message(timeout=0.3)
        member.close()


def test_no_local_keeps_a_clients_own_messages_from_it(five: PahoDevice) -> None:
    assert five.subscribe("chat/#", noLocal=True)

    five.publish("chat/room", b"hi")

    with pytest.raises(Exception):  # noqa: B017 - queue.Empty
        five.next_message(timeout=0.5)


# -- policies and limits ---------------------------------------------------------------------

ONLY_SENSORS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["iot:Publish", "iot:Receive"],
            "Resource": "arn:aws:iot:us-east-1:123456789012:topic/sensors/*",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Subscribe",
            "Resource": "arn:aws:iot:us-east-1:123456789012:topicfilter/sensors/*",
        },
    ],
}


@pytest.fixture
def guarded(iot_certs: IotCerts, tmp_path: Path) -> Iterator[PahoDevice]:
    iot_certs.mqtt_policies = True
    certificate = iot_certs.issue_certificate()
    iot_certs.create_policy("sensors", document=json.dumps(ONLY_SENSORS), targets=[certificate])
    device = PahoDevice(
        iot_certs, files_for(iot_certs, certificate, tmp_path), "guarded", protocol=paho.MQTTv5
    )
    assert device.connect()
    yield device
    device.close()


def test_a_publish_not_allowed_is_refused_in_its_puback(
    iot_certs: IotCerts, guarded: PahoDevice
) -> None:
    acks: list[Any] = []
    guarded.client.on_publish = lambda _c, _u, _mid, reason, _p: acks.append(reason)

    guarded.client.publish("admin/reboot", b"x", qos=1).wait_for_publish(5)

    assert acks == [paho.ReasonCode(PacketTypes.PUBACK, "Not authorized")]
    assert iot_certs.mqtt.messages_on("admin/#") == []
    assert guarded.client.is_connected()  # MQTT 5 refuses the publish, not the connection
    guarded.publish("sensors/t", b"21")  # and the connection goes on


def test_a_subscription_not_allowed_or_invalid_is_refused_in_the_suback(
    guarded: PahoDevice,
) -> None:
    assert [str(code) for code in guarded.suback("admin/#")] == ["Not authorized"]
    too_deep = "sensors/" + "/".join("abcdefgh")
    assert [str(code) for code in guarded.suback(too_deep)] == ["Topic filter invalid"]
    assert [str(code) for code in guarded.suback("sensors/+")] == ["Granted QoS 1"]


def test_a_payload_past_128_kb_disconnects_with_packet_too_large(
    iot_certs: IotCerts, five: PahoDevice
) -> None:
    five.client.publish("plant/big", b"x" * (128 * 1024 + 1), qos=1)

    assert five.disconnected.wait(5)
    assert five.disconnect_reason == "Packet too large"
    assert "128 KB" in iot_certs.mqtt.refusals[-1].reason


def test_a_connection_past_50_subscriptions_is_told_quota_exceeded(five: PahoDevice) -> None:
    for n in range(50):
        assert five.subscribe(f"filters/{n}")

    assert [str(code) for code in five.suback("filters/50")] == ["Quota exceeded"]


def test_subscription_identifiers_are_not_supported(five: PahoDevice) -> None:
    properties = Properties(PacketTypes.SUBSCRIBE)
    properties.SubscriptionIdentifier = 7

    five.client.subscribe("plant/#", qos=1, properties=properties)

    assert five.disconnected.wait(5)
    assert five.disconnect_reason == "Subscription identifiers not supported"


def test_a_malformed_packet_closes_the_connection(
    iot_certs: IotCerts, pair: tuple[Path, Path]
) -> None:
    from moat.lib.mqtt import MQTTConnectPacket

    endpoint = iot_certs.mqtt
    context = ssl.create_default_context(cafile=str(endpoint.ca_file))
    context.load_cert_chain(str(pair[0]), str(pair[1]))
    connect = bytearray()
    MQTTConnectPacket(client_id="raw", clean_start=True).encode(connect)
    with (
        socket.create_connection((endpoint.host, endpoint.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=endpoint.host) as tls,
    ):
        tls.sendall(bytes(connect))
        assert tls.recv(2)[0] == 0x20  # CONNACK
        tls.recv(1024)
        tls.sendall(b"\x00\x00")  # packet type 0 is reserved

        rest = b"".join(iter(lambda: tls.recv(1024), b""))  # read until the server closes

    assert rest[:1] == b"\xe0"  # a DISCONNECT (reason 0x81, malformed packet) before closing
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/raw").json()
    assert event["disconnectReason"] == "CONNECTION_LOST"


# -- persistent sessions ---------------------------------------------------------------------


def persistent(seconds: int) -> dict[str, Any]:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = seconds
    return {"clean_start": False, "properties": properties}


def go_away_subscribed(iot_certs: IotCerts, pair: tuple[Path, Path], client_id: str) -> None:
    """A client with a persistent session subscribes to ``orders/#``, then disconnects."""
    device = PahoDevice(iot_certs, pair, client_id, protocol=paho.MQTTv5)
    assert device.connect(**persistent(300))
    assert not device.session_present  # a new session, the first time
    assert device.subscribe("orders/#")
    device.close()


def test_a_persistent_session_keeps_subscriptions_and_queues_qos_1_messages(
    iot_certs: IotCerts, pair: tuple[Path, Path], three: PahoDevice
) -> None:
    go_away_subscribed(iot_certs, pair, "pump")

    three.publish("orders/1", b"while away")

    back = PahoDevice(iot_certs, pair, "pump", protocol=paho.MQTTv5)
    assert back.connect(**persistent(300))
    assert back.session_present
    message = back.next_message()
    assert (message.topic, message.payload) == ("orders/1", b"while away")
    three.publish("orders/2", b"now")  # the subscription came back with the session
    assert back.next_message().payload == b"now"
    back.close()


def test_a_queued_message_past_its_expiry_is_dropped(
    iot_certs: IotCerts,
    pair: tuple[Path, Path],
    five: PahoDevice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_iotcerts._doors.mqtt import _kept_sessions

    clock = [1000.0]
    monkeypatch.setattr(_kept_sessions, "time", type("Clock", (), {"monotonic": lambda: clock[0]}))
    go_away_subscribed(iot_certs, pair, "drum")
    for topic, seconds in (("orders/short", 10), ("orders/long", 60)):
        expiring = publish_properties(MessageExpiryInterval=seconds)
        five.client.publish(topic, b"x", qos=1, properties=expiring).wait_for_publish(5)
    iot_certs.mqtt.wait_for_message("orders/long")

    clock[0] += 20
    back = PahoDevice(iot_certs, pair, "drum", protocol=paho.MQTTv5)
    assert back.connect(**persistent(300))

    message = back.next_message()
    assert message.topic == "orders/long"
    assert message.properties.MessageExpiryInterval == 40
    with pytest.raises(Exception):  # noqa: B017 - queue.Empty
        back.next_message(timeout=0.3)
    back.close()


def test_clean_start_discards_the_session(
    iot_certs: IotCerts, pair: tuple[Path, Path], three: PahoDevice
) -> None:
    go_away_subscribed(iot_certs, pair, "valve")
    three.publish("orders/1", b"while away")

    fresh = PahoDevice(iot_certs, pair, "valve", protocol=paho.MQTTv5)
    assert fresh.connect(clean_start=True)

    assert not fresh.session_present
    with pytest.raises(Exception):  # noqa: B017 - queue.Empty
        fresh.next_message(timeout=0.5)
    fresh.close()


def test_a_reset_forgets_persistent_sessions(
    iot_certs: IotCerts, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    go_away_subscribed(iot_certs, pair, "pump")

    iot_certs.reset()
    fresh = files_for(iot_certs, iot_certs.issue_certificate(), tmp_path / "fresh")
    back = PahoDevice(iot_certs, fresh, "pump", protocol=paho.MQTTv5)
    assert back.connect(**persistent(300))

    assert not back.session_present
    back.close()


def test_a_session_is_kept_an_hour_at_most(iot_certs: IotCerts, pair: tuple[Path, Path]) -> None:
    device = PahoDevice(iot_certs, pair, "long", protocol=paho.MQTTv5)

    assert device.connect(**persistent(7 * 24 * 3600))

    assert device.connack_properties.SessionExpiryInterval == 3600
    device.close()


# -- closing -----------------------------------------------------------------------------------


def test_a_client_id_taken_over_is_told_session_taken_over(
    iot_certs: IotCerts, pair: tuple[Path, Path], five: PahoDevice
) -> None:
    newer = PahoDevice(iot_certs, pair, "five")  # the same client id, over MQTT 3.1.1
    assert newer.connect()

    assert five.disconnected.wait(5)
    assert five.disconnect_reason == "Session taken over"
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/five").json()
    assert event["disconnectReason"] == "DUPLICATE_CLIENTID"
    newer.close()


def test_delete_connection_is_an_administrative_action(
    iot_certs: IotCerts, five: PahoDevice
) -> None:
    boto3.client("iot-data", region_name="us-east-1").delete_connection(clientId="five")

    assert five.disconnected.wait(5)
    assert five.disconnect_reason == "Administrative action"


def test_a_revoked_certificate_is_told_not_authorized(
    iot_certs: IotCerts, five: PahoDevice
) -> None:
    certificate = iot_certs.certificates[0]
    boto3.client("iot", region_name="us-east-1").update_certificate(
        certificateId=certificate.certificate_id, newStatus="REVOKED"
    )

    assert five.disconnected.wait(5)
    assert five.disconnect_reason == "Not authorized"


def test_the_will_is_published_when_the_connection_is_lost(
    iot_certs: IotCerts, pair: tuple[Path, Path], three: PahoDevice
) -> None:
    assert three.subscribe("status/+")
    device = PahoDevice(iot_certs, pair, "willing", protocol=paho.MQTTv5)
    device.client.will_set("status/willing", b"gone", qos=1)
    assert device.connect()

    iot_certs.mqtt.disconnect("willing")

    message = three.next_message()
    assert (message.topic, message.payload) == ("status/willing", b"gone")
    device.close()


def test_a_clean_disconnect_sends_no_will(
    iot_certs: IotCerts, pair: tuple[Path, Path], three: PahoDevice
) -> None:
    assert three.subscribe("status/+")
    device = PahoDevice(iot_certs, pair, "tidy", protocol=paho.MQTTv5)
    device.client.will_set("status/tidy", b"gone", qos=1)
    assert device.connect()

    device.close()

    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/tidy").json()
    assert event["disconnectReason"] == "CLIENT_INITIATED_DISCONNECT"
    time.sleep(0.2)
    assert iot_certs.mqtt.messages_on("status/tidy") == []


# -- AWS IoT's APIs over MQTT 5, with the Device SDK -------------------------------------------


def test_the_device_sdks_mqtt5_client_over_signed_websockets(
    iot_certs: IotCerts, five: PahoDevice
) -> None:
    from concurrent.futures import Future

    from awscrt import auth
    from awsiot import mqtt5_client_builder

    from pytest_iotcerts import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY

    assert five.subscribe("fleet/+/status")
    endpoint = iot_certs.mqtt
    connected: Future[Any] = Future()
    client = mqtt5_client_builder.websockets_with_default_aws_signing(
        region="us-east-1",
        credentials_provider=auth.AwsCredentialsProvider.new_static(
            FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
        ),
        endpoint=endpoint.host,
        port=endpoint.websocket_port,
        ca_filepath=str(endpoint.ca_file),
        client_id="ws-five",
        on_lifecycle_connection_success=connected.set_result,
    )
    client.start()
    try:
        connected.result(10)
        packet = mqtt5.PublishPacket(topic="fleet/ws-five/status", payload=b"up", qos=QOS1)
        assert client.publish(packet).result(5).puback.reason_code == 0

        assert five.next_message().payload == b"up"
        [record] = [c for c in endpoint.clients if c.client_id == "ws-five"]
        assert (record.signed, record.protocol_version) == (True, 5)
    finally:
        client.stop()


def test_the_device_sdks_shadow_client_over_mqtt_5(
    iot_certs: IotCerts, pair: tuple[Path, Path]
) -> None:
    from concurrent.futures import Future

    from awsiot import iotshadow

    iot_certs.create_thing("lamp")
    client = sdk5_client(iot_certs, pair, "lamp")
    try:
        shadow = iotshadow.IotShadowClient(client)
        accepted: Future[Any] = Future()
        subscribed, _ = shadow.subscribe_to_update_shadow_accepted(
            iotshadow.UpdateShadowSubscriptionRequest(thing_name="lamp"), QOS1, accepted.set_result
        )
        subscribed.result(5)
        request = iotshadow.UpdateShadowRequest(
            thing_name="lamp",
            state=iotshadow.ShadowState(reported={"on": True}),
            client_token="t-1",
        )
        shadow.publish_update_shadow(request, QOS1).result(5)

        answer = accepted.result(5)
        assert (answer.state.reported, answer.version, answer.client_token) == (
            {"on": True},
            1,
            "t-1",
        )
    finally:
        client.stop()
    data = boto3.client("iot-data", region_name="us-east-1")
    stored = json.loads(data.get_thing_shadow(thingName="lamp")["payload"].read())
    assert stored["state"]["reported"] == {"on": True}


def test_the_device_sdks_jobs_client_over_mqtt_5(
    iot_certs: IotCerts, pair: tuple[Path, Path]
) -> None:
    from test_jobs_mqtt import Firmware

    iot = boto3.client("iot", region_name="us-east-1")
    arn = iot.create_thing(thingName="meter-5")["thingArn"]
    client = sdk5_client(iot_certs, pair, "meter-5")
    try:
        firmware = Firmware(client, "meter-5")
        iot.create_job(jobId="rotate", targets=[arn], document=json.dumps({"op": "rotate"}))

        assert firmware.next_jobs.get(timeout=10).execution.job_id == "rotate"
        assert firmware.run_next().job_id == "rotate"
        assert iot.describe_job(jobId="rotate")["job"]["status"] == "COMPLETED"
    finally:
        client.stop()


@pytest.mark.usefixtures("claim")
def test_fleet_provisioning_by_claim_over_mqtt_5(iot_certs: IotCerts, tmp_path: Path) -> None:
    from test_mqtt_provisioning import Identity

    claim_files = (tmp_path / "claim.pem", tmp_path / "claim.key")
    client = sdk5_client(iot_certs, claim_files, "claim-five")
    try:
        identity = Identity(client)
        created = identity.create_keys()
        registered = identity.register(created.certificate_ownership_token, SerialNumber="5-1")
    finally:
        client.stop()
    assert registered.thing_name == "meter-5-1"
    assert iot_certs.get(created.certificate_id).status == "ACTIVE"


def test_rules_run_on_mqtt_5_publishes(iot_certs: IotCerts, five: PahoDevice) -> None:
    iot = boto3.client("iot", region_name="us-east-1")
    iot.create_topic_rule(
        ruleName="hot",
        topicRulePayload={
            "sql": "SELECT temp FROM 'plant/+/temp' WHERE temp > 30",
            "actions": [{"republish": {"topic": "alerts/hot", "roleArn": ROLE}}],
        },
    )
    assert five.subscribe("alerts/hot")

    five.publish("plant/a/temp", b'{"temp": 20}')
    five.publish("plant/b/temp", b'{"temp": 35}')

    assert json.loads(five.next_message().payload) == {"temp": 35}


ROLE = "arn:aws:iam::123456789012:role/rules"


def test_a_bug_of_ours_is_a_disconnect_with_a_reason_not_a_hang(
    iot_certs: IotCerts, five: PahoDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_iotcerts._doors.mqtt._door import DeviceDoor

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(DeviceDoor, "published", broken)

    five.client.publish("plant/x", b"1", qos=1)

    assert five.disconnected.wait(5)
    assert five.disconnect_reason == "Implementation specific error"
