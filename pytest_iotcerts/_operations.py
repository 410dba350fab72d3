"""Handlers of the emulated IoT operations.

A handler takes the request context and the parsed, validated input (member names of botocore's
model) and returns the output members. Errors are raised as ServiceError. Crypto happens before
the store lock is taken; checks that depend on state happen under it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import _crypto
from ._errors import ServiceError, invalid_request, not_found
from ._router import Handler, RequestContext
from ._state import Certificate

HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def _initial_status(params: Mapping[str, Any]) -> str:
    return "ACTIVE" if params.get("setAsActive") else "INACTIVE"


def find_certificate(context: RequestContext, certificate_id: str) -> Certificate:
    """The caller's certificate, or the modeled errors for a malformed or unknown id."""
    certificate = context.state.certificates.get(certificate_id.lower())
    if certificate is None:
        raise not_found(
            f"The certificate {certificate_id} does not exist in account "
            f"{context.account_id}, region {context.region}."
        )
    return certificate


@operation("CreateKeysAndCertificate")
def create_keys_and_certificate(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    key = _crypto.new_device_key()
    issued = context.ca.issue(_crypto.KEYS_AND_CERTIFICATE_SUBJECT, key.public_key())
    certificate = Certificate(
        certificate=issued,
        account_id=context.account_id,
        region=context.region,
        status=_initial_status(params),
        operation="CreateKeysAndCertificate",
        private_key=key,
    )
    context.store.add_certificate(certificate)
    context.certificate_id = certificate.certificate_id
    return {
        "certificateArn": certificate.arn,
        "certificateId": certificate.certificate_id,
        "certificatePem": certificate.pem,
        "keyPair": {
            "PublicKey": _crypto.public_key_pem(key.public_key()),
            "PrivateKey": _crypto.private_key_pem(key),
        },
    }


@operation("CreateCertificateFromCsr")
def create_certificate_from_csr(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    csr = _crypto.load_csr(params["certificateSigningRequest"])
    issued = context.ca.issue(csr.subject, csr.public_key())  # type: ignore[arg-type]
    certificate = Certificate(
        certificate=issued,
        account_id=context.account_id,
        region=context.region,
        status=_initial_status(params),
        operation="CreateCertificateFromCsr",
        csr=csr,
    )
    context.store.add_certificate(certificate)
    context.certificate_id = certificate.certificate_id
    return {
        "certificateArn": certificate.arn,
        "certificateId": certificate.certificate_id,
        "certificatePem": certificate.pem,
    }


@operation("DescribeCertificate")
def describe_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        certificate = find_certificate(context, params["certificateId"])
        return {"certificateDescription": certificate.description()}


__all__ = ["HANDLERS", "ServiceError", "invalid_request"]
