"""The aiobotocore door: the same answer as botocore's, in aiobotocore's types.

aiobotocore's emitter subclasses botocore's, so the class-level ``before-send`` patch reaches it
too; it awaits what ``emit`` returns, so for it the patch returns a coroutine that asks the router
when awaited (never before: a client that fails early changes no state) and wraps the answer in
``AioAWSResponse`` with a raw body whose ``read()`` is awaitable. aiobotocore's parser, modeled
exceptions and retry handler run on it unchanged. Its backoff (an ``asyncio.sleep`` in
aiobotocore.endpoint) goes to the mock: recorded, then skipped (the mock's clock moves on) or
slept when ``sleep_on_retry``. Imported only when an aiobotocore client calls IoT
under a mock, so aiobotocore is never a dependency.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
from typing import Any

from botocore.awsrequest import HeadersDict

from .._wire.auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from .._wire.http import HttpResponse
from . import botocore_common as common

_retrying: contextvars.ContextVar[common.Target | None] = contextvars.ContextVar(
    "pytest_iotcerts_retrying", default=None
)


async def answer(target: common.Target, request: Any) -> list[tuple[Any, Any]]:
    _install_sleep()
    return await answer_with(common.route(target, request), request)


async def answer_with(response: HttpResponse, request: Any) -> list[tuple[Any, Any]]:
    """``response``, in aiobotocore's types."""
    from aiobotocore.awsrequest import AioAWSResponse

    raw = _AsyncBody(response.body, request.url)
    wrapped = AioAWSResponse(request.url, response.status_code, HeadersDict(response.headers), raw)
    return [(answer, wrapped)]


def install_if_loaded() -> None:
    """At activation: patch aiobotocore if it is already imported (its clients may predate the
    mock, and sign before anything reaches ``before-send``)."""
    if "aiobotocore.signers" in sys.modules and "aiobotocore.endpoint" in sys.modules:
        _install()


def _install_sleep() -> None:
    """At an aiobotocore client's first IoT call, if aiobotocore was imported after activation."""
    with common.lock:
        if common.any_active():
            _install()


def _install() -> None:
    import aiobotocore.endpoint
    from aiobotocore.signers import AioRequestSigner

    if "aio_sleep" in common.originals:
        return
    # Every aiobotocore version backs off with its module's asyncio.sleep.
    common.originals["aio_sleep"] = aiobotocore.endpoint.asyncio
    common.originals["aio_auth"] = AioRequestSigner.__dict__["get_auth_instance"]
    aiobotocore.endpoint.asyncio = _AsyncioGate()
    AioRequestSigner.get_auth_instance = _get_auth_instance


def uninstall() -> None:
    import aiobotocore.endpoint
    from aiobotocore.signers import AioRequestSigner

    aiobotocore.endpoint.asyncio = common.originals.pop("aio_sleep")
    AioRequestSigner.get_auth_instance = common.originals.pop("aio_auth")


def mark_retry(target: common.Target | None) -> None:
    """A ``needs-retry`` event is on its way through aiobotocore's emitter: the sleep that may
    follow in this task belongs to ``target`` (None: to a call of another service)."""
    _retrying.set(target)


class _AsyncioGate:
    """Stands in for the ``asyncio`` module inside aiobotocore.endpoint, which uses it only to
    sleep between retries: an IoT call's backoff goes to its mock."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, seconds: float, *args: Any, **kwargs: Any) -> Any:
        target = _retrying.get()
        _retrying.set(None)
        if target is None:
            return await asyncio.sleep(seconds, *args, **kwargs)
        return await asyncio.sleep(target.retry_wait(seconds), *args, **kwargs)


async def _get_auth_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
    """As botocore's door does: an IoT call is signed with the fake credentials unless the
    client holds plain static ones (no provider runs, no STS, no network)."""
    original = common.originals["aio_auth"]
    if (
        common.current() is None
        or kwargs.get("request_credentials")
        or type(self._credentials).__name__ in ("Credentials", "AioCredentials")
        or not common.is_iot(self._service_id)
    ):
        return await original(self, *args, **kwargs)
    from aiobotocore.credentials import AioCredentials

    kwargs["request_credentials"] = AioCredentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY)
    return await original(self, *args, **kwargs)


class _AsyncBody:
    """The raw-response interface aiobotocore reads from: an awaitable ``read()``, and, for a
    streamed output (a shadow document), aiohttp's ``content`` stream and ``at_eof()``."""

    def __init__(self, body: bytes, url: str = "") -> None:
        self._body = body
        self.url = url
        self.content = self

    async def read(self, amount: int = -1, *_: Any, **__: Any) -> bytes:
        cut = len(self._body) if amount is None or amount < 0 else amount
        chunk, self._body = self._body[:cut], self._body[cut:]
        return chunk

    def at_eof(self) -> bool:
        return not self._body

    async def iter_chunks(self) -> Any:
        yield await self.read(), True

    async def __aenter__(self) -> _AsyncBody:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    def release(self) -> None:
        self._body = b""
