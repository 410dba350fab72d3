"""One MQTT 5 connection as the endpoint holds it: moat-lib-mqtt's broker-side session state
machine (with the two packets it cannot yet write as AWS IoT does), the client's subscriptions,
topic aliases and will, and how it is told it is being closed."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moat.lib.mqtt import (
    MQTTConnAckPacket,
    MQTTDisconnectPacket,
    MQTTException,
    MQTTPublishPacket,
    PropertyType,
    QoS,
    ReasonCode,
    Subscription,
)
from moat.lib.mqtt.broker_state_machine import MQTTBrokerClientStateMachine

from ..._service.custom_auth import WebSocketUpgrade
from ._kept_sessions import expiry
from ._properties5 import to_packet


class Machine5(MQTTBrokerClientStateMachine):
    """moat's broker-side session, with the two packets it cannot yet write as AWS IoT does:
    a CONNACK with properties, and a PUBLISH with any MQTT 5 property."""

    def connack(
        self, reason: ReasonCode, properties: dict[PropertyType, Any], present: bool = False
    ) -> None:
        self.acknowledge_connect(reason, username=None, session_present=present)
        self._out_buffer.clear()  # its CONNACK carries no properties: ours replaces it
        acknowledgement = MQTTConnAckPacket(
            reason_code=reason, session_present=present, properties=properties
        )
        acknowledgement.encode(self._out_buffer)

    def publish(
        self, topic: str, payload: bytes, qos: int, retain: bool, named: Mapping[str, Any]
    ) -> None:
        properties, user = to_packet(named)
        packet = MQTTPublishPacket(
            topic=topic,
            payload=payload,
            qos=QoS(qos),
            retain=retain,
            packet_id=self._generate_packet_id() if qos else None,
            properties=properties,
            user_properties=user,
        )
        packet.encode(self._out_buffer)
        if packet.packet_id is not None:
            self._add_pending_packet(packet, local=True)


@dataclass(eq=False)
class Session5:
    """One MQTT 5 connection (``client_id``, ``ssl_object`` and ``will_flag`` as amqtt's
    sessions have them, so the broker closes either kind alike)."""

    transport: Any
    ssl_object: Any
    machine: Machine5 = field(default_factory=Machine5)
    client_id: str = ""
    identifier: str = ""
    will: Any = None
    will_flag: bool = False
    keep_alive: int = 0
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    aliases: dict[int, str] = field(default_factory=dict)
    closed_for: str | None = None  # the lifecycle reason when AWS IoT closed it
    signed_by: str | None = None  # over a SigV4-signed WebSocket: the access key
    upgrade: WebSocketUpgrade | None = None  # over an unsigned WebSocket: its request
    expiry: int = 0  # Session Expiry Interval: kept this long past the connection (seconds)

    @property
    def iotcerts_session_identifier(self) -> str:
        """Named as the broker names it on amqtt's sessions (``_broker.SESSION``)."""
        return self.identifier

    def flush(self) -> None:
        data = self.machine.get_outbound_data()
        if data and not self.transport.is_closing():
            self.transport.write(bytes(data))

    def deliver(
        self, topic: str, payload: bytes, qos: int, retain: bool, named: Mapping[str, Any]
    ) -> None:
        with contextlib.suppress(MQTTException):
            self.machine.publish(topic, payload, qos, retain, named)
            self.flush()

    def disconnect(self, reason: ReasonCode) -> None:
        """Tell the client why (an MQTT 5 DISCONNECT), then close."""
        if not self.transport.is_closing():
            buffer = bytearray()
            MQTTDisconnectPacket(reason_code=reason).encode(buffer)
            self.transport.write(bytes(buffer))
            self.transport.close()


def client_disconnected(session: Session5, packet: MQTTDisconnectPacket) -> bool:
    """The client's DISCONNECT (it may change its session's expiry): True for a clean end, which
    withholds the will, unless its reason asks for the will."""
    asked = packet.properties.get(PropertyType.SESSION_EXPIRY_INTERVAL)
    if isinstance(asked, int):
        session.expiry = expiry(asked)
    if packet.reason_code is ReasonCode.DISCONNECT_WITH_WILL_MESSAGE:
        return False
    session.will_flag = False
    return True
