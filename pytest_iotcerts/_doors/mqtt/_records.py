"""What the MQTT endpoint records for a test: the clients connected, the messages published and
the connections refused. Written from the broker's thread, read (and waited on) from any."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..._core.events import Message, matches


@dataclass(frozen=True)
class Client:
    """A device connected to the endpoint: with its certificate (``certificate_id``), or
    through a custom authorizer (``principal_id`` and the ``policies`` it answered)."""

    client_id: str
    certificate_id: str | None
    session_identifier: str = ""
    connected_at: float = field(default_factory=time.time)
    principal_id: str | None = None
    policies: tuple[str, ...] | None = None
    signed: bool = False  # over WebSockets with a SigV4 signature: an IAM principal
    protocol_version: int = 4  # MQTT 3.1.1 is 4, MQTT 5 is 5

    @property
    def principal(self) -> str:
        """What lifecycle events name: the certificate id, or the authorizer's principal."""
        return self.certificate_id or self.principal_id or ""


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

    def disconnected(self, client_id: str, session_identifier: str | None = None) -> None:
        """Forget the client (only if still that session: a client id taken over stays)."""

        def forget() -> None:
            client = self._clients.get(client_id)
            if client is not None and session_identifier in (None, client.session_identifier):
                del self._clients[client_id]

        self._record(forget)

    def refused(self, refusal: Refusal) -> None:
        self._record(lambda: self._refusals.append(refusal))

    def clear(self) -> None:
        def clear_all() -> None:
            self._clients.clear()
            self._messages.clear()
            self._refusals.clear()

        self._record(clear_all)

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
