"""What every handler module shares: the registry, lookups with their modeled errors, paging.

A handler takes the request context and the parsed, validated input (member names of botocore's
model) and returns the output members; errors are raised as ServiceError. Crypto happens before
the store lock is taken; checks that depend on state happen under it, together with the change.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .._errors import invalid_request, not_found
from .._router import Handler, RequestContext
from .._state import Certificate, Policy, Thing

HANDLERS: dict[str, Handler] = {}
DEFAULT_PAGE_SIZE = 25
T = TypeVar("T")

CERTIFICATE_ARN = re.compile(
    r"^arn:aws[a-z-]*:iot:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):cert/(?P<id>[0-9a-fA-F]{64})$"
)


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def initial_status(params: Mapping[str, Any]) -> str:
    return "ACTIVE" if params.get("setAsActive") else "INACTIVE"


def find_certificate(context: RequestContext, certificate_id: str) -> Certificate:
    """The caller's certificate, or ResourceNotFoundException."""
    certificate = context.state.certificates.get(certificate_id.lower())
    if certificate is None:
        raise not_found(
            f"The certificate {certificate_id} does not exist in account "
            f"{context.account_id}, region {context.region}."
        )
    return certificate


def certificate_for_principal(context: RequestContext, principal: str) -> Certificate | None:
    """The caller's certificate a principal ARN names; None for other kinds of principal
    (Cognito identities, thing groups); ResourceNotFoundException for an unknown certificate."""
    found = CERTIFICATE_ARN.match(principal)
    if found is None:
        if ":cert/" in principal:
            raise invalid_request(f"'{principal}' is not a valid certificate ARN.")
        return None
    certificate = context.state.certificates.get(found.group("id").lower())
    if (
        certificate is None
        or found.group("account") != context.account_id
        or found.group("region") != context.region
    ):
        raise not_found(
            f"The certificate {principal} does not exist in account {context.account_id}, "
            f"region {context.region}."
        )
    return certificate


def find_thing(context: RequestContext, name: str) -> Thing:
    thing = context.state.things.get(name)
    if thing is None:
        raise not_found(f"The thing {name} does not exist.")
    return thing


def find_policy(context: RequestContext, name: str) -> Policy:
    policy = context.state.policies.get(name)
    if policy is None:
        raise not_found(f"The policy {name} does not exist.")
    return policy


def page(
    items: Sequence[T],
    *,
    key: Callable[[T], int],
    marker: str | None,
    size: int | None,
    ascending: bool = True,
) -> tuple[list[T], str | None]:
    """One page of ``items`` ordered by ``key`` (a creation sequence).

    The marker names the sequence of the next item, so a page boundary survives items being
    added or deleted in between; it is opaque base64, and only given when more remain.
    """
    ordered = sorted(items, key=key, reverse=not ascending)
    start = 0
    if marker is not None:
        position = _decode_marker(marker)
        start = next(
            (
                index
                for index, item in enumerate(ordered)
                if (key(item) >= position if ascending else key(item) <= position)
            ),
            len(ordered),
        )
    limit = size or DEFAULT_PAGE_SIZE
    chosen = ordered[start : start + limit]
    following = ordered[start + limit : start + limit + 1]
    next_marker = _encode_marker(key(following[0])) if following else None
    return chosen, next_marker


def _encode_marker(position: int) -> str:
    return base64.b64encode(f"iotcerts:{position}".encode()).decode()


def _decode_marker(marker: str) -> int:
    try:
        text = base64.b64decode(marker, validate=True).decode()
        prefix, _, number = text.partition(":")
        if prefix != "iotcerts":
            raise ValueError(marker)
        return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_request(f"The marker '{marker}' is not one this service returned.") from None
