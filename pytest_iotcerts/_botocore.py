"""The botocore door: every IoT control-plane request of every botocore client goes to the router.

botocore emits ``before-send.{service}.{operation}`` with the signed HTTP request just before
sending it, and uses the first response a handler returns instead of the network. The patch sits
on the emitter class, so it answers for clients and sessions created before activation too,
whatever their endpoint URL, and ahead of any other ``before-send`` handler (moto's included:
with ``mock_aws()`` active as well, IoT is still ours). botocore's parser, exception classes and
retry logic all run unchanged on the answer. Other services pass through untouched.

The patches are installed when the first mock starts and removed, exactly as they were, when the
last one stops.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

import botocore.endpoint
import botocore.hooks
import botocore.signers
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import Credentials
from botocore.endpoint import Endpoint
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from ._http import HttpRequest, HttpResponse, TransportFault

SERVICE_ID = (
    "iot"  # IoT control plane; the data planes are iot-data-plane, iot-jobs-data-plane, ...
)
BEFORE_SEND = f"before-send.{SERVICE_ID}."
FAKE_ACCESS_KEY_ID = "AKIAIOTCERTSTESTING0"
FAKE_SECRET_ACCESS_KEY = "pytest-iotcerts-fake-secret-access-key00"


class Target(Protocol):
    """What the door needs of an active mock."""

    sleep_on_retry: bool

    def handle(self, request: HttpRequest) -> HttpResponse: ...

    def record_retry_delay(self, seconds: float) -> None: ...


_lock = threading.Lock()
_stack: list[Target] = []
_originals: dict[str, Any] = {}
_local = threading.local()


def current() -> Target | None:
    stack = _stack
    return stack[-1] if stack else None


def push(target: Target) -> None:
    with _lock:
        if not _stack:
            _install()
        _stack.append(target)


def pop(target: Target) -> None:
    with _lock:
        _stack.remove(target)
        if not _stack:
            _uninstall()


def _install() -> None:
    emitter = botocore.hooks.HierarchicalEmitter
    _originals["emit"] = emitter.__dict__["emit"]
    _originals["needs_retry"] = Endpoint.__dict__["_needs_retry"]
    _originals["get_auth_instance"] = botocore.signers.RequestSigner.__dict__["get_auth_instance"]
    _originals["time"] = botocore.endpoint.time
    emitter.emit = _emit
    Endpoint._needs_retry = _needs_retry
    botocore.signers.RequestSigner.get_auth_instance = _get_auth_instance
    botocore.endpoint.time = _SleepGate()


def _uninstall() -> None:
    botocore.hooks.HierarchicalEmitter.emit = _originals.pop("emit")
    Endpoint._needs_retry = _originals.pop("needs_retry")
    botocore.signers.RequestSigner.get_auth_instance = _originals.pop("get_auth_instance")
    botocore.endpoint.time = _originals.pop("time")


def _emit(self: botocore.hooks.HierarchicalEmitter, event_name: str, **kwargs: Any) -> Any:
    if event_name.startswith(BEFORE_SEND) and "request" in kwargs:
        target = current()
        if target is not None:
            return [(_answer, _answer(target, kwargs["request"]))]
    return _originals["emit"](self, event_name, **kwargs)


def _answer(target: Target, request: Any) -> AWSResponse:
    """The router's answer as the HTTP response botocore would have read from the network."""
    http_request = HttpRequest(
        method=request.method,
        url=request.url,
        headers={_text(k): _text(v) for k, v in request.headers.items()},
        body=_body_bytes(request.body),
    )
    try:
        response = target.handle(http_request)
    except TransportFault as fault:
        # Raised here, botocore treats it exactly as a failure of its HTTP session.
        if fault.kind == TransportFault.READ_TIMEOUT:
            raise ReadTimeoutError(endpoint_url=request.url, error=str(fault)) from None
        raise EndpointConnectionError(endpoint_url=request.url, error=str(fault)) from None
    return AWSResponse(
        request.url, response.status_code, HeadersDict(response.headers), _RawBody(response.body)
    )


def _needs_retry(self: Endpoint, *args: Any, **kwargs: Any) -> bool:
    target = current()
    operation = kwargs.get("operation_model") or (args[1] if len(args) > 1 else None)
    is_iot = operation is not None and operation.service_model.service_id.hyphenize() == SERVICE_ID
    if target is None or not is_iot or target.sleep_on_retry:
        return bool(_originals["needs_retry"](self, *args, **kwargs))
    _local.skip_sleep_for = target
    try:
        return bool(_originals["needs_retry"](self, *args, **kwargs))
    finally:
        _local.skip_sleep_for = None


def _get_auth_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
    # A client created before activation, on a machine without credentials, has none; it must
    # still reach the emulator instead of failing with NoCredentialsError.
    if (
        current() is not None
        and self._credentials is None
        and not kwargs.get("request_credentials")
        and self._service_id.hyphenize() == SERVICE_ID
    ):
        kwargs["request_credentials"] = Credentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY)
    return _originals["get_auth_instance"](self, *args, **kwargs)


class _SleepGate:
    """Stands in for the ``time`` module inside botocore.endpoint, which only uses it to sleep
    between retries. Skips the sleep for IoT calls while a mock says so."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        target = getattr(_local, "skip_sleep_for", None)
        if target is None:
            time.sleep(seconds)
        else:
            target.record_retry_delay(seconds)


class _RawBody:
    """The raw-response interface AWSResponse reads from (``stream()`` and ``read()``)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):
        data = body.read()
        if hasattr(body, "seek"):
            body.seek(0)
        return data if isinstance(data, bytes) else str(data).encode()
    return bytes(body)
