"""Registering certificates made elsewhere, and the CA certificates that sign them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from .. import _crypto
from .._errors import ServiceError, invalid_request, not_found
from .._router import RequestContext
from .._state import CACertificate, Certificate
from ._common import operation, page

REGISTRABLE_STATUSES = ("ACTIVE", "INACTIVE", "REVOKED", "PENDING_ACTIVATION", "REGISTER_INACTIVE")


def _validation_error(message: str) -> ServiceError:
    return ServiceError("CertificateValidationException", message)


def _already_exists(kind: str, resource_id: str, arn: str) -> ServiceError:
    return ServiceError(
        "ResourceAlreadyExistsException",
        f"The {kind} {resource_id} is already registered in this account and region.",
        resourceId=resource_id,
        resourceArn=arn,
    )


def _registration_status(params: Mapping[str, Any]) -> str:
    status = params.get("status")
    if status is None:
        return "ACTIVE" if params.get("setAsActive") else "INACTIVE"
    if status not in REGISTRABLE_STATUSES:
        raise invalid_request(
            f"A certificate cannot be registered with status {status}; use one of "
            f"{', '.join(REGISTRABLE_STATUSES)}."
        )
    return str(status)


def _check_validity(certificate: x509.Certificate, member: str) -> None:
    now = _crypto.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise _validation_error(
            f"The {member} is not valid now (valid {certificate.not_valid_before_utc:%Y-%m-%d} "
            f"to {certificate.not_valid_after_utc:%Y-%m-%d})."
        )


def register(
    context: RequestContext,
    certificate_pem: str,
    *,
    status: str,
    ca_certificate_pem: str | None,
    without_ca: bool,
) -> Certificate:
    """Shared by the two Register operations and the controller's seeding."""
    certificate = _crypto.load_certificate(certificate_pem, "certificatePem")
    _check_validity(certificate, "certificatePem")
    ca_certificate_id: str | None = None
    if not without_ca:
        if ca_certificate_pem is not None:
            issuer = _crypto.load_certificate(ca_certificate_pem, "caCertificatePem")
            if not _crypto.is_signed_by(certificate, issuer):
                raise _validation_error(
                    "The certificatePem is not signed by the CA certificate in caCertificatePem."
                )
            ca_certificate_id = _crypto.certificate_id(issuer)
        else:
            with context.store.lock:
                cas = list(context.state.ca_certificates.values())
            signer = next(
                (ca for ca in cas if _crypto.is_signed_by(certificate, ca.certificate)), None
            )
            if signer is None:
                raise _validation_error(
                    "The certificatePem does not chain to a CA certificate registered in account "
                    f"{context.account_id}, region {context.region}; pass caCertificatePem or "
                    "register its CA first (RegisterCACertificate)."
                )
            ca_certificate_id = signer.certificate_id
    record = Certificate(
        certificate=certificate,
        account_id=context.account_id,
        region=context.region,
        status=status,
        operation="RegisterCertificateWithoutCA" if without_ca else "RegisterCertificate",
        ca_certificate_id=ca_certificate_id,
        certificate_mode="SNI_ONLY" if without_ca else "DEFAULT",
    )
    with context.store.lock:
        existing = context.state.certificates.get(record.certificate_id)
        if existing is not None:
            raise _already_exists("certificate", existing.certificate_id, existing.arn)
        ca = context.state.ca_certificates.get(ca_certificate_id or "")
        if ca is not None:
            if ca.status != "ACTIVE":
                raise ServiceError(
                    "CertificateStateException",
                    f"The CA certificate {ca.certificate_id} is {ca.status}; activate it first.",
                )
            # "Registers a device certificate in the same certificate mode as the signing CA."
            record.certificate_mode = ca.certificate_mode
        context.store.add_certificate(record)
    return record


@operation("RegisterCertificate")
def register_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    record = register(
        context,
        params["certificatePem"],
        status=_registration_status(params),
        ca_certificate_pem=params.get("caCertificatePem"),
        without_ca=False,
    )
    return {"certificateArn": record.arn, "certificateId": record.certificate_id}


