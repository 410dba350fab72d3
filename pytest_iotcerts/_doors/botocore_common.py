"""What botocore's two doors share: the active mocks, botocore's originals while patched, and the
hand-over of one botocore request to a mock.

``botocore_door`` patches botocore and, when it is loaded, ``aiobotocore_door`` patches
aiobotocore; both read the active mocks and route through here, so neither imports the other's
internals.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from .._aws.moto import moto_active
from .._wire.http import HttpRequest, HttpResponse, TransportFault

# The services answered: the IoT control plane, the data plane (shadows, Publish, retained
# messages) and the jobs data plane a device's job agent calls.
SERVICE_IDS = ("iot", "iot-data-plane", "iot-jobs-data-plane")
BEFORE_SEND = tuple(f"before-send.{service_id}." for service_id in SERVICE_IDS)
NEEDS_RETRY = tuple(f"needs-retry.{service_id}." for service_id in SERVICE_IDS)
# The rest of the AWS IoT family (botocore service ids): not emulated, and never sent to AWS
# while a mock is active, unless another mock (moto's mock_aws) is there to answer them.
UNEMULATED_IOT = frozenset(
    {
        "greengrass",
        "greengrassv2",
        "iot-managed-integrations",
        "iotanalytics",
        "iotdeviceadvisor",
        "iot-events",
        "iot-events-data",
        "iotfleetwise",
        "iotsecuretunneling",
        "iotsitewise",
        "iotthingsgraph",
        "iottwinmaker",
        "iot-wireless",
    }
)


class Target(Protocol):
    """What the door needs of an active mock."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...

    def retry_delay(self, seconds: float) -> None:
        """botocore is about to back off before retrying one of this mock's calls."""

    def retry_wait(self, seconds: float) -> float:
        """Record a backoff; the seconds really to wait (0 when the mock skips it)."""


lock = threading.Lock()
# Active mocks with the thread that started each; replaced whole, so readers need no lock.
_stack: tuple[tuple[Target, int], ...] = ()
originals: dict[str, Any] = {}


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


def add(target: Target) -> bool:
    """Make ``target`` the latest active mock (hold ``lock``); True if it is the first."""
    global _stack
    first = not _stack
    _stack = (*_stack, (target, threading.get_ident()))
    return first


def remove(target: Target) -> bool:
    """Forget ``target`` (hold ``lock``); True if no mock is left active."""
    global _stack
    _stack = tuple((t, thread) for t, thread in _stack if t is not target)
    return not _stack


def any_active() -> bool:
    return bool(_stack)


def unemulated_service(event_name: str) -> str | None:
    """The service id of a ``before-send`` event of the IoT family we do not emulate, when no
    other mock answers it (None: not ours to stop)."""
    if not event_name.startswith("before-send."):
        return None
    service_id = event_name.split(".", 2)[1]
    if service_id not in UNEMULATED_IOT or moto_active():
        return None
    return service_id


def refusal(service_id: str) -> HttpResponse:
    """The answer to a call of an IoT service we do not emulate: an error botocore raises as
    ``NotImplementedException``, naming the service; nothing leaves the process."""
    message = (
        f"pytest-iotcerts does not emulate the AWS service {service_id!r}; the request was not "
        "sent to AWS. Start moto's mock_aws() beside the mock to have moto answer it."
    )
    return HttpResponse(
        501,
        {"Content-Type": "application/json", "x-amzn-ErrorType": "NotImplementedException"},
        json.dumps({"message": message, "__type": "NotImplementedException"}).encode(),
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


def is_iot(service_id: Any) -> bool:
    return bool(service_id.hyphenize() in SERVICE_IDS)


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
