"""What every handler module shares: the registry of handlers, and paging.

A handler is a thin wire adapter: it takes the caller's service (``IotService``) and the parsed,
validated input (member names of botocore's model), calls the service layer, and returns the
output members. Rules and state live in the service layer; errors are raised as ServiceError.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .._aws.errors import invalid_request
from .._core.ordered import Ordered, Sequenced
from .._service import IotService

Handler = Callable[[IotService, dict[str, Any]], Mapping[str, Any]]
HANDLERS: dict[str, Handler] = {}  # the control plane's (service "iot")
# Every emulated service's handlers, by the name of its botocore model.
SERVICE_HANDLERS: dict[str, dict[str, Handler]] = {
    "iot": HANDLERS,
    "iot-jobs-data": {},
    "iot-data": {},
}
DEFAULT_PAGE_SIZE = 25
T = TypeVar("T")
S = TypeVar("S", bound=Sequenced)


def operation(name: str, *, service: str = "iot") -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        SERVICE_HANDLERS[service][name] = handler
        return handler

    return register


def chosen(params: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The members of ``names`` the request gives (a create or update's settings)."""
    return {name: params[name] for name in names if params.get(name) is not None}


def initial_status(params: Mapping[str, Any]) -> str:
    return "ACTIVE" if params.get("setAsActive") else "INACTIVE"


def page(
    items: Sequence[T] | Ordered[T],
    *,
    key: Callable[[T], int],
    marker: str | None,
    size: int | None,
    ascending: bool = True,
) -> tuple[list[T], str | None]:
    """One page of ``items`` ordered by ``key`` (a creation sequence).

    The marker names the sequence of the next item, so a page boundary survives items being
    added or deleted in between; it is opaque base64, and only given when more remain. Items
    already ``Ordered`` (a region's certificates) page in O(page + log n), without a sort.
    """
    ordered = items if isinstance(items, Ordered) else Ordered.of(items, key)
    position = None if marker is None else _decode_marker(marker)
    limit = size or DEFAULT_PAGE_SIZE
    window = ordered.window(position, limit + 1, ascending=ascending)
    chosen, following = window[:limit], window[limit:]
    next_marker = _encode_marker(key(following[0])) if following else None
    return chosen, next_marker


def page_by_token(
    items: Sequence[S] | Ordered[S], params: Mapping[str, Any], *, ascending: bool = True
) -> tuple[list[S], str | None]:
    """One page (``nextToken``/``maxResults``) of items ordered by their creation sequence."""
    return page(
        items,
        key=lambda item: item.sequence,
        marker=params.get("nextToken"),
        size=params.get("maxResults"),
        ascending=ascending,
    )


def page_by_position(items: Sequence[T], params: Mapping[str, Any]) -> tuple[list[T], str | None]:
    """One page (``nextToken``/``maxResults``) of items in the order given, for lists whose
    items carry no creation order of their own (names, executions)."""
    marker = params.get("nextToken")
    start = 0 if marker is None else max(_decode_marker(marker), 0)
    end = start + (params.get("maxResults") or DEFAULT_PAGE_SIZE)
    return list(items[start:end]), _encode_marker(end) if end < len(items) else None


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
