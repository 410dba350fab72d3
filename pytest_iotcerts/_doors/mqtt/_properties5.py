"""MQTT 5 message properties, both ways: as a PUBLISH packet carries them, and as AWS IoT's
Publish API and our records name them (``userProperties``, ``contentType``, ``responseTopic``,
``correlationData`` in base64, ``payloadFormatIndicator``, ``messageExpiry``). One shape in the
records, so a message published over HTTP reaches an MQTT 5 subscriber with its properties, and
one published over MQTT 5 is recorded as Publish would record it. Also what a CONNACK tells a
client of AWS IoT's limits."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Iterator, Mapping
from typing import Any

from moat.lib.mqtt import MQTTConnectPacket, MQTTPublishPacket, PropertyType

from ..._aws import mqtt_limits

_TEXT = {
    PropertyType.CONTENT_TYPE: "contentType",
    PropertyType.RESPONSE_TOPIC: "responseTopic",
}


def payload_bytes(packet: MQTTPublishPacket) -> bytes:
    """The payload as sent (a UTF-8 payload is decoded to text by the codec)."""
    if isinstance(packet.payload, str):
        return packet.payload.encode("utf-8", errors="surrogateescape")
    return bytes(packet.payload)


def from_packet(packet: MQTTPublishPacket) -> dict[str, Any]:
    """The properties of a device's PUBLISH, named as Publish names them."""
    named: dict[str, Any] = {
        name: packet.properties[kind] for kind, name in _TEXT.items() if kind in packet.properties
    }
    if isinstance(packet.payload, str):
        named["payloadFormatIndicator"] = "UTF8_DATA"
    correlation = packet.properties.get(PropertyType.CORRELATION_DATA)
    if correlation is not None:
        named["correlationData"] = base64.b64encode(bytes(correlation)).decode()  # type: ignore[arg-type]
    expiry = packet.properties.get(PropertyType.MESSAGE_EXPIRY_INTERVAL)
    if expiry is not None:
        named["messageExpiry"] = expiry
    if packet.user_properties:
        named["userProperties"] = [{key: value} for key, value in packet.user_properties.items()]
    return named


def to_packet(named: Mapping[str, Any]) -> tuple[dict[PropertyType, Any], dict[str, str]]:
    """The PUBLISH properties and user properties of a recorded message's properties."""
    properties: dict[PropertyType, Any] = {
        kind: str(named[name]) for kind, name in _TEXT.items() if named.get(name)
    }
    if named.get("payloadFormatIndicator") == "UTF8_DATA":
        properties[PropertyType.PAYLOAD_FORMAT_INDICATOR] = 1
    correlation = named.get("correlationData")
    if correlation:
        try:
            properties[PropertyType.CORRELATION_DATA] = base64.b64decode(str(correlation))
        except (binascii.Error, ValueError):
            properties[PropertyType.CORRELATION_DATA] = str(correlation).encode()
    if named.get("messageExpiry") is not None:
        properties[PropertyType.MESSAGE_EXPIRY_INTERVAL] = int(named["messageExpiry"])
    user: dict[str, str] = {}
    for pair in named.get("userProperties") or ():
        user.update({str(key): str(value) for key, value in dict(pair).items()})
    return properties, user


def aged(named: Mapping[str, Any], seconds: float) -> Mapping[str, Any] | None:
    """A message's properties ``seconds`` after it was kept: its Message Expiry Interval is what
    it has left, as MQTT 5 sends a message held for a while (None: it has expired)."""
    expiry_seconds = named.get("messageExpiry")
    if expiry_seconds is None:
        return named
    left = int(expiry_seconds) - int(seconds)
    return {**named, "messageExpiry": left} if left > 0 else None


class RetainedProperties:
    """The MQTT 5 properties of each topic's retained message (amqtt keeps the message itself),
    and when it was kept, so its Message Expiry Interval counts down."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Mapping[str, Any], float]] = {}  # topic -> (named, kept at)

    def keep(
        self, topic: str, data: bytes | bytearray | None, named: Mapping[str, Any] | None
    ) -> None:
        """A new retained message on ``topic`` (none, when ``data`` is empty)."""
        self._kept.pop(topic, None)
        if data and named:
            self._kept[topic] = (dict(named), time.monotonic())

    def with_messages(
        self, messages: Mapping[str, Any]
    ) -> Iterator[tuple[str, bytes, int, Mapping[str, Any]]]:
        """amqtt's retained messages (by topic), each with the properties to send it with now;
        one past its Message Expiry Interval is no longer sent."""
        now = time.monotonic()
        for topic, message in list(messages.items()):
            named, kept_at = self._kept.get(topic, ({}, now))
            left = aged(named, now - kept_at)
            if left is not None:
                yield topic, bytes(message.data or b""), int(message.qos or 0), left


def connack_properties(connect: MQTTConnectPacket, client_id: str) -> dict[PropertyType, Any]:
    """What the CONNACK tells an MQTT 5 client: AWS IoT's limits, and what was chosen for it."""
    properties: dict[PropertyType, Any] = {
        PropertyType.MAXIMUM_QOS: mqtt_limits.MQTT5_MAX_QOS,
        PropertyType.RETAIN_AVAILABLE: 1,
        PropertyType.MAXIMUM_PACKET_SIZE: mqtt_limits.MQTT5_MAXIMUM_PACKET_BYTES,
        PropertyType.TOPIC_ALIAS_MAXIMUM: mqtt_limits.MQTT5_TOPIC_ALIAS_MAXIMUM,
        PropertyType.RECEIVE_MAXIMUM: mqtt_limits.MQTT5_RECEIVE_MAXIMUM,
        PropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE: 1,
        PropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE: 0,
        PropertyType.SHARED_SUBSCRIPTION_AVAILABLE: 1,
    }
    if not connect.client_id:
        properties[PropertyType.ASSIGNED_CLIENT_IDENTIFIER] = client_id
    if mqtt_limits.keep_alive(connect.keep_alive) != connect.keep_alive:
        properties[PropertyType.SERVER_KEEP_ALIVE] = mqtt_limits.keep_alive(connect.keep_alive)
    return properties
