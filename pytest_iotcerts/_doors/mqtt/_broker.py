"""amqtt's broker, with AWS IoT's door in front of it: the only module that imports amqtt.

amqtt does the MQTT 3.1.1 protocol (framing, sessions, QoS, retained messages, wildcards); an
MQTT 5 CONNECT is handed to ``_mqtt5`` at the same port, and messages cross between the two.
Four of amqtt's steps are ours: the TLS context (amqtt's own does not require a client
certificate), the admission of a connection once TLS is up (AWS IoT closes the connection of a
certificate it refuses, before any CONNACK), the ``$aws/`` topics devices publish to (amqtt
closes a connection that publishes to a ``$`` topic; AWS IoT answers them), and the record of
who is connected. amqtt's private methods are overridden, so the mqtt extra pins its minor
version.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from typing import Any

from amqtt.adapters import StreamReaderAdapter, WebSocketsWriter
from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.mqtt.disconnect import DisconnectPacket
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session

from ..._aws import mqtt_limits
from ..._service.custom_auth import WebSocketUpgrade
from ._door_api import Door
from ._mqtt5 import Mqtt5Sessions
from ._properties5 import RetainedProperties
from ._streams import (
    BROKER_CONFIG,
    DEFAULT_LISTENER,
    WEBSOCKETS_LISTENER,
    QuickAckReader,
    connect_level,
    listening_port,
)
from ._subscriptions import SharedGroups, amqtt_members, filters_of, granted_to
from ._websocket import WebSocketStream, upgrade_of

# amqtt warns about what clients do (a late PUBACK, a hang-up before CONNECT): the broker is an
# implementation detail of the mock, and what matters to a test is in the endpoint's records.
logging.getLogger("amqtt").setLevel(logging.ERROR)

CONNECT_SECONDS = 10.0  # a connection that sends no CONNECT in this time is closed
MQTT_5 = 5
# The QoS of the 3.1.1 device publish being broadcast, for its MQTT 5 subscribers (amqtt's
# broadcast carries none: it sends at each subscription's QoS).
_DEVICE_QOS: ContextVar[int] = ContextVar("device_qos", default=0)


SESSION = "iotcerts_session_identifier"  # our connection's identifier, on amqtt's Session
FILTER_ACTIONS = {Action.SUBSCRIBE: "iot:Subscribe", Action.RECEIVE: "iot:Receive"}


class IotBroker(Broker):  # type: ignore[misc]
    def __init__(self, door: Door, context: ssl.SSLContext) -> None:
        super().__init__(BROKER_CONFIG, loop=asyncio.get_running_loop())
        self.door = door
        self._context = context
        self._transports: dict[int, asyncio.Transport] = {}  # id(ssl object) -> transport
        # id(ssl object) -> our identifier of that connection; client id -> its live connection
        self._identifiers: dict[int, str] = {}
        self._live: dict[str, Any] = {}
        self._signed: dict[int, str] = {}  # id(ssl object) -> access key of a signed WebSocket
        self._upgrades: dict[int, WebSocketUpgrade] = {}  # ... -> an unsigned WebSocket's request
        self._sending: set[asyncio.Future[Any]] = set()
        self._v5 = Mqtt5Sessions(self)
        self._groups = SharedGroups()
        self._retained_properties = RetainedProperties()

    @property
    def port(self) -> int:
        return listening_port(self._servers[DEFAULT_LISTENER].instance)

    @property
    def websocket_port(self) -> int:
        return listening_port(self._servers[WEBSOCKETS_LISTENER].instance)

    def _create_ssl_context(self, listener: Any) -> ssl.SSLContext:
        return self._context

    # -- connecting ----------------------------------------------------------------------------

    async def stream_connected(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener_name: str
    ) -> None:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if not self.door.admit(der):
            writer.transport.abort()  # a hang-up, as AWS IoT's
            return
        self._transports[id(ssl_object)] = writer.transport  # type: ignore[assignment]
        try:
            connect = await connect_level(reader, self.door, der, writer.transport, CONNECT_SECONDS)
            if connect is None:
                return
            level, read_already = connect
            if level == MQTT_5:
                quick = QuickAckReader(reader, writer.get_extra_info("socket"))
                await self._v5.serve(
                    quick, writer.transport, ssl_object, read_already, CONNECT_SECONDS
                )
                return
            quick = QuickAckReader(reader, writer.get_extra_info("socket"), read_already)
            await super().stream_connected(quick, writer, listener_name)
        except ConnectionError:  # the connection is gone (closed by us, or by the client)
            pass
        finally:
            self._transports.pop(id(ssl_object), None)

    async def ws_connected(self, websocket: Any, listener_name: str) -> None:
        """MQTT over WebSockets: the upgrade request's SigV4 query (as the Device SDK signs it)
        admits the connection; a request without one is closed before any MQTT. Then MQTT
        3.1.1 or 5, as over TLS."""
        path = getattr(getattr(websocket, "request", None), "path", "") or ""
        access_key_id = self.door.websocket_signature(path)
        ssl_object = websocket.transport.get_extra_info("ssl_object")
        if access_key_id is not None:
            self._signed[id(ssl_object)] = access_key_id
        else:  # a custom authorizer decides at the CONNECT, from the username or this request
            self._upgrades[id(ssl_object)] = upgrade_of(websocket, path)
        self._transports[id(ssl_object)] = websocket.transport
        stream = WebSocketStream(websocket)
        try:
            connect = await connect_level(
                stream, self.door, None, websocket.transport, CONNECT_SECONDS
            )
            if connect is None:
                return
            level, read_already = connect
            if level == MQTT_5:
                upgrade = self._upgrades.get(id(ssl_object))
                told = (read_already, CONNECT_SECONDS, access_key_id, upgrade)
                await self._v5.serve(stream, stream, ssl_object, *told)
                return
            stream.unread(read_already)
            await self._client_connected(
                listener_name, StreamReaderAdapter(stream), WebSocketsWriter(websocket)
            )
        except ConnectionError:
            pass
        finally:
            self._transports.pop(id(ssl_object), None)
            self._signed.pop(id(ssl_object), None)
            self._upgrades.pop(id(ssl_object), None)

    async def _handle_client_session(
        self, reader: Any, writer: Any, client_session: Session, handler: Any, *args: Any
    ) -> None:
        client_session.ssl_object = writer.get_ssl_info()  # a resumed session's new connection
        handler.iotcerts_connection = id(client_session.ssl_object)  # which connection it serves
        await super()._handle_client_session(reader, writer, client_session, handler, *args)

    async def _authenticate(self, session: Session, listener: Any) -> bool:
        signed_by = self._signed.get(id(session.ssl_object))
        if signed_by is not None:
            identifier = self.door.connect_signed(session.client_id, signed_by)
        else:
            der = session.ssl_object.getpeercert(binary_form=True)
            password = session.password
            if isinstance(password, str):
                password = password.encode()
            upgrade = self._upgrades.get(id(session.ssl_object))
            identifier = self.door.connect(
                session.client_id, der, session.username, password, upgrade=upgrade
            )
        if identifier is None:  # iot:Connect denied: a hang-up, no CONNACK
            self.drop(session.ssl_object)
            return False
        self.registered(session.client_id, session.ssl_object, identifier)
        setattr(session, SESSION, identifier)
        return True

    def _take_over(self, client_id: str, ssl_object: Any) -> None:
        """A client id connects again (either MQTT version): AWS IoT closes its older connection
        (lifecycle reason DUPLICATE_CLIENTID) and serves the newer one."""
        older = self._live.get(client_id)
        self._live[client_id] = ssl_object
        if older is None or older is ssl_object:
            return
        identifier = self._identifiers.get(id(older))
        if identifier is not None:
            self.door.closing(identifier, "DUPLICATE_CLIENTID")
        self._hang_up(older, "DUPLICATE_CLIENTID")

    # -- the hub MQTT 5 connections use (``_mqtt5.Hub``) -----------------------------------------

    def registered(self, client_id: str, ssl_object: Any, identifier: str) -> None:
        self._take_over(client_id, ssl_object)
        self._identifiers[id(ssl_object)] = identifier

    def unregistered(self, client_id: str, ssl_object: Any) -> str | None:
        if self._live.get(client_id) is ssl_object:
            del self._live[client_id]
        return self._identifiers.pop(id(ssl_object), None)

    def retained(self) -> Iterable[tuple[str, bytes, int, Mapping[str, Any]]]:
        return self._retained_properties.with_messages(self._retained_messages)

    async def retain_message(
        self,
        source_session: Session | None,
        topic_name: str | None,
        data: bytes | bytearray | None,
        qos: int | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep (or clear) a topic's retained message, with its MQTT 5 properties (3.1.1: none)."""
        await super().retain_message(source_session, topic_name, data, qos)
        if topic_name is not None:
            self._retained_properties.keep(topic_name, data, properties)

    async def _handle_disconnect(
        self, client_session: Session, handler: BrokerProtocolHandler, waiter: Any
    ) -> None:
        clean = isinstance(waiter.result(), DisconnectPacket)
        connection = getattr(handler, "iotcerts_connection", None)
        await super()._handle_disconnect(client_session, handler, waiter)
        identifier = self._identifiers.pop(connection, None) if connection is not None else None
        live = self._live.get(client_session.client_id)
        if live is not None and id(live) == connection:
            del self._live[client_session.client_id]
        self.door.disconnected(identifier or str(getattr(client_session, SESSION, "")), clean)

    # -- subscribing and receiving -------------------------------------------------------------

    async def _topic_filtering(self, session: Session, topic: str, action: Action) -> bool:
        wanted = FILTER_ACTIONS.get(action)
        if wanted == "iot:Subscribe" and self._subscriptions_full(session, topic):
            return False  # AWS IoT's subscriptions-per-connection quota: refused in the SUBACK
        return wanted is None or self.door.may(session.client_id, wanted, topic)

    def _subscriptions_full(self, session: Session, topic_filter: str) -> bool:
        held = filters_of(self._subscriptions, session)
        full = len(held) >= mqtt_limits.MAX_SUBSCRIPTIONS_PER_CONNECTION
        return full and topic_filter not in held

    async def _handle_subscription(
        self, client_session: Session, handler: BrokerProtocolHandler, subscribe_waiter: Any
    ) -> None:
        await super()._handle_subscription(client_session, handler, subscribe_waiter)
        topics = [topic for topic, _qos in subscribe_waiter.result().topics]
        self.door.subscribed(client_session.client_id, topics)

    # -- publishing ----------------------------------------------------------------------------

    async def _handle_message_delivery(
        self, client_session: Session, handler: BrokerProtocolHandler, wait_deliver: Any
    ) -> bool:
        message = wait_deliver.result()
        if message is None or not message.topic:
            return bool(
                await super()._handle_message_delivery(client_session, handler, wait_deliver)
            )
        client_id, payload = client_session.client_id, bytes(message.data or b"")
        if self.door.past_limits(client_id, message.topic, payload):
            self.close(client_session, "CLIENT_ERROR")  # AWS IoT disconnects the client
            return True
        if self.door.subscribe_only(message.topic) or not self.door.may(
            client_id, "iot:Publish", message.topic
        ):
            self.close(client_session, "FORBIDDEN_ACCESS")  # AWS IoT disconnects the client
            return True
        qos, retain = int(message.qos or 0), bool(message.retain)
        self.door.published(client_id, message.topic, payload, qos, retain)
        _DEVICE_QOS.set(qos)
        if not message.topic.startswith("$aws/"):
            return bool(
                await super()._handle_message_delivery(client_session, handler, wait_deliver)
            )
        if not self.door.is_api(message.topic):  # reserved topics we do not answer pass through
            await self._broadcast_message(client_session, message.topic, payload)
            return True
        answers = await asyncio.get_running_loop().run_in_executor(
            None, self.door.reserved, client_id, message.topic, payload
        )
        if answers is None:
            self.close(client_session, "CONNECTION_LOST")
        for topic, data in answers or ():
            self._deliver(client_session, handler, topic, data)
        return True

    def _deliver(
        self, session: Session, handler: BrokerProtocolHandler, topic: str, data: bytes
    ) -> None:
        """Send an answer to its requester alone, if it subscribed to the answer's topic (and
        may receive it)."""
        if not self.door.may(session.client_id, "iot:Receive", topic):
            return
        qos = granted_to(self._subscriptions, topic, session.client_id, self._matches)
        if qos is not None:
            self._send(handler, topic, data, qos)

    async def broadcast(
        self,
        topic: str,
        data: bytes,
        qos: int = 0,
        retain: bool = False,
        properties: Mapping[str, Any] | None = None,
        sender: str | None = None,
    ) -> None:
        """Publish to every subscriber of either MQTT version, as AWS IoT or for an MQTT 5
        device (a retained message is kept for new subscribers; an empty one clears the
        topic's). MQTT 5 subscribers get the message's MQTT 5 properties."""
        if retain:
            await self.retain_message(None, topic, data, qos, properties)
        if data or not retain:
            await Broker._broadcast_message(self, None, topic, data)
            self._v5.deliver(topic, data, qos, properties or {}, sender)
            self._share(topic, data, qos, properties or {})

    async def _broadcast_message(
        self, session: Session | None, topic: str | None, data: Any, force_qos: int | None = None
    ) -> None:
        """amqtt's broadcast of a 3.1.1 device's message, which MQTT 5 subscribers get too."""
        await super()._broadcast_message(session, topic, data, force_qos)
        if topic and data is not None:
            qos = _DEVICE_QOS.get() if force_qos is None else force_qos
            self._v5.deliver(topic, bytes(data), qos, {}, getattr(session, "client_id", None))
            self._share(topic, bytes(data), qos, {})

    def _share(self, topic: str, data: bytes, qos: int, properties: Mapping[str, Any]) -> None:
        """Each shared subscription group (``$share/GROUP/FILTER``, of MQTT 5 and 3.1.1 clients
        alike, as AWS IoT allows both) gets the message once: its members take turns."""
        groups = self._v5.shared_members(topic)
        for topic_filter, session, granted in amqtt_members(self._subscriptions, topic):
            send = functools.partial(self._send_311, session, granted)
            groups.setdefault(topic_filter, []).append(send)
        self._groups.deliver(groups, topic, data, qos, properties)

    def _send_311(
        self, session: Session, granted: int, topic: str, data: bytes, qos: int, _: Any
    ) -> None:
        handler = self._get_handler(session)
        if handler is not None and self.door.may(session.client_id, "iot:Receive", topic):
            self._send(handler, topic, data, min(qos, granted))

    def _send(self, handler: BrokerProtocolHandler, topic: str, data: bytes, qos: int) -> None:
        """Publish to one 3.1.1 connection (kept until sent)."""
        sending = asyncio.ensure_future(handler.mqtt_publish(topic, data, qos, retain=False))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)

    # -- closing -------------------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Stop, closing every connection first: one that never sent CONNECT would otherwise
        leave its task pending and its socket open."""
        for transport in list(self._transports.values()):
            transport.abort()
        await asyncio.sleep(0)  # the connections' tasks see their end
        await super().shutdown()

    def close(
        self,
        session: Session,
        reason: str,
        *,
        prevent_will: bool = False,
        forget_session: bool = False,
    ) -> None:
        """Close a client's connection as AWS IoT does, with the reason its lifecycle event
        gives (DeleteConnection may also forget its session and withhold its will)."""
        self.door.closing(getattr(session, SESSION, ""), reason)
        if prevent_will:
            session.will_flag = False
        self._hang_up(session.ssl_object, reason)
        if forget_session:
            self._sessions.pop(session.client_id, None)

    def _hang_up(self, ssl_object: Any, reason: str) -> None:
        """Close a connection: an MQTT 5 client is told why first (a DISCONNECT)."""
        session5 = self._v5.of(ssl_object)
        if session5 is not None:
            self._v5.close(session5, reason)
        else:
            self.drop(ssl_object)

    def drop(self, ssl_object: Any) -> bool:
        """Close the connection of that TLS session."""
        transport = self._transports.get(id(ssl_object))
        if transport is None:
            return False
        transport.abort()
        return True

    async def forget_sessions(self) -> None:
        """The mock was reset: persistent sessions of clients away are gone with it (3.1.1's,
        amqtt's, of clients not connected; MQTT 5's, ours)."""
        self._v5.forget_kept()
        for client_id, (session, _handler) in list(self._sessions.items()):
            if not session.transitions.is_connected():
                del self._sessions[client_id]

    def connected_sessions(self) -> dict[str, Any]:
        """Each connected client's session by client id (amqtt's for 3.1.1, ours for MQTT 5)."""
        sessions: dict[str, Any] = {
            client_id: session
            for client_id, (session, _handler) in self._sessions.items()
            if session.transitions.is_connected()
        }
        sessions.update({session.client_id: session for session in self._v5.connected()})
        return sessions