@operation("RegisterCertificateWithoutCA")
def register_certificate_without_ca(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    record = register(
        context,
        params["certificatePem"],
        status=_registration_status(params),
        ca_certificate_pem=None,
        without_ca=True,
    )
    return {"certificateArn": record.arn, "certificateId": record.certificate_id}


@operation("GetRegistrationCode")
def get_registration_code(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"registrationCode": context.state.registration_code}


def load_ca(pem: str) -> x509.Certificate:
    ca_certificate = _crypto.load_certificate(pem, "caCertificate")
    _check_validity(ca_certificate, "caCertificate")
    try:
        constraints = ca_certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = constraints.value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise _validation_error(
            "The caCertificate is not a CA certificate (BasicConstraints CA:TRUE is missing)."
        )
    return ca_certificate


def add_ca_certificate(
    context: RequestContext,
    ca_certificate: x509.Certificate,
    *,
    status: str,
    auto_registration: bool,
    certificate_mode: str,
    registration_config: dict[str, Any] | None,
) -> CACertificate:
    """Record a CA certificate (shared by RegisterCACertificate and the controller's seeding)."""
    record = CACertificate(
        certificate=ca_certificate,
        account_id=context.account_id,
        region=context.region,
        status=status,
        auto_registration=auto_registration,
        certificate_mode=certificate_mode,
        registration_config=registration_config,
    )
    with context.store.lock:
        existing = context.state.ca_certificates.get(record.certificate_id)
        if existing is not None:
            raise _already_exists("CA certificate", existing.certificate_id, existing.arn)
        context.state.ca_certificates[record.certificate_id] = record
    return record


@operation("RegisterCACertificate")
def register_ca_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    mode = params.get("certificateMode", "DEFAULT")
    ca_certificate = load_ca(params["caCertificate"])
    verification_pem = params.get("verificationCertificate")
    if mode == "DEFAULT":
        if verification_pem is None:
            raise invalid_request(
                "A verificationCertificate is required unless certificateMode is SNI_ONLY."
            )
        verification = _crypto.load_certificate(verification_pem, "verificationCertificate")
        if not _crypto.is_signed_by(verification, ca_certificate):
            raise _validation_error(
                "The verificationCertificate is not signed by the private key of the caCertificate."
            )
        common_names = verification.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        with context.store.lock:
            code = context.state.registration_code
        if [attribute.value for attribute in common_names] != [code]:
            raise ServiceError(
                "RegistrationCodeValidationException",
                "The verificationCertificate's common name must be this account's registration "
                "code (GetRegistrationCode).",
            )
    record = add_ca_certificate(
        context,
        ca_certificate,
        status="ACTIVE" if params.get("setAsActive") else "INACTIVE",
        auto_registration=bool(params.get("allowAutoRegistration")),
        certificate_mode=mode,
        registration_config=params.get("registrationConfig"),
    )
    return {"certificateArn": record.arn, "certificateId": record.certificate_id}


def _find_ca(context: RequestContext, certificate_id: str) -> CACertificate:
    ca = context.state.ca_certificates.get(certificate_id.lower())
    if ca is None:
        raise not_found(
            f"The CA certificate {certificate_id} does not exist in account "
            f"{context.account_id}, region {context.region}."
        )
    return ca


@operation("DescribeCACertificate")
def describe_ca_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        ca = _find_ca(context, params["certificateId"])
        return {
            "certificateDescription": ca.description(),
            "registrationConfig": ca.registration_config,
        }


@operation("ListCACertificates")
def list_ca_certificates(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        chosen, next_marker = page(
            list(context.state.ca_certificates.values()),
            key=lambda ca: ca.sequence,
            marker=params.get("marker"),
            size=params.get("pageSize"),
            ascending=bool(params.get("ascendingOrder", False)),
        )
        return {"certificates": [ca.summary() for ca in chosen], "nextMarker": next_marker}


@operation("UpdateCACertificate")
def update_ca_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        ca = _find_ca(context, params["certificateId"])
        if "newStatus" in params:
            ca.status = params["newStatus"]
        if "newAutoRegistrationStatus" in params:
            ca.auto_registration_status = params["newAutoRegistrationStatus"]
        if params.get("removeAutoRegistration"):
            ca.registration_config = None
        elif "registrationConfig" in params:
            ca.registration_config = params["registrationConfig"]
        ca.touch()
    return {}


@operation("DeleteCACertificate")
def delete_ca_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        ca = _find_ca(context, params["certificateId"])
        if ca.status == "ACTIVE":
            raise ServiceError(
                "CertificateStateException",
                f"The CA certificate {ca.certificate_id} is ACTIVE; deactivate it "
                "(UpdateCACertificate newStatus=INACTIVE) before deleting it.",
            )
        del context.state.ca_certificates[ca.certificate_id]
    return {}
