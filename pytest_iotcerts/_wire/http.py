"""The transport-neutral request and response every door (botocore, responses, loopback) speaks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from .._aws.public import public


@public
@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        """The raw (still percent-encoded) path, so an encoded ``/`` inside a label survives."""
        return urlsplit(self.url).path or "/"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def query(self) -> dict[str, list[str]]:
        query: dict[str, list[str]] = {}
        for name, value in parse_qsl(urlsplit(self.url).query, keep_blank_values=True):
            query.setdefault(name, []).append(value)
        return query

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@public
@dataclass(frozen=True)
class HttpResponse:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class TransportFault(Exception):
    """Raised by the router instead of answering: the door turns it into its own network error."""

    CONNECTION_ERROR = "ConnectionError"
    READ_TIMEOUT = "ReadTimeout"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
