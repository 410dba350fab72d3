"""The MQTT endpoint a test hands to its devices: host, port and CA file, and what happened there.

The broker runs on an event loop in a thread of its own, so a test's synchronous code, the AWS IoT
Device SDK's threads and paho's loop all reach it. It serves the mock's default account and
region, and listens to the service's events: a certificate revoked (or its CA deactivated) drops
the live connections it no longer admits, and what AWS IoT publishes reaches the subscribers.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from ..._core.events import Disconnect, Message
from ..._core.store import Store
from ..._service import IotService
from ..._x509.crypto import CertificateAuthority
from ._broker import IotBroker
from ._door import DeviceDoor
from ._provisioning_api import FaultCheck, ProvisioningApi
from ._records import Client, Refusal
from ._tls import DeviceTls

T = TypeVar("T")
TIMEOUT = 10.0


class MqttEndpoint:
    """MQTT 3.1.1 and MQTT 5 over TLS with client certificates (and over WebSockets), on
    127.0.0.1 (``iot_certs.mqtt``)."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        ca: CertificateAuthority,
        service: Callable[[], IotService],
        store: Callable[[], Store],
        faults: FaultCheck,
        enforce_policies: Callable[[], bool] = lambda: False,
    ) -> None:
        self._service = service
        self._store = store
        self._door = DeviceDoor(service, ProvisioningApi(service, faults), enforce_policies)
        self._directory = Path(tempfile.mkdtemp(prefix="pytest-iotcerts-mqtt-"))
        self._tls = DeviceTls(
            ca,
            self._directory,
            version=lambda: (id(self._store()), self._store().version),  # a reset: a new store
            anchors=lambda: self._service().connections.trust_anchors(),
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="pytest-iotcerts-mqtt", daemon=True
        )
        self._unlisten: Callable[[], None] = lambda: None
        self._broker: IotBroker | None = None

    # -- what a test hands to its devices ---------------------------------------------------

    @property
    def port(self) -> int:
        return self._running().port

    @property
    def websocket_port(self) -> int:
        """Where MQTT over WebSockets is served (``wss://host:PORT/mqtt``, SigV4-signed)."""
        return self._running().websocket_port

    @property
    def websocket_url(self) -> str:
        return f"wss://{self.host}:{self.websocket_port}/mqtt"

    @property
    def ca_file(self) -> Path:
        """The CA certificate devices trust to verify the endpoint (``ca_filepath``)."""
        return self._tls.ca_file

    @property
    def endpoint(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    # -- what happened ---------------------------------------------------------------------

    @property
    def clients(self) -> list[Client]:
        """The devices connected now."""
        return self._door.records.clients

    @property
    def messages(self) -> list[Message]:
        """Every message published at the endpoint, oldest first: by devices (``sender`` is the
        client id) and by AWS IoT (``sender`` is None: answers, events)."""
        return self._door.records.messages

    @property
    def refusals(self) -> list[Refusal]:
        """The connections closed after the handshake, and why (not ACTIVE, unknown, ...)."""
        return self._door.records.refusals

    def messages_on(self, topic_filter: str) -> list[Message]:
        """The messages whose topic matches ``topic_filter`` (``+`` and ``#`` allowed)."""
        return list(self._door.records.messages_on(topic_filter))

    def wait_for_message(self, topic_filter: str, timeout: float = 5.0) -> Message:
        """The first message matching ``topic_filter``, waiting up to ``timeout`` seconds."""
        records = self._door.records
        records.wait(
            lambda: next(records.messages_on(topic_filter), None),
            timeout,
            f"no message on {topic_filter!r}",
        )
        return next(records.messages_on(topic_filter))

    def wait_for_client(self, client_id: str, timeout: float = 5.0) -> Client:
        """The connected client ``client_id``, waiting up to ``timeout`` seconds."""
        records = self._door.records
        records.wait(lambda: records.client(client_id), timeout, f"{client_id!r} did not connect")
        return records.client(client_id)  # type: ignore[return-value]

    # -- acting as AWS IoT -----------------------------------------------------------------

    def publish(self, topic: str, payload: bytes | str | dict[str, Any]) -> None:
        """Publish to the devices subscribed to ``topic``, as AWS IoT (a rule, a job, a test)."""
        data = _payload_bytes(payload)
        service = self._service()
        self._door.records.add_message(
            Message(topic, data, None, service.account_id, service.region)
        )
        self._call(self._running().broadcast(topic, data))

    def disconnect(self, client_id: str) -> None:
        """Close a device's connection, as a network failure would."""
        self._drop([client_id], "CONNECTION_LOST")

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> MqttEndpoint:
        self._thread.start()
        self._broker = self._call(self._start_broker())
        self._listen()
        return self

    async def _start_broker(self) -> IotBroker:
        broker = IotBroker(self._door, self._tls.context)
        await broker.start()
        for retained in self._service().messages.all_retained():  # kept before we started
            await broker.retain_message(
                None, retained.topic, retained.payload, retained.qos, retained.properties
            )
        return broker

    def stop(self) -> None:
        self._unlisten()
        if self._broker is not None:
            self._call(self._broker.shutdown())
            self._broker = None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(TIMEOUT)
            self._loop.close()
        shutil.rmtree(self._directory, ignore_errors=True)

    def store_replaced(self) -> None:
        """The mock was reset: serve the new store, and drop every connection (its certificate
        is gone with the old one)."""
        self._listen()
        connected = [client.client_id for client in self.clients]
        self._door.reset()
        self._drop(connected, "SERVER_INITIATED_DISCONNECT")
        if self._broker is not None:
            self._call(self._broker.forget_sessions())

    def _listen(self) -> None:
        self._unlisten()
        self._unlisten = self._store().events.listen(self)

    # -- events from the service layer (``core.events.Listener``) -------------------------------

    def on_message(self, message: Message) -> None:
        if self._ours(message.account_id, message.region) and self._broker is not None:
            self._door.records.add_message(message)
            broker = self._broker
            self._call(
                broker.broadcast(
                    message.topic, message.payload, message.qos, message.retain, message.properties
                ),
                wait=False,
            )

    def on_disconnect(self, request: Disconnect) -> None:
        if self._ours(request.account_id, request.region):
            self._drop(
                [request.client_id],
                "API_INITIATED_DISCONNECT",
                prevent_will=request.prevent_will_message,
                forget_session=request.clean_session,
            )

    def on_certificates_changed(self, account_id: str, region: str) -> None:
        if self._ours(account_id, region):
            refused = [client.client_id for client in self.clients if self._refused(client)]
            self._drop(refused, "AUTH_ERROR")

    def _ours(self, account_id: str, region: str) -> bool:
        service = self._service()
        return (account_id, region) == (service.account_id, service.region)

    def _refused(self, client: Client) -> bool:
        service = self._service()
        with self._store().lock:
            if client.certificate_id is None:  # a custom authorizer's client: no certificate
                return False
            record = service.scope.state.certificates.get(client.certificate_id)
            return record is None or service.connections.refusal(record) is not None

    def _drop(
        self,
        client_ids: list[str],
        reason: str,
        *,
        prevent_will: bool = False,
        forget_session: bool = False,
    ) -> None:
        broker = self._broker
        if broker is None or not client_ids:
            return

        async def dropping() -> None:
            connected = broker.connected_sessions()
            for client_id in client_ids:
                if client_id in connected:
                    broker.close(
                        connected[client_id],
                        reason,
                        prevent_will=prevent_will,
                        forget_session=forget_session,
                    )

        self._call(dropping(), wait=threading.current_thread() is not self._thread)

    # -- the loop's thread -----------------------------------------------------------------

    def _running(self) -> IotBroker:
        if self._broker is None:
            raise RuntimeError("the MQTT endpoint is stopped")
        return self._broker

    def _call(self, work: Coroutine[Any, Any, T], *, wait: bool = True) -> T:
        if threading.current_thread() is self._thread:
            self._loop.create_task(work)
            return None  # type: ignore[return-value]
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        return future.result(TIMEOUT) if wait else None  # type: ignore[return-value]


def _payload_bytes(payload: bytes | str | dict[str, Any]) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(payload).encode()


__all__ = ["Client", "MqttEndpoint", "Refusal"]
