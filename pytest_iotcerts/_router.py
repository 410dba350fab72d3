"""The one router: an HTTP request for the IoT control plane in, an AWS-shaped HTTP response out.

It knows nothing of how the request arrived (botocore hook, ``responses``, loopback server). It
finds the operation in botocore's service model, works out the caller's account and region,
applies injected faults, runs the handler and serializes the result, recording every call.
"""

from __future__ import annotations

import re
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._crypto import CertificateAuthority
from ._errors import ServiceError
from ._http import HttpRequest, HttpResponse, TransportFault
from ._model import IotModel, iot_model
from ._state import RegionState, Store

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/")
_HOST_REGION = re.compile(r"^iot(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com")
ACCOUNT_ID_LENGTH = 12


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

    @property
    def succeeded(self) -> bool:
        return self.error_code is None


@dataclass
class RequestContext:
    """What a handler sees: the caller, the state of its account and region, and the CA."""

    account_id: str
    region: str
    request_id: str
    store: Store
    ca: CertificateAuthority
    certificate_id: str | None = None

    @property
    def state(self) -> RegionState:
        return self.store.region(self.account_id, self.region)


Handler = Callable[[RequestContext, dict[str, Any]], Mapping[str, Any]]


class FaultSource(Protocol):
    def check(self, operation: str, account_id: str, region: str) -> None:
        """Raise ServiceError or TransportFault when a rule says this call fails."""


@dataclass
class Identity:
    """How requests map to accounts: access key id -> account, else the default."""

    default_account_id: str
    default_region: str
    access_keys: dict[str, str] = field(default_factory=dict)

    def account_for(self, access_key_id: str | None) -> str:
        if access_key_id is None:
            return self.default_account_id
        if access_key_id in self.access_keys:
            return self.access_keys[access_key_id]
        # As in moto: an access key id that is itself an account id acts as that account.
        if len(access_key_id) == ACCOUNT_ID_LENGTH and access_key_id.isdigit():
            return access_key_id
        return self.default_account_id

    def resolve(self, request: HttpRequest) -> tuple[str, str]:
        authorization = request.header("Authorization") or ""
        found = _CREDENTIAL.search(authorization)
        if found:
            return self.account_for(found.group(1)), found.group(2)
        host = _HOST_REGION.match(request.host)
        region = host.group(1) if host else self.default_region
        return self.account_for(None), region


class Router:
    def __init__(
        self,
        *,
        store: Store,
        ca: CertificateAuthority,
        identity: Identity,
        handlers: Mapping[str, Handler],
        faults: FaultSource | None = None,
        model: IotModel | None = None,
    ) -> None:
        self.store = store
        self.ca = ca
        self.identity = identity
        self.handlers = handlers
        self.faults = faults
        self.model = model or iot_model()
        self._calls: list[Call] = []
        self._calls_lock = threading.Lock()
        # Bugs of ours met while answering: the client got InternalFailureException for them.
        self.internal_errors: list[str] = []

    @property
    def calls(self) -> list[Call]:
        with self._calls_lock:
            return list(self._calls)

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        account_id, region = self.identity.resolve(request)
        matched = self.model.match(request)
        operation = matched[0].name if matched else None
        params: dict[str, Any] = {}
        context = RequestContext(account_id, region, request_id, self.store, self.ca)
        try:
            if matched is None:
                raise ServiceError(
                    "UnknownOperationException",
                    f"No IoT operation is routed at {request.method} {request.path}.",
                    status_code=404,
                )
            operation_model, labels = matched
            parse_error: ServiceError | None = None
            try:
                params = self.model.parse(operation_model, labels, request)
            except ServiceError as error:
                parse_error = error
            if self.faults is not None:
                self.faults.check(operation_model.name, account_id, region)
            if parse_error is not None:
                raise parse_error
            handler = self.handlers.get(operation_model.name)
            if handler is None:
                raise ServiceError(
                    "NotImplementedException",
                    f"pytest-iotcerts does not emulate the IoT operation {operation_model.name} "
                    "yet; the request was not sent to AWS.",
                    status_code=501,
                )
            output = handler(context, params)
            status, headers, body = self.model.serialize_output(operation_model, output)
            error_code = error_message = None
        except ServiceError as error:
            status, headers, body = self.model.serialize_error(error)
            error_code, error_message = error.code, error.message
        except TransportFault as fault:
            self._record(
                Call(
                    operation=operation,
                    params=params,
                    status_code=None,
                    error_code=fault.kind,
                    account_id=account_id,
                    region=region,
                    request_id=request_id,
                    error_message=str(fault),
                )
            )
            raise
        except Exception as unexpected:  # a bug of ours must still reach the client as AWS would
            internal = ServiceError(
                "InternalFailureException",
                f"pytest-iotcerts failed while handling {operation}: "
                f"{''.join(traceback.format_exception_only(unexpected)).strip()}",
            )
            self.internal_errors.append(traceback.format_exc())
            status, headers, body = self.model.serialize_error(internal)
            error_code, error_message = internal.code, internal.message
        headers["x-amzn-RequestId"] = request_id
        self._record(
            Call(
                operation=operation,
                params=params,
                status_code=status,
                error_code=error_code,
                account_id=account_id,
                region=region,
                request_id=request_id,
                certificate_id=context.certificate_id if error_code is None else None,
                error_message=error_message,
            )
        )
        return HttpResponse(status, headers, body)

    def _record(self, call: Call) -> None:
        with self._calls_lock:
            self._calls.append(call)
