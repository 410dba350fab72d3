"""MQTT 5 persistent sessions: a client that connects with Clean Start 0 and a Session Expiry
Interval keeps its subscriptions past its connection, and the QoS 1 messages meant for it while
it is away are queued and sent when it comes back (its CONNACK then says Session Present), as
AWS IoT's persistent sessions do; a queued message past its Message Expiry Interval is dropped,
and one sent late carries the time it has left. AWS IoT holds a session at most an hour by
default."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moat.lib.mqtt import Subscription

from ..._core.events import matches, unshared
from ._properties5 import aged

MAX_EXPIRY_SECONDS = 3600  # AWS IoT's default persistent session expiry period
MAX_QUEUED = 1000  # per session; the oldest go first past it

Queued = tuple[str, bytes, int, Mapping[str, Any], float]  # topic, payload, QoS, properties, at


@dataclass
class Kept:
    subscriptions: dict[str, Subscription]
    expires_at: float
    queued: list[Queued] = field(default_factory=list)


class KeptSessions:
    def __init__(self) -> None:
        self._kept: dict[str, Kept] = {}  # client id -> its session while it is away

    def clear(self) -> None:
        self._kept.clear()

    def resume(self, client_id: str, clean_start: bool) -> Kept | None:
        """The session a client connecting now takes up again (None: a new one)."""
        kept = self._kept.pop(client_id, None)
        if clean_start or kept is None or kept.expires_at < time.monotonic():
            return None
        return kept

    def keep(self, client_id: str, subscriptions: dict[str, Subscription], seconds: int) -> None:
        if seconds > 0:
            self._kept[client_id] = Kept(dict(subscriptions), time.monotonic() + seconds)

    def queue(self, topic: str, payload: bytes, qos: int, named: Mapping[str, Any]) -> None:
        """Queue a QoS 1 message for every session away that subscribed to its topic."""
        if qos < 1 or not self._kept:
            return
        now = time.monotonic()
        for client_id, kept in list(self._kept.items()):
            if kept.expires_at < now:
                del self._kept[client_id]
                continue
            wanted = [s for f, s in kept.subscriptions.items() if matches(topic, unshared(f))]
            if wanted and max(int(s.max_qos) for s in wanted) >= 1:
                kept.queued.append((topic, payload, 1, named, now))
                del kept.queued[:-MAX_QUEUED]


def still_valid(queued: list[Queued]) -> list[tuple[str, bytes, int, Mapping[str, Any]]]:
    """The queued messages not expired, each with the expiry it has left."""
    now, valid = time.monotonic(), []
    for topic, payload, qos, named, at in queued:
        left = aged(named, now - at)
        if left is not None:
            valid.append((topic, payload, qos, left))
    return valid


def expiry(requested: int) -> int:
    """The session expiry AWS IoT grants (seconds)."""
    return min(requested, MAX_EXPIRY_SECONDS)
