"""Issuing, describing, listing, updating and deleting device certificates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _crypto
from .._errors import ServiceError, invalid_request
from .._keys import new_device_key
from .._router import RequestContext
from .._state import Certificate
from ._common import find_certificate, initial_status, operation, page

# Statuses UpdateCertificate may set; PENDING_TRANSFER and PENDING_ACTIVATION are the service's
# own, and REGISTER_INACTIVE is deprecated.
SETTABLE_STATUSES = ("ACTIVE", "INACTIVE", "REVOKED")


def issue_from_keys(context: RequestContext, status: str) -> Certificate:
    key = new_device_key()
    issued = context.ca.issue(_crypto.KEYS_AND_CERTIFICATE_SUBJECT, key.public_key())
    return Certificate(
        certificate=issued,
        account_id=context.account_id,
        region=context.region,
        status=status,
        operation="CreateKeysAndCertificate",
        private_key=key,
    )


def issue_from_csr(context: RequestContext, csr_pem: str, status: str) -> Certificate:
    csr = _crypto.load_csr(csr_pem)
    issued = context.ca.issue(csr.subject, csr.public_key())  # type: ignore[arg-type]
    return Certificate(
        certificate=issued,
        account_id=context.account_id,
        region=context.region,
        status=status,
        operation="CreateCertificateFromCsr",
        csr=csr,
    )


@operation("CreateKeysAndCertificate")
def create_keys_and_certificate(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    certificate = issue_from_keys(context, initial_status(params))
    context.store.add_certificate(certificate)
    assert certificate.private_key is not None
    return {
        "certificateArn": certificate.arn,
        "certificateId": certificate.certificate_id,
        "certificatePem": certificate.pem,
        "keyPair": {
            "PublicKey": certificate.public_key_pem,
            "PrivateKey": certificate.private_key_pem,
        },
    }


@operation("CreateCertificateFromCsr")
def create_certificate_from_csr(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    certificate = issue_from_csr(
        context, params["certificateSigningRequest"], initial_status(params)
    )
    context.store.add_certificate(certificate)
    return {
        "certificateArn": certificate.arn,
        "certificateId": certificate.certificate_id,
        "certificatePem": certificate.pem,
    }


@operation("DescribeCertificate")
def describe_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    certificate_id = params["certificateId"].lower()
    with context.store.lock:
        transfer = context.store.transfers.get((context.region, certificate_id))
        if (
            transfer is not None
            and transfer.state == "PENDING"
            and transfer.target_account_id == context.account_id
        ):
            # The receiving account may look at a certificate offered to it before accepting.
            source = context.store.region(transfer.source_account_id, context.region)
            certificate = source.certificates[certificate_id]
        else:
            certificate = find_certificate(context, certificate_id)
        return {"certificateDescription": certificate.description()}


@operation("ListCertificates")
def list_certificates(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        return _list_page(list(context.state.certificates.values()), params)


@operation("ListCertificatesByCA")
def list_certificates_by_ca(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    ca_id = params["caCertificateId"].lower()
    with context.store.lock:
        signed = [c for c in context.state.certificates.values() if c.ca_certificate_id == ca_id]
        return _list_page(signed, params)


def _list_page(certificates: list[Certificate], params: dict[str, Any]) -> dict[str, Any]:
    chosen, next_marker = page(
        certificates,
        key=lambda c: c.sequence,
        marker=params.get("marker"),
        size=params.get("pageSize"),
        ascending=bool(params.get("ascendingOrder", False)),
    )
    return {"certificates": [c.summary() for c in chosen], "nextMarker": next_marker}


@operation("UpdateCertificate")
def update_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    new_status = params["newStatus"]
    if new_status not in SETTABLE_STATUSES:
        raise invalid_request(
            f"A certificate's status cannot be set to {new_status}; "
            f"UpdateCertificate accepts {', '.join(SETTABLE_STATUSES)}."
        )
    with context.store.lock:
        certificate = find_certificate(context, params["certificateId"])
        if certificate.status == new_status:
            return {}
        if certificate.status == "REVOKED":
            raise ServiceError(
                "CertificateStateException",
                f"The certificate {certificate.certificate_id} is revoked; once a certificate "
                "is revoked, its status can't be changed.",
            )
        if certificate.status == "PENDING_TRANSFER":
            raise ServiceError(
                "CertificateStateException",
                f"The certificate {certificate.certificate_id} is pending transfer; cancel, "
                "accept or reject the transfer before changing its status.",
            )
        certificate.status = new_status
        certificate.touch()
    return {}


@operation("DeleteCertificate")
def delete_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    force = bool(params.get("forceDelete"))
    with context.store.lock:
        certificate = find_certificate(context, params["certificateId"])
        # The wording of the ACTIVE, things and policies refusals is AWS's own.
        if certificate.status == "ACTIVE":
            raise ServiceError(
                "CertificateStateException",
                "Certificate must be deactivated (not ACTIVE) before deletion. "
                f"Id: {certificate.certificate_id}",
            )
        if certificate.status == "PENDING_TRANSFER":
            raise ServiceError(
                "CertificateStateException",
                f"The certificate {certificate.certificate_id} is pending transfer; cancel or "
                "finish the transfer before deleting it.",
            )
        if certificate.things:
            raise ServiceError(
                "DeleteConflictException",
                f"Things must be detached before deletion (arn: {certificate.arn})",
            )
        if certificate.policies and not force:
            raise ServiceError(
                "DeleteConflictException",
                f"Certificate policies must be detached before deletion (arn: {certificate.arn})",
            )
        for name in certificate.policies:
            policy = context.state.policies.get(name)
            if policy is not None:
                policy.targets.pop(certificate.arn, None)
        certificate.policies.clear()
        context.store.remove_certificate(certificate)
    return {}
