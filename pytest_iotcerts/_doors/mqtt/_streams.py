"""Where devices connect and what is read first: amqtt's listeners (mutual TLS, and MQTT over
WebSockets, both on 127.0.0.1 and a free port), the CONNECT's protocol level (which chooses the
broker), and a reader that acknowledges each read at once."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from ._door_api import Door

DEFAULT_LISTENER = "default"
WEBSOCKETS_LISTENER = "websockets"
BROKER_CONFIG: dict[str, Any] = {
    "listeners": {
        DEFAULT_LISTENER: {
            "type": "tcp",
            "bind": "127.0.0.1:0",
            "ssl": True,
            "max_connections": -1,
        },
        # MQTT over WebSockets (wss://.../mqtt), signed with SigV4 as the Device SDK signs it
        WEBSOCKETS_LISTENER: {
            "type": "ws",
            "bind": "127.0.0.1:0",
            "ssl": True,
            "max_connections": -1,
        },
    },
    "plugins": {},  # no anonymous login, no $SYS topics: our door authenticates
}


def listening_port(server: Any) -> int:
    """The port a listener (an asyncio server) was given."""
    return int(next(iter(server.sockets)).getsockname()[1])


async def protocol_level(reader: asyncio.StreamReader) -> tuple[int | None, bytes]:
    """The CONNECT's protocol level (4: MQTT 3.1.1, 5: MQTT 5; None: the first packet is not a
    well-formed CONNECT), and the bytes read to learn it, which the broker is given again."""
    head = await reader.readexactly(2)  # the packet type, the first byte of its length
    if head[0] != 0x10:
        return None, head
    while head[-1] & 0x80 and len(head) < 5:  # the rest of the variable-length length
        head += await reader.readexactly(1)
    length = sum((byte & 0x7F) << (7 * index) for index, byte in enumerate(head[1:]))
    if length < 10:  # a protocol name, a level, flags and a keep-alive at the least
        return None, head
    name_and_level = await reader.readexactly(7)  # 0x00 0x04 "MQTT" and the level
    return name_and_level[6], head + name_and_level


class QuickAckReader:
    """A StreamReader that acknowledges what it read at once (Linux's TCP_QUICKACK).

    A client with Nagle's algorithm on (paho, awscrt) holds its next packet until its last one
    is acknowledged; with the kernel's delayed ACK that is 40 ms per request/answer on loopback.
    Acknowledging each read at once makes a round trip take well under a millisecond.
    """

    def __init__(self, reader: asyncio.StreamReader, sock: Any, read_already: bytes = b"") -> None:
        self._reader = reader
        self._sock = sock if hasattr(socket, "TCP_QUICKACK") else None
        self._first = read_already  # the CONNECT's first bytes, read to learn its version

    async def read(self, n: int = -1) -> bytes:
        if self._first:
            cut = len(self._first) if n < 0 else n
            data, self._first = self._first[:cut], self._first[cut:]
            return data
        return self._acked(await self._reader.read(n))

    async def readexactly(self, n: int) -> bytes:
        if self._first:
            data, self._first = self._first[:n], self._first[n:]
            if len(data) < n:
                data += await self._reader.readexactly(n - len(data))
            return self._acked(data)
        return self._acked(await self._reader.readexactly(n))

    def feed_eof(self) -> None:
        self._reader.feed_eof()

    def _acked(self, data: bytes) -> bytes:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return data


async def connect_level(
    reader: Any, door: Door, der: bytes | None, transport: Any, seconds: float
) -> tuple[int, bytes] | None:
    """The CONNECT's protocol level and the bytes read to learn it; None (the connection
    closed, the refusal recorded) when no CONNECT comes within ``seconds`` or the first
    packet is not one."""
    try:
        level, read_already = await asyncio.wait_for(protocol_level(reader), seconds)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        door.refused_before_connect(der, "No CONNECT came in time.")
        transport.abort()
        return None
    if level is None:  # MQTT: a connection's first packet is CONNECT, else it is closed
        door.refused_before_connect(der, "The first packet was not a CONNECT.")
        transport.abort()
        return None
    return level, read_already
