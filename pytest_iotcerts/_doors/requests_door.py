"""The ``responses`` door: requests-based callers (SigV4 via requests-aws4auth and the like).

Callbacks on a ``responses.RequestsMock`` for the IoT control-plane hosts (every host botocore's
endpoint ruleset can produce: standard, FIPS, dual-stack, in every partition) hand each request to
the router; a transport fault is raised as the requests exception a real failure gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
import responses

from .._aws.partitions import iot_hosts
from .._wire.http import HttpRequest, HttpResponse, TransportFault

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def not_iot_url() -> re.Pattern[str]:
    """Every URL that is not the IoT control plane's (what a passthrough may let go)."""
    return re.compile(f"^(?!{iot_hosts().url_pattern.pattern.lstrip('^')})")


class _EmulatorResponse(responses.CallbackResponse):
    """One registration for every method, that never counts as an unfired expectation: the
    emulator is a service standing by, not a request the test promised to make."""

    def matches(self, request: Any) -> tuple[bool, str]:
        if request.method not in METHODS:
            return False, "Method does not match"
        if not self._url_matches(self.url, str(request.url)):
            return False, "URL does not match"
        return True, ""

    @property
    def call_count(self) -> int:
        return max(1, super().call_count)


def register(rsps: responses.RequestsMock, handle: Callable[[HttpRequest], HttpResponse]) -> None:
    def callback(request: Any) -> tuple[int, dict[str, str], bytes]:
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        elif hasattr(body, "read"):
            body = body.read()
        http_request = HttpRequest(
            request.method, request.url, dict(request.headers.items()), body or b""
        )
        try:
            response = handle(http_request)
        except TransportFault as fault:
            if fault.kind == TransportFault.READ_TIMEOUT:
                raise requests.exceptions.ReadTimeout(str(fault), request=request) from None
            raise requests.exceptions.ConnectionError(str(fault), request=request) from None
        return response.status_code, dict(response.headers), response.body

    rsps.add(_EmulatorResponse("GET", iot_hosts().url_pattern, callback=callback))
