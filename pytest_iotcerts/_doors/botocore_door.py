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

import inspect
import sys
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

from .._wire.auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from .._wire.http import HttpRequest, HttpResponse, TransportFault

# The IoT control plane, and the jobs data plane a device's job agent calls; the MQTT data plane
# (iot-data-plane) is not answered here.
SERVICE_IDS = ("iot", "iot-jobs-data-plane")
BEFORE_SEND = tuple(f"before-send.{service_id}." for service_id in SERVICE_IDS)
NEEDS_RETRY = tuple(f"needs-retry.{service_id}." for service_id in SERVICE_IDS)


class Target(Protocol):
    """What the door needs of an active mock."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...

    def retry_delay(self, seconds: float) -> None:
        """botocore is about to back off before retrying one of this mock's calls."""

    def retry_wait(self, seconds: float) -> float:
        """Record a backoff; the seconds really to wait (0 when the mock skips it)."""


_lock = threading.Lock()
# Active mocks with the thread that started each; replaced whole, so readers need no lock.
_stack: tuple[tuple[Target, int], ...] = ()
_originals: dict[str, Any] = {}
_local = threading.local()


def current() -> Target | None:
    """The mock answering this thread: the latest one this thread started, else the latest
    one started anywhere (so worker threads of the code under test reach the test's mock)."""
    stack = _stack
    if not stack:
        return None
    me = threading.get_ident()
    for target, thread in reversed(stack):
        if thread == me:
            return target
    return stack[-1][0]


def push(target: Target) -> None:
    global _stack
    with _lock:
        if not _stack:
            _install()
        _stack = (*_stack, (target, threading.get_ident()))


def pop(target: Target) -> None:
    global _stack
    with _lock:
        _stack = tuple((t, thread) for t, thread in _stack if t is not target)
        if not _stack and _originals:
            _uninstall()


def _install() -> None:
    emitter = botocore.hooks.HierarchicalEmitter
    _originals["emit"] = emitter.__dict__["emit"]
    _originals["needs_retry"] = Endpoint.__dict__["_needs_retry"]
    _originals["get_auth_instance"] = botocore.signers.RequestSigner.__dict__["get_auth_instance"]
    _originals["time"] = botocore.endpoint.time
    emitter.emit = _emit
    Endpoint._needs_retry = _needs_retry
    if "aiobotocore" in sys.modules:
        from .aiobotocore_door import install_if_loaded

        install_if_loaded()
    botocore.signers.RequestSigner.get_auth_instance = _get_auth_instance
    botocore.endpoint.time = _SleepGate()


def _uninstall() -> None:
    if "aio_sleep" in _originals:
        from .aiobotocore_door import uninstall

        uninstall()
    botocore.hooks.HierarchicalEmitter.emit = _originals.pop("emit")
    Endpoint._needs_retry = _originals.pop("needs_retry")
    botocore.signers.RequestSigner.get_auth_instance = _originals.pop("get_auth_instance")
    botocore.endpoint.time = _originals.pop("time")


def _emit(self: botocore.hooks.HierarchicalEmitter, event_name: str, **kwargs: Any) -> Any:
    if event_name.startswith("needs-retry.") and _is_async(type(self)) and _stack:
        from .aiobotocore_door import mark_retry

        mark_retry(current() if event_name.startswith(NEEDS_RETRY) else None)
    if event_name.startswith(BEFORE_SEND) and "request" in kwargs:
        target = current()
        if target is not None:
            if _is_async(type(self)):
                # aiobotocore awaits emit(): answer when awaited, through aiobotocore's types.
                from .aiobotocore_door import answer

                return answer(target, kwargs["request"])
            return [(_answer, _answer(target, kwargs["request"]))]
    return _originals["emit"](self, event_name, **kwargs)


_ASYNC_EMITTERS: dict[type, bool] = {}


def _is_async(emitter: type) -> bool:
    """aiobotocore's emitter (a subclass) emits by coroutine."""
    found = _ASYNC_EMITTERS.get(emitter)
    if found is None:
        found = _ASYNC_EMITTERS[emitter] = inspect.iscoroutinefunction(
            getattr(emitter, "_emit", None)
        )
    return found


def _answer(target: Target, request: Any) -> AWSResponse:
    """The router's answer as the HTTP response botocore would have read from the network."""
    response = route(target, request)
    return AWSResponse(
        request.url, response.status_code, HeadersDict(response.headers), _RawBody(response.body)
    )


def route(target: Target, request: Any) -> HttpResponse:
    """Hand a botocore request to the mock; a transport fault is raised as the exception
    botocore's (and aiobotocore's) HTTP session raises for it."""
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
    return response


def _needs_retry(self: Endpoint, *args: Any, **kwargs: Any) -> bool:
    """Marks the retry decision of an IoT call, so the sleep that follows reaches the mock."""
    target = current()
    operation = kwargs.get("operation_model") or (args[1] if len(args) > 1 else None)
    if target is None or operation is None or not _is_iot(operation.service_model.service_id):
        return bool(_originals["needs_retry"](self, *args, **kwargs))
    _local.retrying_for = target
    try:
        return bool(_originals["needs_retry"](self, *args, **kwargs))
    finally:
        _local.retrying_for = None


_signing_swap = threading.RLock()


def _get_auth_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
    """IoT calls are signed with fake credentials unless the client holds plain static ones.

    A client without credentials (made before activation, on a machine without any) must still
    reach the emulator. A client whose credentials refresh (assume-role, SSO, IMDS, container,
    ``credential_process``) would run its provider, and talk to STS or the network, to sign: it
    is signed with the fake credentials instead, and acts as the default account.
    """
    if (
        current() is None
        or kwargs.get("request_credentials")
        or type(self._credentials) is Credentials
        or not _is_iot(self._service_id)
    ):
        return _originals["get_auth_instance"](self, *args, **kwargs)
    # The signer reads (and would refresh) its own credentials: it gets the fake ones for this
    # call. Every botocore version reads them there (newer ones also take request_credentials).
    with _signing_swap:  # a client shared by threads: one swap at a time
        credentials = self._credentials
        self._credentials = Credentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY)
        try:
            return _originals["get_auth_instance"](self, *args, **kwargs)
        finally:
            self._credentials = credentials


def _is_iot(service_id: Any) -> bool:
    return bool(service_id.hyphenize() in SERVICE_IDS)


class _SleepGate:
    """Stands in for the ``time`` module inside botocore.endpoint, which only uses it to sleep
    between retries. An IoT call's backoff goes to its mock, which records it and sleeps or
    moves its clock on."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        target = getattr(_local, "retrying_for", None)
        if target is None:
            time.sleep(seconds)
        else:
            target.retry_delay(seconds)


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
