"""The loopback door: an HTTP endpoint on 127.0.0.1 for callers outside this process's botocore
(the aws CLI, the AWS SDK for JavaScript, any subprocess).

It only translates HTTP to the router's HttpRequest and back; a transport fault closes the
connection without an answer, which clients see as the network failure it stands for.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ._http import HttpRequest, HttpResponse, TransportFault

LOOPBACK = "127.0.0.1"


class LoopbackServer:
    def __init__(self, handle: Callable[[HttpRequest], HttpResponse]) -> None:
        self._handle = handle
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Start (once) and return the endpoint URL."""
        with self._lock:
            if self._server is None:
                server = ThreadingHTTPServer((LOOPBACK, 0), _handler_class(self._handle))
                server.daemon_threads = True
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name="pytest-iotcerts-loopback",
                    daemon=True,
                )
                thread.start()
                self._server, self._thread = server, thread
            return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the loopback endpoint is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)


def _handler_class(
    handle: Callable[[HttpRequest], HttpResponse],
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as SDKs expect

        def _answer(self) -> None:
            try:
                body = self._read_body()
            except ValueError:
                self.send_error(400, "malformed request body")
                return
            host = self.headers.get("Host") or LOOPBACK
            request = HttpRequest(
                self.command, f"http://{host}{self.path}", dict(self.headers.items()), body
            )
            try:
                response = handle(request)
            except TransportFault:
                self._drop_connection()
                return
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def _drop_connection(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: every call is in the controller's ``calls`` instead."""

    return Handler
