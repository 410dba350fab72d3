"""Wire adapters for issuing, describing, listing, updating and deleting device certificates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.ordered import Ordered
from .._core.resources import CACertificate, Certificate
from .._service import IotService
from ._common import initial_status, operation, page


def x509_description(resource: Certificate | CACertificate) -> dict[str, Any]:
    """What DescribeCertificate and DescribeCACertificate both answer of a certificate."""
    return {
        "certificateArn": resource.arn,
        "certificateId": resource.certificate_id,
        "status": resource.status,
        "certificatePem": resource.pem,
        "creationDate": resource.creation_date,
        "lastModifiedDate": resource.last_modified_date,
        "customerVersion": resource.customer_version,
        "generationId": resource.generation_id,
        "validity": {"notBefore": resource.not_before, "notAfter": resource.not_after},
        "certificateMode": resource.certificate_mode,
    }


def description(certificate: Certificate) -> dict[str, Any]:
    """The CertificateDescription shape of DescribeCertificate."""
    return {
        **x509_description(certificate),
        "caCertificateId": certificate.ca_certificate_id,
        "ownedBy": certificate.owned_by,
        "previousOwnedBy": certificate.previous_owned_by,
        "transferData": dict(certificate.transfer_data),
    }


def summary(certificate: Certificate) -> dict[str, Any]:
    """The Certificate shape of ListCertificates."""
    return {
        "certificateArn": certificate.arn,
        "certificateId": certificate.certificate_id,
        "status": certificate.status,
        "certificateMode": certificate.certificate_mode,
        "creationDate": certificate.creation_date,
    }


def identity(certificate: Certificate | CACertificate) -> dict[str, Any]:
    return {"certificateArn": certificate.arn, "certificateId": certificate.certificate_id}


@operation("CreateKeysAndCertificate")
def create_keys_and_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    certificate = service.certificates.create_with_keys(initial_status(params))
    return {
        **identity(certificate),
        "certificatePem": certificate.pem,
        "keyPair": {
            "PublicKey": certificate.public_key_pem,
            "PrivateKey": certificate.private_key_pem,
        },
    }


@operation("CreateCertificateFromCsr")
def create_certificate_from_csr(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    certificate = service.certificates.create_from_csr(
        params["certificateSigningRequest"], initial_status(params)
    )
    return {**identity(certificate), "certificatePem": certificate.pem}


@operation("DescribeCertificate")
def describe_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        certificate = service.certificates.describe(params["certificateId"])
        return {"certificateDescription": description(certificate)}


@operation("ListCertificates")
def list_certificates(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return _list_page(service.certificates.in_issue_order(), params)


@operation("ListCertificatesByCA")
def list_certificates_by_ca(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return _list_page(service.certificates.signed_by(params["caCertificateId"]), params)


def _list_page(
    certificates: list[Certificate] | Ordered[Certificate], params: dict[str, Any]
) -> dict[str, Any]:
    chosen, next_marker = page(
        certificates,
        key=lambda c: c.sequence,
        marker=params.get("marker"),
        size=params.get("pageSize"),
        ascending=bool(params.get("ascendingOrder", False)),
    )
    return {"certificates": [summary(c) for c in chosen], "nextMarker": next_marker}


@operation("UpdateCertificate")
def update_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.certificates.update_status(params["certificateId"], params["newStatus"])
    return {}


@operation("DeleteCertificate")
def delete_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.certificates.delete(params["certificateId"], force=bool(params.get("forceDelete")))
    return {}
