"""MQTT 5 at the endpoint's own port: the same devices, admission, policies, lifecycle events and
``$aws/`` APIs as MQTT 3.1.1, with AWS IoT's MQTT 5 rules.

moat-lib-mqtt (a sans-io MQTT 5 codec and session state machine) reads and writes the packets;
this module is the broker around it: CONNECT and CONNACK with AWS IoT's limits in its properties,
subscriptions (``$share/GROUP/FILTER`` shared ones among them), QoS 0 and 1 both ways, topic
aliases from clients, retained messages, wills, the keep-alive, and reason codes where MQTT 3.1.1
could only hang up. Messages cross between versions through the hub (``_broker.IotBroker``):
what a 3.1.1 device publishes reaches MQTT 5 subscribers, and the other way round.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from moat.lib.mqtt import (
    MQTTConnectPacket,
    MQTTDisconnectPacket,
    MQTTException,
    MQTTPacket,
    MQTTPublishPacket,
    MQTTSubscribePacket,
    MQTTUnsubscribePacket,
    PropertyType,
    QoS,
    ReasonCode,
    RetainHandling,
    Subscription,
)

from ..._aws import mqtt_limits
from ..._core.events import SHARE, matches, unshared
from ..._service.custom_auth import WebSocketUpgrade
from ._door_api import Door
from ._kept_sessions import KeptSessions, expiry, still_valid
from ._properties5 import connack_properties, from_packet, payload_bytes
from ._session5 import Session5, client_disconnected

# Why AWS IoT closed a connection (its lifecycle reason) -> the DISCONNECT reason an MQTT 5
# client is told first.
_DISCONNECT_REASONS = {
    "DUPLICATE_CLIENTID": ReasonCode.SESSION_TAKEN_OVER,
    "API_INITIATED_DISCONNECT": ReasonCode.ADMINISTRATIVE_ACTION,
    "AUTH_ERROR": ReasonCode.NOT_AUTHORIZED,
    "FORBIDDEN_ACCESS": ReasonCode.NOT_AUTHORIZED,
    "CLIENT_ERROR": ReasonCode.PROTOCOL_ERROR,
    "SERVER_INITIATED_DISCONNECT": ReasonCode.SERVER_SHUTTING_DOWN,
    "MQTT_KEEP_ALIVE_TIMEOUT": ReasonCode.KEEP_ALIVE_TIMEOUT,
}


# A member of a shared subscription group: send (topic, payload, QoS, properties) to it.
Send = Callable[[str, bytes, int, Mapping[str, Any]], None]


class Hub(Protocol):
    """What an MQTT 5 connection asks of the broker (``_broker.IotBroker``)."""

    @property
    def door(self) -> Door: ...

    def registered(self, client_id: str, ssl_object: Any, identifier: str) -> None: ...

    def unregistered(self, client_id: str, ssl_object: Any) -> str | None: ...

    async def broadcast(
        self,
        topic: str,
        data: bytes,
        qos: int = 0,
        retain: bool = False,
        properties: Mapping[str, Any] | None = None,
        sender: str | None = None,
    ) -> None: ...

    def retained(self) -> Iterable[tuple[str, bytes, int, Mapping[str, Any]]]: ...


class Mqtt5Sessions:
    """Every MQTT 5 connection of the endpoint, and the delivery of messages to them."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._sessions: dict[int, Session5] = {}  # id(ssl object) -> its session
        self._kept = KeptSessions()

    def of(self, ssl_object: Any) -> Session5 | None:
        return self._sessions.get(id(ssl_object))

    def connected(self) -> list[Session5]:
        return [session for session in self._sessions.values() if session.identifier]

    def forget_kept(self) -> None:
        """Drop the persistent sessions of clients away (the mock was reset)."""
        self._kept.clear()

    def close(self, session: Session5, reason: str) -> None:
        session.closed_for = reason
        session.disconnect(_DISCONNECT_REASONS.get(reason, ReasonCode.UNSPECIFIED_ERROR))

    def _close_own(self, session: Session5, reason: str, code: ReasonCode | None = None) -> None:
        """Close a connection for what its client did, its lifecycle reason recorded first
        (``code``: the DISCONNECT's, when more precise than the reason's)."""
        self._hub.door.closing(session.identifier, reason)
        session.closed_for = reason
        session.disconnect(code or _DISCONNECT_REASONS.get(reason, ReasonCode.UNSPECIFIED_ERROR))

    # -- a connection, from its CONNECT to its end ------------------------------------------

    async def serve(
        self,
        reader: Any,
        transport: Any,
        ssl_object: Any,
        first: bytes,
        connect_seconds: float,
        signed_by: str | None = None,
        upgrade: WebSocketUpgrade | None = None,
    ) -> None:
        """Serve one connection (over WebSockets: ``signed_by``, the access key of a
        SigV4-signed one; ``upgrade``, the request of an unsigned one)."""
        session = Session5(transport, ssl_object, signed_by=signed_by, upgrade=upgrade)
        self._sessions[id(ssl_object)] = session
        clean = False
        try:
            connect = await asyncio.wait_for(
                self._connect_packet(reader, session, first), connect_seconds
            )
            if connect is not None and self._admit(session, connect):
                clean = await self._serve_packets(reader, session)
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        except MQTTException:
            session.disconnect(ReasonCode.MALFORMED_PACKET)
        except Exception:  # a bug of ours: the client is told, not left hanging
            logging.getLogger(__name__).exception("serving an MQTT 5 connection failed")
            session.disconnect(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR)
        finally:
            del self._sessions[id(ssl_object)]
            if not transport.is_closing():
                transport.close()
            await self._ended(session, clean)

    async def _connect_packet(
        self, reader: asyncio.StreamReader, session: Session5, first: bytes
    ) -> MQTTConnectPacket | None:
        packets: list[MQTTPacket] = list(session.machine.feed_bytes(first))
        while not packets:
            data = await reader.read(65536)
            if not data:
                return None
            packets.extend(session.machine.feed_bytes(data))
        return packets[0] if isinstance(packets[0], MQTTConnectPacket) else None

    def _admit(self, session: Session5, connect: MQTTConnectPacket) -> bool:
        """iot:Connect as for MQTT 3.1.1; a refusal is a CONNACK with its reason code."""
        client_id = connect.client_id or uuid.uuid4().hex  # AWS IoT assigns an empty one
        identifier = self._connect(session, client_id, connect)
        if identifier is None:
            too_long = mqtt_limits.client_id_refusal(client_id) is not None
            reason = (
                ReasonCode.CLIENT_IDENTIFIER_NOT_VALID if too_long else ReasonCode.NOT_AUTHORIZED
            )
            session.machine.connack(reason, {})
            session.flush()
            session.transport.close()
            return False
        session.client_id, session.identifier = client_id, identifier
        session.will, session.will_flag = connect.will, self._will_allowed(client_id, connect)
        session.keep_alive = mqtt_limits.keep_alive(connect.keep_alive)
        asked = connect.properties.get(PropertyType.SESSION_EXPIRY_INTERVAL)
        requested = asked if isinstance(asked, int) else 0
        session.expiry = expiry(requested)
        self._hub.registered(client_id, session.ssl_object, identifier)
        kept = self._kept.resume(client_id, connect.clean_start)
        properties = connack_properties(connect, client_id)
        if session.expiry != requested:
            properties[PropertyType.SESSION_EXPIRY_INTERVAL] = session.expiry
        session.machine.connack(ReasonCode.SUCCESS, properties, present=kept is not None)
        session.flush()
        if kept is not None:
            session.subscriptions.update(kept.subscriptions)
            for topic, payload, qos, named in still_valid(kept.queued):
                if self._hub.door.may(client_id, "iot:Receive", topic):
                    session.deliver(topic, payload, qos, False, named)
        return True

    def _connect(self, session: Session5, client_id: str, connect: MQTTConnectPacket) -> str | None:
        door = self._hub.door
        if session.signed_by is not None:
            return door.connect_signed(client_id, session.signed_by, protocol_version=5)
        der = session.ssl_object.getpeercert(binary_form=True) if session.ssl_object else None
        password = connect.password.encode() if connect.password is not None else None
        return door.connect(
            client_id, der, connect.username, password, protocol_version=5, upgrade=session.upgrade
        )

    async def _serve_packets(self, reader: asyncio.StreamReader, session: Session5) -> bool:
        """Until the client's DISCONNECT (True: a clean end) or the connection's end."""
        silence = session.keep_alive * 1.5  # AWS IoT closes a connection silent this long
        while True:
            try:
                data = await asyncio.wait_for(reader.read(65536), silence)
            except asyncio.TimeoutError:
                self._close_own(session, "MQTT_KEEP_ALIVE_TIMEOUT")
                return False
            if not data:
                return False
            for packet in session.machine.feed_bytes(data):
                if isinstance(packet, MQTTDisconnectPacket):
                    return client_disconnected(session, packet)
                await self._handle(session, packet)
            session.flush()

    async def _handle(self, session: Session5, packet: MQTTPacket) -> None:
        if isinstance(packet, MQTTPublishPacket):
            await self._published(session, packet)
        elif isinstance(packet, MQTTSubscribePacket):
            self._subscribe(session, packet)
        elif isinstance(packet, MQTTUnsubscribePacket):
            codes = [
                ReasonCode.SUCCESS
                if session.subscriptions.pop(pattern.pattern, None)
                else ReasonCode.NO_SUBSCRIPTION_EXISTED
                for pattern in packet.patterns
            ]
            session.machine.acknowledge_unsubscribe(packet.packet_id, codes)
        # PINGREQ and PUBACK: the state machine has answered or settled them

    async def _ended(self, session: Session5, clean: bool) -> None:
        if not session.identifier:
            return
        identifier = self._hub.unregistered(session.client_id, session.ssl_object)
        # a takeover: the newer connection has the session; a reset: the session is gone
        if session.closed_for not in ("DUPLICATE_CLIENTID", "SERVER_INITIATED_DISCONNECT"):
            self._kept.keep(session.client_id, session.subscriptions, session.expiry)
        if session.will_flag and session.will is not None:
            await self._will(session)
        self._hub.door.disconnected(identifier or session.identifier, clean)

    def _will_allowed(self, client_id: str, connect: MQTTConnectPacket) -> bool:
        """A will is kept if the client may publish it (checked as it connects)."""
        door, will = self._hub.door, connect.will
        return will is not None and (
            not door.subscribe_only(will.topic) and door.may(client_id, "iot:Publish", will.topic)
        )

    async def _will(self, session: Session5) -> None:
        will = session.will
        payload = will.payload.encode() if isinstance(will.payload, str) else bytes(will.payload)
        self._hub.door.published(
            session.client_id, will.topic, payload, int(will.qos), bool(will.retain)
        )
        qos = min(int(will.qos), mqtt_limits.MQTT5_MAX_QOS)
        await self._hub.broadcast(
            will.topic, payload, qos, bool(will.retain), {}, session.client_id
        )

    # -- what a device publishes ------------------------------------------------------------

    async def _published(self, session: Session5, packet: MQTTPublishPacket) -> None:
        door = self._hub.door
        refusal = self._publish_refusal(session, packet)
        if refusal is not None:
            self._refuse(session, refusal, packet)
            return
        topic, payload = packet.topic, payload_bytes(packet)
        qos, retain, named = int(packet.qos), bool(packet.retain), from_packet(packet)
        door.published(session.client_id, topic, payload, qos, retain, named)
        api = topic.startswith("$aws/") and door.is_api(topic)
        if not api:  # delivered (or queued) before the PUBACK: a test that saw it can look
            await self._hub.broadcast(topic, payload, qos, retain, named, session.client_id)
        if packet.packet_id is not None:
            session.machine.acknowledge_publish(packet.packet_id, ReasonCode.SUCCESS)
            session.flush()
        if not api:
            return
        answers = await asyncio.get_running_loop().run_in_executor(
            None, door.reserved, session.client_id, topic, payload
        )
        if answers is None:
            self.close(session, "CONNECTION_LOST")
        for answer_topic, data in answers or ():
            self.answer(session, answer_topic, data)

    def _publish_refusal(self, session: Session5, packet: MQTTPublishPacket) -> ReasonCode | None:
        alias = packet.properties.get(PropertyType.TOPIC_ALIAS)
        if isinstance(alias, int):
            if not 0 < alias <= mqtt_limits.MQTT5_TOPIC_ALIAS_MAXIMUM:
                return ReasonCode.TOPIC_ALIAS_INVALID
            if packet.topic:
                session.aliases[alias] = packet.topic
            elif alias in session.aliases:
                packet.topic = session.aliases[alias]
            else:
                return ReasonCode.TOPIC_ALIAS_INVALID
        if packet.qos > mqtt_limits.MQTT5_MAX_QOS:
            return ReasonCode.QOS_NOT_SUPPORTED
        door = self._hub.door
        if door.past_limits(session.client_id, packet.topic, payload_bytes(packet)):
            too_big = len(payload_bytes(packet)) > mqtt_limits.MAX_PAYLOAD_BYTES
            return ReasonCode.PACKET_TOO_LARGE if too_big else ReasonCode.TOPIC_NAME_INVALID
        if door.subscribe_only(packet.topic) or not door.may(
            session.client_id, "iot:Publish", packet.topic
        ):
            return ReasonCode.NOT_AUTHORIZED
        return None

    def _refuse(self, session: Session5, reason: ReasonCode, packet: MQTTPublishPacket) -> None:
        """A publish not allowed is refused in its PUBACK (a QoS 0 one is dropped); one that
        breaks the protocol or AWS IoT's limits closes the connection with its reason."""
        if reason is ReasonCode.NOT_AUTHORIZED:
            if packet.packet_id is not None:
                session.machine.acknowledge_publish(packet.packet_id, reason)
                session.flush()
            return
        self._close_own(session, "CLIENT_ERROR", reason)

    # -- subscriptions ----------------------------------------------------------------------

    def _subscribe(self, session: Session5, packet: MQTTSubscribePacket) -> None:
        if PropertyType.SUBSCRIPTION_IDENTIFIER in packet.properties:  # the CONNACK said no
            self._close_own(
                session, "CLIENT_ERROR", ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED
            )
            return
        door, codes, granted = self._hub.door, [], []
        for subscription in packet.subscriptions:
            code = self._refusal(session, subscription.pattern.pattern)
            if code is None:
                subscription.max_qos = QoS(
                    min(int(subscription.max_qos), mqtt_limits.MQTT5_MAX_QOS)
                )
                known = subscription.pattern.pattern in session.subscriptions
                session.subscriptions[subscription.pattern.pattern] = subscription
                code = ReasonCode(int(subscription.max_qos))
                granted.append((subscription, known))
            codes.append(code)
        session.machine.acknowledge_subscribe(packet.packet_id, codes)
        session.flush()
        door.subscribed(session.client_id, [s.pattern.pattern for s, _known in granted])
        for subscription, known in granted:
            self._send_retained(session, subscription, known)

    def _refusal(self, session: Session5, topic_filter: str) -> ReasonCode | None:
        if not _valid_filter(topic_filter):
            return ReasonCode.TOPIC_FILTER_INVALID
        if not self._hub.door.may(session.client_id, "iot:Subscribe", topic_filter):
            return ReasonCode.NOT_AUTHORIZED
        full = len(session.subscriptions) >= mqtt_limits.MAX_SUBSCRIPTIONS_PER_CONNECTION
        if full and topic_filter not in session.subscriptions:
            return ReasonCode.QUOTA_EXCEEDED
        return None

    def _send_retained(self, session: Session5, subscription: Subscription, known: bool) -> None:
        handling = subscription.retain_handling
        topic_filter = subscription.pattern.pattern
        if topic_filter.startswith(SHARE) or handling is RetainHandling.NO_RETAINED:
            return  # MQTT 5: a shared subscription gets no retained messages
        if known and handling is RetainHandling.SEND_RETAINED_IF_NOT_SUBSCRIBED:
            return
        for topic, payload, qos, named in self._hub.retained():
            if matches(topic, topic_filter) and self._hub.door.may(
                session.client_id, "iot:Receive", topic
            ):
                session.deliver(topic, payload, min(qos, int(subscription.max_qos)), True, named)

    # -- delivery ---------------------------------------------------------------------------

    def answer(self, session: Session5, topic: str, payload: bytes) -> None:
        """An API's answer, to its requester alone, if it subscribed to the answer's topic."""
        for topic_filter, subscription in session.subscriptions.items():
            if matches(topic, unshared(topic_filter)):
                if self._hub.door.may(session.client_id, "iot:Receive", topic):
                    session.deliver(topic, payload, int(subscription.max_qos), False, {})
                return

    def deliver(
        self, topic: str, payload: bytes, qos: int, named: Mapping[str, Any], sender: str | None
    ) -> None:
        """A message to every MQTT 5 subscriber of its topic but shared ones (the hub picks a
        member of each group, of either version), and queued for persistent sessions away."""
        self._kept.queue(topic, payload, qos, named)
        for session in self.connected():
            for topic_filter, subscription in session.subscriptions.items():
                if topic_filter.startswith(SHARE) or not matches(topic, topic_filter):
                    continue
                if not (subscription.no_local and session.client_id == sender):
                    self._send(session, subscription, topic, payload, qos, named)
                break  # a client gets a message once, however many of its filters match

    def shared_members(self, topic: str) -> dict[str, list[Send]]:
        """The MQTT 5 members of each shared subscription group whose filter matches."""
        groups: dict[str, list[Send]] = {}
        for session in self.connected():
            for topic_filter, subscription in session.subscriptions.items():
                if topic_filter.startswith(SHARE) and matches(topic, unshared(topic_filter)):
                    send = functools.partial(self._send, session, subscription)
                    groups.setdefault(topic_filter, []).append(send)
        return groups

    def _send(
        self,
        session: Session5,
        subscription: Subscription,
        topic: str,
        payload: bytes,
        qos: int,
        named: Mapping[str, Any],
    ) -> None:
        if self._hub.door.may(session.client_id, "iot:Receive", topic):
            session.deliver(topic, payload, min(qos, int(subscription.max_qos)), False, named)


def _valid_filter(topic_filter: str) -> bool:
    if topic_filter.startswith(SHARE):
        parts = topic_filter.split("/", 2)
        if len(parts) < 3 or not parts[1] or any(c in parts[1] for c in "+#") or not parts[2]:
            return False
    return mqtt_limits.topic_refusal(topic_filter) is None
