"""amqtt's table of subscriptions (topic filter -> its sessions and granted QoS), read for AWS
IoT's rules: the filters a connection holds (AWS IoT's quota of 50), the subscriber of an API's
answer, and shared subscriptions (``$share/GROUP/FILTER``), which AWS IoT serves to MQTT 5 and
MQTT 3.1.1 clients alike: a message matching a group's filter goes to one member of the group,
the members taking turns, whatever their MQTT version."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..._core.events import SHARE, matches, unshared

# A member of a group: send (topic, payload, QoS, properties) to it.
Send = Callable[[str, bytes, int, Mapping[str, Any]], None]


class SharedGroups:
    def __init__(self) -> None:
        self._turns: dict[str, itertools.count[int]] = {}  # shared filter -> whose turn

    def deliver(
        self,
        groups: dict[str, list[Send]],
        topic: str,
        data: bytes,
        qos: int,
        properties: Mapping[str, Any],
    ) -> None:
        for topic_filter, members in groups.items():
            turn = next(self._turns.setdefault(topic_filter, itertools.count()))
            members[turn % len(members)](topic, data, qos, properties)


def amqtt_members(
    subscriptions: Mapping[str, list[tuple[Any, int]]], topic: str
) -> Iterator[tuple[str, Any, int]]:
    """The connected 3.1.1 members (amqtt's sessions and their granted QoS) of the shared
    subscriptions whose filter matches ``topic``."""
    for topic_filter, subscribers in subscriptions.items():
        if not topic_filter.startswith(SHARE) or not matches(topic, unshared(topic_filter)):
            continue
        for session, granted in subscribers:
            if session.transitions.is_connected():
                yield topic_filter, session, granted


def filters_of(subscriptions: Mapping[str, list[tuple[Any, int]]], session: Any) -> set[str]:
    """The topic filters one amqtt session holds."""
    return {
        topic_filter
        for topic_filter, subscribers in subscriptions.items()
        if any(subscriber is session for subscriber, _qos in subscribers)
    }


def granted_to(
    subscriptions: Mapping[str, list[tuple[Any, int]]],
    topic: str,
    client_id: str,
    matched: Callable[[str, str], bool],
) -> int | None:
    """The QoS granted to ``client_id`` by its first subscription matching ``topic``; None
    when it holds none."""
    for topic_filter, subscribers in subscriptions.items():
        if matched(topic, topic_filter):
            for subscriber, qos in subscribers:
                if subscriber.client_id == client_id:
                    return qos
    return None
