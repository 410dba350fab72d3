"""The loopback door: an HTTP endpoint on 127.0.0.1 for callers outside this process's botocore
(the aws CLI, the AWS SDK for JavaScript, any subprocess).

HTTP itself is waitress's: a small, pure-Python WSGI server with no dependencies of its own,
maintained by the Pylons project and hardened against malformed and hostile HTTP (request line
and header parsing, request smuggling, bounded bodies and headers). Its connections live on one
asyncore loop rather than a thread each, so a stuck client holds no thread. Here it only gets:

- an application that turns WSGI into the router's HttpRequest and back; the URL is built from
  the address we listen on, never from the ``Host`` header, so no header changes the route;
- AWS's error shape (JSON ``message``, ``x-amzn-ErrorType``) for what waitress refuses itself;
- a dropped connection, with no answer, for an injected transport fault;
- a stop that closes every connection and joins every thread;
- a door that only local programs pass. Served on a loopback address, a request must name a
  loopback host (``localhost``, ``127.0.0.1``, ``[::1]``): a page in the developer's browser that
  points its own host name at 127.0.0.1 (DNS rebinding) is refused. A request with an ``Origin``
  (only browsers send one) is refused on any address, so no web page can reset the emulator or
  read what it holds. Served on another address (``serve --host 0.0.0.0``, for containers),
  any host name is taken: the caller chose to be reachable under it;
- enough connections for a suite, and idle ones closed after ``IDLE_SECONDS``, so clients that
  open connections and send nothing cannot shut others out.

This module imports waitress, so it is only imported when the endpoint starts.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask

from .._wire.http import HttpRequest, HttpResponse, TransportFault

LOOPBACK = "127.0.0.1"
MAX_BODY_BYTES = 1 << 20  # the largest IoT request (a 4096-character CSR, policies) is far below
WORKER_THREADS = 4
IDLE_SECONDS = 15  # a connection silent this long is closed (clients reconnect as they must)
MAX_CONNECTIONS = 1000  # fewer when the process may open fewer files

Handle = Callable[[HttpRequest], HttpResponse]

# waitress logs client disconnects and the requests it refuses; every call is in `calls` instead.
_QUIET = logging.getLogger("pytest_iotcerts.loopback")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


class LoopbackServer:
    """The emulator over HTTP: on 127.0.0.1 and a free port for the mock's subprocesses, or on a
    chosen address and port for ``python -m pytest_iotcerts serve``."""

    def __init__(self, handle: Handle, *, host: str = LOOPBACK, port: int = 0) -> None:
        self._handle = handle
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> str:
        """Start (once) and return the endpoint URL."""
        with self._lock:
            if self._server is None:
                self._server = _Server(self._handle, self._host, self._port)
                self._thread = threading.Thread(
                    target=self._server.run, name="pytest-iotcerts-loopback", daemon=True
                )
                self._thread.start()
            return self._server.url

    def stop(self) -> None:
        """Close every connection, then join the loop and the worker threads."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None and thread is not None:
            server.pull_trigger_to_close_all()
            thread.join(timeout=10)
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=10)


class _DropConnection(Exception):
    """The application's way to have the task close the connection without an answer."""


class _Task(WSGITask):  # type: ignore[misc]
    dropped = False

    def execute(self) -> None:
        try:
            super().execute()
        except _DropConnection:
            self.dropped = True
            self.close_on_finish = True

    def finish(self) -> None:
        if not self.dropped:
            super().finish()


class _AwsErrorTask(ErrorTask):  # type: ignore[misc]
    """What waitress refuses before the application runs (a malformed request line, a bad
    Content-Length, a body over the limit), in AWS's error shape."""

    def execute(self) -> None:
        error = self.request.error
        code = (
            "InternalFailureException"
            if error.code >= 500
            else "RequestEntityTooLargeException"
            if error.code == 413
            else "InvalidRequestException"
        )
        body = json.dumps({"message": f"{error.reason}: {error.body}"}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):  # type: ignore[misc]
    logger = _QUIET
    task_class = _Task
    error_task_class = _AwsErrorTask


class _Server(TcpWSGIServer):  # type: ignore[misc]
    logger = _QUIET
    channel_class = _Channel

    def __init__(self, handle: Handle, host: str = LOOPBACK, port: int = 0) -> None:
        self._bind_host = host
        adjustments = Adjustments(
            host=host,
            port=port,
            threads=WORKER_THREADS,
            max_request_body_size=MAX_BODY_BYTES,
            channel_timeout=IDLE_SECONDS,
            cleanup_interval=2,
            connection_limit=_connection_limit(),
            ident="pytest-iotcerts",
            expose_tracebacks=False,
            log_socket_errors=False,
        )
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(WORKER_THREADS)
        dispatcher.logger = dispatcher.queue_logger = _QUIET
        super().__init__(_application(handle, self), map={}, dispatcher=dispatcher, adj=adjustments)

    @property
    def url(self) -> str:
        return f"http://{self._bind_host}:{self.effective_port}"

    @property
    def bound_host(self) -> str:
        return self._bind_host

    def pull_trigger_to_close_all(self) -> None:
        """Close the listener and every connection on the loop's own thread; the loop then
        ends, its map being empty."""
        self.trigger.pull_trigger(self._close_all)

    def _close_all(self) -> None:
        for dispatcher in list(self._map.values()):
            if isinstance(dispatcher, HTTPChannel):
                dispatcher.handle_close()  # also wakes a worker waiting for the loop to flush
            elif dispatcher is not self.trigger:
                dispatcher.close()
        self.trigger.close()

    def pull_trigger(self) -> None:
        """Wake the loop; a worker finishing its task after the stop finds no loop to wake."""
        with contextlib.suppress(OSError):
            self.trigger.pull_trigger()


def _connection_limit() -> int:
    try:
        import resource  # not on Windows

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 100
    unlimited = soft == resource.RLIM_INFINITY
    return MAX_CONNECTIONS if unlimited else max(50, min(MAX_CONNECTIONS, soft // 2))


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _refusal(environ: dict[str, Any], bound_host: str) -> str | None:
    """Why a request may not pass the door (a web page's, or a rebound host name's), or None."""
    if environ.get("HTTP_ORIGIN"):
        return (
            f"Requests from web pages (Origin: {environ['HTTP_ORIGIN']}) are refused: "
            "pytest-iotcerts answers programs on this machine."
        )
    host = str(environ.get("HTTP_HOST") or "")
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or "]" in host else host
    if host and _is_loopback(bound_host) and not _is_loopback(name):
        return (
            f"The host {host!r} is not this loopback endpoint's; use http://{bound_host} "
            "(or localhost)."
        )
    return None


def _application(handle: Handle, server: _Server) -> Callable[..., Iterable[bytes]]:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        refusal = _refusal(environ, server.bound_host)
        if refusal is not None:
            body = json.dumps({"message": refusal}).encode()
            start_response(
                "403 Forbidden",
                [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")],
            )
            return [body]
        request = HttpRequest(
            method=environ["REQUEST_METHOD"],
            url=f"{server.url}{environ.get('REQUEST_URI') or '/'}",
            headers=_headers(environ),
            body=environ["wsgi.input"].read(),
        )
        try:
            response = handle(request)
        except TransportFault:
            raise _DropConnection from None
        status = HTTPStatus(response.status_code)
        start_response(f"{status.value} {status.phrase}", list(response.headers.items()))
        return [] if request.method == "HEAD" else [response.body]

    return application


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers
