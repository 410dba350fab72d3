"""What the service tells its doors without being asked: the messages AWS IoT itself publishes
(``$aws/events/...``), and that certificates changed in a way a live connection must be checked
against (a certificate revoked, a CA deactivated).

The service layer calls ``publish`` and ``certificates_changed`` after releasing the store's lock;
listeners (the MQTT endpoint) run in the caller's thread and must not call back into a lock they
might wait on. The core records every message, so a test reads them with or without MQTT.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._aws.public import public


@public
@dataclass(frozen=True)
class Message:
    """One MQTT message: ``sender`` is the client id that published it, or None when AWS IoT
    published it (an event, or the answer to a device's request)."""

    topic: str
    payload: bytes
    sender: str | None = None
    account_id: str = ""
    region: str = ""
    timestamp: float = field(default_factory=time.time)
    qos: int = 0
    retain: bool = False
    # how it came: "mqtt" (a device), "http" (iot-data Publish), "aws" (AWS IoT published it)
    via: str = "aws"
    # MQTT 5 properties as Publish carries them (userProperties, contentType, responseTopic, ...)
    properties: Mapping[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        """The payload, decoded as JSON."""
        return json.loads(self.payload)


def matches(topic: str, topic_filter: str) -> bool:
    """MQTT's topic filter rules (``+`` one level, ``#`` the rest; ``$`` topics only by name)."""
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False
    levels, wanted = topic.split("/"), topic_filter.split("/")
    for index, level in enumerate(wanted):
        if level == "#":
            return True
        if index >= len(levels) or level not in ("+", levels[index]):
            return False
    return len(levels) == len(wanted)


SHARE = "$share/"


def unshared(topic_filter: str) -> str:
    """The filter a shared subscription (``$share/GROUP/FILTER``) matches with; others as
    they are."""
    if topic_filter.startswith(SHARE):
        parts = topic_filter.split("/", 2)
        return parts[2] if len(parts) == 3 else ""
    return topic_filter


class Listener(Protocol):
    def on_message(self, message: Message) -> None: ...

    def on_certificates_changed(self, account_id: str, region: str) -> None: ...

    def on_disconnect(self, request: Disconnect) -> None: ...


@dataclass(frozen=True)
class Disconnect:
    """DeleteConnection: close a client's connection, as the API asks."""

    account_id: str
    region: str
    client_id: str
    clean_session: bool = False
    prevent_will_message: bool = False


class Events:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._published: list[Message] = []
        self._messages: list[Message] = []  # every message, whoever published it
        self._observers: list[Callable[[Message], None]] = []

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; the function returned removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    @property
    def published(self) -> list[Message]:
        """Every message AWS IoT published, oldest first."""
        with self._lock:
            return list(self._published)

    @property
    def messages(self) -> list[Message]:
        """Every message published, by devices, over HTTP and by AWS IoT, oldest first."""
        with self._lock:
            return list(self._messages)

    def publish(self, account_id: str, region: str, topic: str, payload: dict[str, Any]) -> Message:
        """Publish ``payload`` (as JSON) on ``topic`` as AWS IoT."""
        message = Message(
            topic,
            json.dumps(payload, separators=(",", ":")).encode(),
            account_id=account_id,
            region=region,
        )
        self.record(message)
        return message

    def observe(self, observer: Callable[[Message], None]) -> None:
        """Call ``observer`` with every message recorded (the rules engine), delivered or not."""
        with self._lock:
            self._observers.append(observer)

    def record(self, message: Message, *, deliver: bool = True) -> None:
        """Keep ``message`` and, unless a broker delivered it already, hand it to the doors;
        then to the observers."""
        with self._lock:
            self._messages.append(message)
            if message.via == "aws":
                self._published.append(message)
            listeners = list(self._listeners) if deliver else []
            observers = list(self._observers)
        for listener in listeners:
            listener.on_message(message)
        for observer in observers:
            observer(message)

    def disconnect(self, request: Disconnect) -> None:
        """Ask the doors to close a client's connection."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.on_disconnect(request)

    def certificates_changed(self, account_id: str, region: str) -> None:
        """A certificate's or a CA's status changed: live connections are checked again."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.on_certificates_changed(account_id, region)
