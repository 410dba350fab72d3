"""AWS IoT's side of the MQTT endpoint: which connections are admitted (the service layer decides),
what the device provisioning API answers, and the record a test reads (clients, messages,
refused connections). The broker calls it from its own thread; tests read it from theirs."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .._errors import ServiceError
from .._events import Message, matches
from .._service import IotService
from .._service.connections import ConnectionRefused
from ._provisioning_api import DropConnection, ProvisioningApi, Request


@dataclass(frozen=True)
class Client:
    """A device connected to the endpoint."""

    client_id: str
    certificate_id: str
    connected_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Refusal:
    """A connection AWS IoT closed after the TLS handshake, and why."""

    certificate_id: str | None
    reason: str
    at: float = field(default_factory=time.time)


class Records:
    """What happened at the endpoint, safe to read from any thread, and waited on."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._clients: dict[str, Client] = {}
        self._messages: list[Message] = []
        self._refusals: list[Refusal] = []

    @property
    def clients(self) -> list[Client]:
        with self._changed:
            return list(self._clients.values())

    @property
    def messages(self) -> list[Message]:
        with self._changed:
            return list(self._messages)

    @property
    def refusals(self) -> list[Refusal]:
        with self._changed:
            return list(self._refusals)

    def client(self, client_id: str) -> Client | None:
        with self._changed:
            return self._clients.get(client_id)

    def add_message(self, message: Message) -> None:
        self._record(lambda: self._messages.append(message))

    def connected(self, client: Client) -> None:
        self._record(lambda: self._clients.__setitem__(client.client_id, client))

    def disconnected(self, client_id: str) -> None:
        self._record(lambda: self._clients.pop(client_id, None))

    def refused(self, refusal: Refusal) -> None:
        self._record(lambda: self._refusals.append(refusal))

    def clear(self) -> None:
        def clear_both() -> None:
            self._messages.clear()
            self._refusals.clear()

        self._record(clear_both)

    def _record(self, change: Callable[[], object]) -> None:
        with self._changed:
            change()
            self._changed.notify_all()

    def wait(self, found: Callable[[], object], timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(found, timeout):
                raise TimeoutError(f"{what} within {timeout} s")

    def messages_on(self, topic_filter: str) -> Iterator[Message]:
        with self._changed:
            messages = list(self._messages)
        return (message for message in messages if matches(message.topic, topic_filter))


class DeviceDoor:
    """What ``_broker.IotBroker`` asks; the answers come from the service layer."""

    def __init__(self, service: Callable[[], IotService], api: ProvisioningApi) -> None:
        self._service = service
        self._api = api
        self.records = Records()

    def admit(self, certificate_der: bytes | None) -> bool:
        if certificate_der is None:
            self.records.refused(Refusal(None, "The client presented no certificate."))
            return False
        try:
            self._service().connections.admit(certificate_der)
        except ConnectionRefused as refusal:
            self.records.refused(Refusal(_certificate_id(certificate_der), refusal.reason))
            return False
        return True

    def connected(self, client_id: str, certificate_der: bytes) -> None:
        self.records.connected(Client(client_id, _certificate_id(certificate_der)))

    def disconnected(self, client_id: str) -> None:
        self.records.disconnected(client_id)

    def published(self, client_id: str, topic: str, payload: bytes) -> None:
        service = self._service()
        self.records.add_message(
            Message(topic, payload, client_id, service.account_id, service.region)
        )

    def is_api(self, topic: str) -> bool:
        return Request.parse(topic) is not None

    def reserved(
        self, client_id: str, topic: str, payload: bytes
    ) -> list[tuple[str, bytes]] | None:
        request = Request.parse(topic)
        client = self.records.client(client_id)
        if request is None or client is None:
            return []
        service = self._service()
        try:
            claim = service.certificates.describe(client.certificate_id)
            answer_topic, data = self._api.answer(request, payload, claim, client_id)
        except (DropConnection, ServiceError):  # a fault, or the certificate is gone
            return None
        self.records.add_message(
            Message(answer_topic, data, None, service.account_id, service.region)
        )
        return [(answer_topic, data)]


def _certificate_id(certificate_der: bytes) -> str:
    return hashlib.sha256(certificate_der).hexdigest()
