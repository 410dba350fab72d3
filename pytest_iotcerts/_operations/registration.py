"""Wire adapters for registering certificates made elsewhere and the CA certificates that sign
them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._aws.errors import invalid_request
from .._core.resources import CACertificate
from .._service import IotService
from ._common import initial_status, operation, page
from .certificates import identity, x509_description
from .tags import tag_on_create

REGISTRABLE_STATUSES = ("ACTIVE", "INACTIVE", "REVOKED", "PENDING_ACTIVATION", "REGISTER_INACTIVE")


def _registration_status(params: Mapping[str, Any]) -> str:
    status = params.get("status")
    if status is None:
        return initial_status(params)
    if status not in REGISTRABLE_STATUSES:
        raise invalid_request(
            f"A certificate cannot be registered with status {status}; use one of "
            f"{', '.join(REGISTRABLE_STATUSES)}."
        )
    return str(status)


def ca_description(ca: CACertificate) -> dict[str, Any]:
    """The CACertificateDescription shape of DescribeCACertificate."""
    return {
        **x509_description(ca),
        "ownedBy": ca.account_id,
        "autoRegistrationStatus": ca.auto_registration_status,
    }


@operation("RegisterCertificate")
def register_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    certificate = service.registration.register(
        params["certificatePem"],
        status=_registration_status(params),
        ca_certificate_pem=params.get("caCertificatePem"),
    )
    return identity(certificate)


@operation("RegisterCertificateWithoutCA")
def register_certificate_without_ca(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    certificate = service.registration.register_without_ca(
        params["certificatePem"], status=_registration_status(params)
    )
    return identity(certificate)


@operation("GetRegistrationCode")
def get_registration_code(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"registrationCode": service.registration.registration_code}


@operation("RegisterCACertificate")
def register_ca_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    ca = service.ca_certificates.register(
        params["caCertificate"],
        verification_certificate_pem=params.get("verificationCertificate"),
        certificate_mode=params.get("certificateMode", "DEFAULT"),
        status=initial_status(params),
        auto_registration=bool(params.get("allowAutoRegistration")),
        registration_config=params.get("registrationConfig"),
    )
    tag_on_create(service, ca.arn, params)
    return identity(ca)


@operation("DescribeCACertificate")
def describe_ca_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        ca = service.ca_certificates.get(params["certificateId"])
        return {
            "certificateDescription": ca_description(ca),
            "registrationConfig": ca.registration_config,
        }


@operation("ListCACertificates")
def list_ca_certificates(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, next_marker = page(
        service.ca_certificates.select(),
        key=lambda ca: ca.sequence,
        marker=params.get("marker"),
        size=params.get("pageSize"),
        ascending=bool(params.get("ascendingOrder", False)),
    )
    summaries = [
        {
            "certificateArn": ca.arn,
            "certificateId": ca.certificate_id,
            "status": ca.status,
            "creationDate": ca.creation_date,
        }
        for ca in chosen
    ]
    return {"certificates": summaries, "nextMarker": next_marker}


@operation("UpdateCACertificate")
def update_ca_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.ca_certificates.update(
        params["certificateId"],
        status=params.get("newStatus"),
        auto_registration_status=params.get("newAutoRegistrationStatus"),
        registration_config=params.get("registrationConfig"),
        remove_registration_config=bool(params.get("removeAutoRegistration")),
    )
    return {}


@operation("DeleteCACertificate")
def delete_ca_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.ca_certificates.delete(params["certificateId"])
    return {}


@operation("DeleteRegistrationCode")
def delete_registration_code(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.registration.delete_registration_code()
    return {}
