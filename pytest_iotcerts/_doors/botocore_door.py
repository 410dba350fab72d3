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
from typing import Any

import botocore.endpoint
import botocore.hooks
import botocore.signers
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import Credentials
from botocore.endpoint import Endpoint

from .._wire.auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from .._wire.http import HttpResponse
from . import botocore_common as common
from .botocore_common import BEFORE_SEND, NEEDS_RETRY, Target

_originals = common.originals
# The mock whose IoT call is deciding on a retry in this thread: its backoff goes to that mock.
_local = threading.local()


def push(target: Target) -> None:
    with common.lock:
        if common.add(target):
            _install()


def pop(target: Target) -> None:
    with common.lock:
        if common.remove(target) and _originals:
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
    if event_name.startswith("needs-retry.") and _is_async(type(self)) and common.any_active():
        from .aiobotocore_door import mark_retry

        mark_retry(common.current() if event_name.startswith(NEEDS_RETRY) else None)
    if event_name.startswith(BEFORE_SEND) and "request" in kwargs:
        target = common.current()
        if target is not None:
            if _is_async(type(self)):
                # aiobotocore awaits emit(): answer when awaited, through aiobotocore's types.
                from .aiobotocore_door import answer

                return answer(target, kwargs["request"])
            return [(_answer, _answer(target, kwargs["request"]))]
    elif "request" in kwargs and common.any_active():
        unemulated = common.unemulated_service(event_name)
        if unemulated is not None:
            refused = common.refusal(unemulated)
            if _is_async(type(self)):
                from .aiobotocore_door import answer_with

                return answer_with(refused, kwargs["request"])
            return [(_answer, _response(refused, kwargs["request"]))]
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
    return _response(common.route(target, request), request)


def _response(response: HttpResponse, request: Any) -> AWSResponse:
    return AWSResponse(
        request.url, response.status_code, HeadersDict(response.headers), _RawBody(response.body)
    )


def _needs_retry(self: Endpoint, *args: Any, **kwargs: Any) -> bool:
    """Marks the retry decision of an IoT call, so the sleep that follows reaches the mock."""
    target = common.current()
    operation = kwargs.get("operation_model") or (args[1] if len(args) > 1 else None)
    if target is None or operation is None or not common.is_iot(operation.service_model.service_id):
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
        common.current() is None
        or kwargs.get("request_credentials")
        or type(self._credentials) is Credentials
        or not common.is_iot(self._service_id)
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
