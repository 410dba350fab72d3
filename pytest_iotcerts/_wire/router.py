"""The one router: an HTTP request for the IoT control plane in, an AWS-shaped HTTP response out.

It knows nothing of how the request arrived (botocore hook, ``responses``, loopback server). It
authenticates the caller (account and region from the SigV4 scope), finds the operation in
botocore's service model, applies injected faults, runs the operation's wire handler against the
caller's service (account and region) and serializes the result, recording every call.
"""

from __future__ import annotations

import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .._aws.errors import ServiceError, invalid_request
from .._aws.public import public
from .._operations import Handler
from .._service import IotService
from .auth import Authenticator, Caller
from .http import HttpRequest, HttpResponse, TransportFault
from .model import IotModel, iot_model


@public
@dataclass(frozen=True)
class Call:
    """One request the emulated service answered (every retry attempt is its own call)."""

    operation: str | None
    params: Mapping[str, Any]
    status_code: int | None
    error_code: str | None
    account_id: str
    region: str
    request_id: str
    certificate_id: str | None = None
    error_message: str | None = None
    service: str = "iot"  # the signing name: "iot", or "iot-jobs-data" for a device's jobs calls


class FaultSource(Protocol):
    def check(self, operation: str, account_id: str, region: str) -> None:
        """Raise ServiceError or TransportFault when a rule says this call fails."""


@dataclass
class _Exchange:
    """One request on its way through the router, and what is known of it so far."""

    request: HttpRequest
    service: IotService
    request_id: str
    model: IotModel
    caller: Caller
    operation: str | None = None
    params: Mapping[str, Any] | None = None
    output: Mapping[str, Any] | None = None

    def call(self, status: int | None, error: ServiceError | TransportFault | None) -> Call:
        code = message = None
        if isinstance(error, ServiceError):
            code, message = error.code, error.message
        elif isinstance(error, TransportFault):
            code, message = error.kind, str(error)
        issued = (self.output or {}).get("certificateId") if error is None else None
        return Call(
            operation=self.operation,
            params=self.params or {},
            status_code=status,
            error_code=code,
            account_id=self.service.account_id,
            region=self.service.region,
            request_id=self.request_id,
            certificate_id=issued,
            error_message=message,
            service=self.model.service_model.service_name,
        )


class Router:
    def __init__(
        self,
        *,
        services: Callable[[str, str], IotService],
        authenticator: Authenticator,
        handlers: Mapping[str, Mapping[str, Handler]],
        faults: FaultSource | None = None,
    ) -> None:
        self.services = services
        self.authenticator = authenticator
        self.handlers = handlers
        self.faults = faults
        self._calls: list[Call] = []
        self._calls_lock = threading.Lock()
        # Bugs of ours met while answering: the client got InternalFailureException for them.
        self.internal_errors: list[str] = []

    @property
    def calls(self) -> list[Call]:
        with self._calls_lock:
            return list(self._calls)

    def handle(self, request: HttpRequest) -> HttpResponse:
        caller = self.authenticator.caller_of(request)
        service = self.services(caller.account_id, caller.region)
        exchange = _Exchange(request, service, str(uuid.uuid4()), iot_model(caller.service), caller)
        try:
            status, headers, body = self._answer(exchange)
            error: ServiceError | None = None
        except ServiceError as refused:
            status, headers, body = exchange.model.serialize_error(refused)
            error = refused
        except TransportFault as fault:
            self._record(exchange.call(None, fault))
            raise
        except RecursionError:
            # Input nested deeper than a parser without its own depth check can take: the
            # caller's mistake, refused before any state changed (parsing precedes changes).
            error = invalid_request(
                f"The input of {exchange.operation} is nested too deeply to be read."
            )
            status, headers, body = exchange.model.serialize_error(error)
        except Exception as unexpected:  # a bug of ours must still reach the client as AWS would
            error = self._internal_error(exchange, unexpected)
            status, headers, body = exchange.model.serialize_error(error)
        headers["x-amzn-RequestId"] = exchange.request_id
        self._record(exchange.call(status, error))
        return HttpResponse(status, headers, body)

    def _answer(self, exchange: _Exchange) -> tuple[int, dict[str, str], bytes]:
        """Authenticate, route, parse, meet faults, run the handler: each step may refuse."""
        request = exchange.request
        model = exchange.model
        matched = model.match(request)
        exchange.operation = matched[0].name if matched else None
        self.authenticator.authenticate(request, exchange.caller)
        if matched is None:
            raise ServiceError(
                "UnknownOperationException",
                f"No IoT operation is routed at {request.method} {request.path}.",
                status_code=404,
            )
        operation, labels = matched
        try:
            exchange.params = model.parse(operation, labels, request)
        finally:
            # A fault fires whether or not the input was valid, as AWS's front door would.
            if self.faults is not None:
                self.faults.check(
                    operation.name, exchange.service.account_id, exchange.service.region
                )
        handler = self.handlers.get(model.service_model.service_name, {}).get(operation.name)
        if handler is None:
            raise ServiceError(
                "NotImplementedException",
                f"pytest-iotcerts does not emulate the IoT operation {operation.name} yet; the "
                "request was not sent to AWS. Seed the state the code needs through the "
                "controller instead (iot_certs.issue_certificate, create_thing, ...), and set "
                "the unemulated setting to 'fail' to find every such call.",
                status_code=501,
            )
        exchange.output = handler(exchange.service, dict(exchange.params))
        return model.serialize_output(operation, exchange.output)

    def _internal_error(self, exchange: _Exchange, unexpected: Exception) -> ServiceError:
        self.internal_errors.append(traceback.format_exc())
        return ServiceError(
            "InternalFailureException",
            f"pytest-iotcerts failed while handling {exchange.operation}: "
            f"{''.join(traceback.format_exception_only(unexpected)).strip()}",
        )

    def _record(self, call: Call) -> None:
        with self._calls_lock:
            self._calls.append(call)
