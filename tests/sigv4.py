"""Signing raw HTTP requests for the tests, with botocore's own SigV4 signer and the fake
credentials the mock hands out (AWS refuses unsigned requests, and so does the emulator)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from unittest import mock

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pytest_iotcerts import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, HttpRequest


def signed_headers(
    method: str,
    url: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    region: str = "us-east-1",
    access_key_id: str = FAKE_ACCESS_KEY_ID,
    secret: str = FAKE_SECRET_ACCESS_KEY,
    at: dt.datetime | None = None,
    service: str = "iot",
) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date`` and a SigV4 ``Authorization`` for this request."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    signer = SigV4Auth(Credentials(access_key_id, secret), service, region)
    with _signing_time(at or _utcnow()):
        signer.add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}


def _signing_time(moment: dt.datetime) -> Any:
    """Sign as at ``moment``: newer botocore asks ``get_current_datetime``, older
    ``datetime.datetime.utcnow``."""
    if hasattr(botocore.auth, "get_current_datetime"):
        return mock.patch("botocore.auth.get_current_datetime", return_value=moment)
    clock = mock.Mock(wraps=dt)
    clock.datetime = mock.Mock(wraps=dt.datetime, utcnow=mock.Mock(return_value=moment))
    return mock.patch("botocore.auth.datetime", clock)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def signed(method: str, url: str, body: bytes = b"", **options: object) -> HttpRequest:
    """A signed HttpRequest, for ``iot_certs.handle()``."""
    return HttpRequest(method, url, signed_headers(method, url, body, **options), body)  # type: ignore[arg-type]
