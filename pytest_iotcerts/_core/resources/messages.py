"""Retained messages: the last message published with ``retain`` on a topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..._aws.public import public


@public
@dataclass(frozen=True)
class RetainedMessage:
    """What a new subscriber to ``topic`` is sent first, and GetRetainedMessage answers."""

    topic: str
    payload: bytes
    qos: int
    last_modified: int  # epoch milliseconds
    user_properties: list[dict[str, str]] = field(default_factory=list)
    # every MQTT 5 property it was published with, named as Publish names them
    properties: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        import json

        return json.loads(self.payload)
