"""The device provisioning MQTT API: ``$aws/certificates/create/FORMAT``,
``$aws/certificates/create-from-csr/FORMAT`` and
``$aws/provisioning-templates/NAME/provision/FORMAT``, answered on ``.../accepted`` or
``.../rejected`` in the request's format (``json`` or ``cbor``), by the service layer.

Injected faults reach these calls under the HTTP API's names (CreateKeysAndCertificate,
CreateCertificateFromCsr, RegisterThing): a modeled error is a rejected answer with its status and
code; a transport fault drops the device's connection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..._aws.errors import ServiceError
from ..._core.resources import Certificate
from ..._service import IotService
from ..._wire.http import TransportFault
from ..._wire.model import iot_model

REQUEST = re.compile(
    r"^\$aws/(?:certificates/(?P<create>create|create-from-csr)"
    r"|provisioning-templates/(?P<template>[^/#+]+)/provision)/(?P<format>json|cbor)$"
)
OPERATIONS = {
    "create": "CreateKeysAndCertificate",
    "create-from-csr": "CreateCertificateFromCsr",
    None: "RegisterThing",
}
FaultCheck = Callable[[str, str, str], None]  # (operation, account, region); raises the fault


class DropConnection(Exception):
    """A transport fault: the device's connection is closed instead of answered."""


@dataclass(frozen=True)
class Request:
    topic: str
    operation: str
    payload_format: str
    template: str | None

    @classmethod
    def parse(cls, topic: str) -> Request | None:
        found = REQUEST.match(topic)
        if found is None:
            return None
        return cls(topic, OPERATIONS[found["create"]], found["format"], found["template"])


class ProvisioningApi:
    def __init__(self, service: Callable[[], IotService], faults: FaultCheck) -> None:
        self._service = service
        self._faults = faults

    def answer(
        self, request: Request, payload: bytes, claim: Certificate, client_id: str
    ) -> tuple[str, bytes]:
        """The topic and payload of the answer to ``request``, published by ``claim``'s
        connection; DropConnection for a transport fault."""
        codec = _CODECS[request.payload_format]
        service = self._service()
        try:
            self._faults(request.operation, service.account_id, service.region)
            body = _decode(codec, payload)
            answer = self._call(service, request, body, claim, client_id)
        except TransportFault:
            raise DropConnection(request.operation) from None
        except ServiceError as error:
            return f"{request.topic}/rejected", codec.dumps(_rejection(error))
        except Exception as error:  # a bug of ours: the device gets AWS's 500, not a hang
            failure = ServiceError("InternalFailureException", f"{type(error).__name__}: {error}")
            return f"{request.topic}/rejected", codec.dumps(_rejection(failure))
        return f"{request.topic}/accepted", codec.dumps(answer)

    @staticmethod
    def _call(
        service: IotService,
        request: Request,
        body: dict[str, Any],
        claim: Certificate,
        client_id: str,
    ) -> dict[str, Any]:
        provisioning = service.provisioning
        if request.operation == "CreateKeysAndCertificate":
            certificate, token = provisioning.create_device_certificate()
            return {
                "certificateId": certificate.certificate_id,
                "certificatePem": certificate.pem,
                "privateKey": certificate.private_key_pem,
                "certificateOwnershipToken": token,
            }
        if request.operation == "CreateCertificateFromCsr":
            csr = body.get("certificateSigningRequest")
            if not isinstance(csr, str) or not csr:
                raise _invalid_payload("certificateSigningRequest is required (a PEM CSR).")
            certificate, token = provisioning.create_device_certificate(csr)
            return {
                "certificateOwnershipToken": token,
                "certificateId": certificate.certificate_id,
                "certificatePem": certificate.pem,
            }
        token = body.get("certificateOwnershipToken") or ""
        parameters = body.get("parameters") or {}
        if not isinstance(token, str) or not isinstance(parameters, dict):
            raise _invalid_payload(
                "certificateOwnershipToken must be a string and parameters an object."
            )
        provisioned = provisioning.provision_device(
            str(request.template),
            token,
            {str(k): str(v) for k, v in parameters.items()},
            claim=claim,
            client_id=client_id,
        )
        answer: dict[str, Any] = {"deviceConfiguration": provisioned.device_configuration}
        if provisioned.thing is not None:
            answer["thingName"] = provisioned.thing.name
        return answer


class _Codec:
    def __init__(self, dumps: Callable[[Any], bytes], loads: Callable[[bytes], Any]) -> None:
        self.dumps = dumps
        self.loads = loads


def _cbor_dumps(value: Any) -> bytes:
    import cbor2  # part of the mqtt extra

    return cbor2.dumps(value)


def _cbor_loads(data: bytes) -> Any:
    import cbor2

    return cbor2.loads(data)


_CODECS = {
    "json": _Codec(lambda value: json.dumps(value).encode(), json.loads),
    "cbor": _Codec(_cbor_dumps, _cbor_loads),
}


def _decode(codec: _Codec, payload: bytes) -> dict[str, Any]:
    if not payload.strip():
        return {}
    try:
        body = codec.loads(payload)
    except Exception:  # any decoding failure of the device's bytes
        raise _invalid_payload("The payload could not be decoded in the topic's format.") from None
    if not isinstance(body, dict):
        raise _invalid_payload("The payload must be an object.")
    return body


def _invalid_payload(message: str) -> ServiceError:
    # Our choice of code where AWS's documentation names none.
    return ServiceError("InvalidPayload", message, status_code=400)


def _rejection(error: ServiceError) -> dict[str, Any]:
    status = iot_model().error_status(error.code) or error.status_code or 400
    return {"statusCode": status, "errorCode": error.code, "errorMessage": error.message}
