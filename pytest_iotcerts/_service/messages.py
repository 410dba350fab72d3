"""AWS IoT's message broker, as the service sees it: every message published in the account and
region, whoever published it (a device over MQTT, a client through ``iot-data``'s Publish, AWS
IoT itself), kept in one record and handed to the doors that deliver it; retained messages; the
shadow requests among them; and the reserved topics devices may only subscribe to.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .._aws.errors import ServiceError, invalid_request
from .._core.events import Message
from .._core.resources import RetainedMessage
from ._scope import Scope
from .commands import Commands
from .jobs_mqtt import JobsMqtt
from .shadows import Shadows

MAX_TOPIC_BYTES = 256
# Reserved topics that AWS IoT publishes on and devices only subscribe to: the answers of its
# MQTT APIs (shadows, jobs, provisioning) and its events.
SUBSCRIBE_ONLY = re.compile(
    r"^\$aws/(events/.*|.*/(accepted|rejected|delta|documents|notify|notify-next)"
    r"|commands/.*/request(/[^/]+)?|commands/.*/response/(accepted|rejected)(/[^/]+)?)$"
)


class Messages:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int = 0,
        retain: bool = False,
        sender: str | None = None,
        via: str = "http",
        properties: Mapping[str, Any] | None = None,
        delivered: bool = False,
    ) -> Message:
        """Publish as a client would (``delivered``: an MQTT broker has sent it to its
        subscribers already); a shadow request is answered, a retained message kept."""
        check_topic(topic)
        if subscribe_only(topic):
            raise ServiceError(
                "UnauthorizedException",
                f"{topic} is a reserved topic AWS IoT publishes on; clients may only subscribe "
                "to it.",
            )
        message = Message(
            topic,
            payload,
            sender,
            self._scope.account_id,
            self._scope.region,
            qos=qos,
            retain=retain,
            via=via,
            properties=dict(properties or {}),
        )
        if retain:
            self._retain(message)
        # basic ingest ($aws/rules/RULE/...) goes to that rule only, never to subscribers
        basic_ingest = topic.startswith("$aws/rules/")
        self._scope.store.events.record(message, deliver=not (delivered or basic_ingest))
        answered = Shadows(self._scope).request(topic, payload)
        answered = answered or JobsMqtt(self._scope).request(topic, payload)
        if not answered:
            Commands(self._scope).response(topic, payload)
        return message

    # -- retained messages ---------------------------------------------------------------------

    def _retain(self, message: Message) -> None:
        retained = self._scope.state.retained
        with self._scope.store.lock:
            if not message.payload:
                retained.pop(message.topic, None)  # an empty retained message clears the topic
                return
            retained[message.topic] = RetainedMessage(
                message.topic,
                message.payload,
                message.qos,
                int(time.time() * 1000),
                list(message.properties.get("userProperties") or []),
                dict(message.properties),
            )

    def retained(self, topic: str) -> RetainedMessage:
        with self._scope.store.lock:
            found = self._scope.state.retained.get(topic)
        if found is None:
            raise ServiceError(
                "ResourceNotFoundException", f"No retained message exists for topic: {topic}"
            )
        return found

    def all_retained(self) -> list[RetainedMessage]:
        """Retained messages in topic order."""
        with self._scope.store.lock:
            return list(self.in_topic_order())

    def in_topic_order(self) -> Sequence[RetainedMessage]:
        """Retained messages in topic order, to slice a page from (call under the store's lock:
        a view of them as held)."""
        return self._scope.state.retained.in_name_order()


def check_topic(topic: str) -> None:
    """A topic a message can be published on: not empty, no wildcards, at most 256 bytes."""
    if not topic:
        raise invalid_request("The topic is empty.")
    if "+" in topic or "#" in topic:
        raise invalid_request(f"{topic}: a message is published on a topic, not a topic filter.")
    if len(topic.encode()) > MAX_TOPIC_BYTES:
        raise invalid_request(
            f"A topic is at most {MAX_TOPIC_BYTES} bytes; {topic[:40]}... is not."
        )


def subscribe_only(topic: str) -> bool:
    return SUBSCRIBE_ONLY.match(topic) is not None
