"""What the brokers (amqtt's for MQTT 3.1.1, ours for MQTT 5) ask of AWS IoT's side of the
endpoint (``_door.DeviceDoor``): admission, the CONNECT, policies, limits, the record of what
devices publish and the ``$aws/`` APIs' answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..._service.custom_auth import WebSocketUpgrade


class Door(Protocol):
    """What the broker asks of AWS IoT's side (``_door.DeviceDoor``)."""

    def admit(self, certificate_der: bytes | None) -> bool: ...

    def refused_before_connect(self, certificate_der: bytes | None, reason: str) -> None: ...

    def websocket_signature(self, path: str) -> str | None: ...

    def connect_signed(
        self, client_id: str, access_key_id: str, protocol_version: int = 4
    ) -> str | None: ...

    def connect(
        self,
        client_id: str,
        certificate_der: bytes | None,
        username: str | None = None,
        password: bytes | None = None,
        protocol_version: int = 4,
        upgrade: WebSocketUpgrade | None = None,
    ) -> str | None: ...

    def closing(self, session_identifier: str, reason: str) -> None: ...

    def disconnected(self, session_identifier: str, clean: bool) -> None: ...

    def subscribed(self, client_id: str, topic_filters: list[str]) -> None: ...

    def may(self, client_id: str, action: str, name: str) -> bool: ...

    def past_limits(self, client_id: str, topic: str, payload: bytes) -> bool: ...

    def published(
        self,
        client_id: str,
        topic: str,
        payload: bytes,
        qos: int,
        retain: bool,
        properties: Mapping[str, Any] | None = None,
    ) -> None: ...

    def subscribe_only(self, topic: str) -> bool: ...

    def is_api(self, topic: str) -> bool: ...

    def reserved(
        self, client_id: str, topic: str, payload: bytes
    ) -> list[tuple[str, bytes]] | None: ...
