"""A WebSocket as MQTT sees it: its binary messages as one byte stream to read (MQTT packets may
span messages, and one message may carry several), and a transport to write to, whose writes go
out in order. The endpoint reads the CONNECT's protocol level from it, then hands it to amqtt
(MQTT 3.1.1) or to ``_mqtt5`` (MQTT 5), as for TLS connections."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any
from urllib.parse import urlsplit

from ..._service.custom_auth import WebSocketUpgrade


class WebSocketStream:
    def __init__(self, websocket: Any) -> None:
        self._websocket = websocket
        transport = getattr(websocket, "transport", None)
        sock = transport.get_extra_info("socket") if transport is not None else None
        self._socket = sock if hasattr(socket, "TCP_QUICKACK") else None
        self._buffer = bytearray()
        self._outgoing: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._closing = False
        self._sender: asyncio.Task[None] | None = None

    # -- reading -------------------------------------------------------------------------------

    async def read(self, n: int = -1) -> bytes:
        """What has arrived, up to ``n`` bytes (b"": the WebSocket is closed)."""
        if not self._buffer:
            try:
                message = await self._websocket.recv()
            except Exception:  # websockets' ConnectionClosed, or the socket gone under it
                return b""
            self._buffer.extend(message.encode() if isinstance(message, str) else message)
            self._acknowledge()
        cut = len(self._buffer) if n < 0 else min(n, len(self._buffer))
        data = bytes(self._buffer[:cut])
        del self._buffer[:cut]
        return data

    def _acknowledge(self) -> None:
        """Acknowledge what was read at once (Linux's TCP_QUICKACK), as the TLS listener does:
        a client with Nagle's algorithm on would otherwise wait out the kernel's delayed ACK,
        40 ms per request and answer on loopback."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)

    async def readexactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = await self.read(n - len(data))
            if not chunk:
                raise asyncio.IncompleteReadError(data, n)
            data += chunk
        return data

    def unread(self, data: bytes) -> None:
        """Put bytes back in front (the CONNECT's first bytes, read to learn its version)."""
        self._buffer[:0] = data

    def feed_eof(self) -> None:
        """amqtt's ReaderAdapter asks for it; the WebSocket's close is the end of the stream."""

    # -- writing (the transport ``_mqtt5`` writes to) ------------------------------------------

    def write(self, data: bytes) -> None:
        if self._closing:
            return
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send())
        self._outgoing.put_nowait(bytes(data))

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            if self._sender is None:
                self._sender = asyncio.get_running_loop().create_task(self._send())
            self._outgoing.put_nowait(None)

    def is_closing(self) -> bool:
        return self._closing

    async def _send(self) -> None:
        while (data := await self._outgoing.get()) is not None:
            try:
                await self._websocket.send(data)
            except Exception:  # the client has gone: nothing more to send
                break
        with contextlib.suppress(Exception):
            await self._websocket.close()


def upgrade_of(websocket: Any, path: str) -> WebSocketUpgrade:
    """The HTTP request that opened an unsigned WebSocket, for a custom authorizer."""
    request = getattr(websocket, "request", None)
    headers = getattr(request, "headers", None) or {}
    return WebSocketUpgrade(
        {str(name): str(value) for name, value in headers.items()}, urlsplit(path).query
    )
