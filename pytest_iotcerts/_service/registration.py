"""Certificates made elsewhere (RegisterCertificate, ...WithoutCA) and the CA certificates that
sign them (RegisterCACertificate and its lifecycle)."""

from __future__ import annotations

import secrets
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from .._aws.clock import x509_time
from .._aws.errors import ServiceError, already_exists, invalid_request, not_found
from .._core.resources import CACertificate, Certificate
from .._x509 import crypto, input_rules
from ._scope import Scope


def _validation_error(message: str) -> ServiceError:
    return ServiceError("CertificateValidationException", message)


def _already_exists(kind: str, resource_id: str, arn: str) -> ServiceError:
    return already_exists(
        f"The {kind} {resource_id} is already registered in this account and region.",
        resource_id,
        arn,
    )


def _check_validity(certificate: x509.Certificate, member: str) -> None:
    now = x509_time()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise _validation_error(
            f"The {member} is not valid now (valid {certificate.not_valid_before_utc:%Y-%m-%d} "
            f"to {certificate.not_valid_after_utc:%Y-%m-%d})."
        )


class Registration:
    """Device certificates signed by a CA of the caller's (or by none, SNI_ONLY)."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    @property
    def registration_code(self) -> str:
        with self._scope.store.lock:
            return self._scope.state.registration_code

    def delete_registration_code(self) -> None:
        """DeleteRegistrationCode: the next GetRegistrationCode answers a new one, and a
        verification certificate must carry that one."""
        with self._scope.store.lock:
            self._scope.state.registration_code = secrets.token_hex(32)

    def register(
        self, certificate_pem: str, *, status: str, ca_certificate_pem: str | None = None
    ) -> Certificate:
        """RegisterCertificate: the certificate must chain to ``ca_certificate_pem`` or to a CA
        certificate registered in this account and region."""
        certificate = input_rules.load_certificate(certificate_pem, "certificatePem")
        _check_validity(certificate, "certificatePem")
        if ca_certificate_pem is not None:
            ca_id = self._signer_given(certificate, ca_certificate_pem)
        else:
            ca_id = self._registered_signer(certificate)
        return self.hold(
            self._scope.new_certificate(
                certificate, status=status, operation="RegisterCertificate", ca_certificate_id=ca_id
            )
        )

    def register_without_ca(self, certificate_pem: str, *, status: str) -> Certificate:
        """RegisterCertificateWithoutCA: any valid certificate, in SNI_ONLY mode."""
        certificate = input_rules.load_certificate(certificate_pem, "certificatePem")
        _check_validity(certificate, "certificatePem")
        record = self._scope.new_certificate(
            certificate, status=status, operation="RegisterCertificateWithoutCA"
        )
        record.certificate_mode = "SNI_ONLY"
        return self.hold(record)

    @staticmethod
    def _signer_given(certificate: x509.Certificate, ca_certificate_pem: str) -> str:
        issuer = input_rules.load_certificate(ca_certificate_pem, "caCertificatePem")
        if not crypto.is_signed_by(certificate, issuer):
            raise _validation_error(
                "The certificatePem is not signed by the CA certificate in caCertificatePem."
            )
        return crypto.certificate_id(issuer)

    def _registered_signer(self, certificate: x509.Certificate) -> str:
        with self._scope.store.lock:
            cas = list(self._scope.state.ca_certificates.values())
        for ca in cas:  # signature checks run outside the lock
            if crypto.is_signed_by(certificate, ca.certificate):
                return ca.certificate_id
        raise _validation_error(
            "The certificatePem does not chain to a CA certificate registered in account "
            f"{self._scope.account_id}, region {self._scope.region}; pass caCertificatePem or "
            "register its CA first (RegisterCACertificate)."
        )

    def hold(self, record: Certificate) -> Certificate:
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.certificates.get(record.certificate_id)
            if existing is not None:
                raise _already_exists("certificate", existing.certificate_id, existing.arn)
            ca = state.ca_certificates.get(record.ca_certificate_id or "")
            if ca is not None:
                if ca.status != "ACTIVE":
                    raise ServiceError(
                        "CertificateStateException",
                        f"The CA certificate {ca.certificate_id} is {ca.status}; activate it "
                        "first.",
                    )
                # "Registers a device certificate in the same certificate mode as the signing CA."
                record.certificate_mode = ca.certificate_mode
            self._scope.store.add_certificate(record)
        return record


class CACertificates:
    """CA certificates: registered with proof of possession, then activated, updated, deleted."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def register(
        self,
        ca_certificate_pem: str,
        *,
        verification_certificate_pem: str | None,
        certificate_mode: str = "DEFAULT",
        **options: Any,
    ) -> CACertificate:
        """RegisterCACertificate: in DEFAULT mode, a verification certificate signed by the CA's
        key, whose common name is the registration code, proves the caller holds that key.
        ``options``: ``status``, ``auto_registration``, ``registration_config``."""
        ca_certificate = self._load(ca_certificate_pem)
        if certificate_mode == "DEFAULT":
            self._check_verification(ca_certificate, verification_certificate_pem)
        return self.add(ca_certificate, certificate_mode=certificate_mode, **options)

    def _check_verification(self, ca_certificate: x509.Certificate, pem: str | None) -> None:
        if pem is None:
            raise invalid_request(
                "A verificationCertificate is required unless certificateMode is SNI_ONLY."
            )
        verification = input_rules.load_certificate(pem, "verificationCertificate")
        if not crypto.is_signed_by(verification, ca_certificate):
            raise _validation_error(
                "The verificationCertificate is not signed by the private key of the caCertificate."
            )
        names = verification.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if [name.value for name in names] != [Registration(self._scope).registration_code]:
            raise ServiceError(
                "RegistrationCodeValidationException",
                "The verificationCertificate's common name must be this account's registration "
                "code (GetRegistrationCode).",
            )

    @staticmethod
    def _load(pem: str) -> x509.Certificate:
        ca_certificate = input_rules.load_certificate(pem, "caCertificate")
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

    def add(
        self,
        ca_certificate: x509.Certificate | str,
        *,
        status: str,
        auto_registration: bool = False,
        certificate_mode: str = "DEFAULT",
        registration_config: dict[str, Any] | None = None,
    ) -> CACertificate:
        """Hold a CA certificate without proof of possession (what seeding does)."""
        if isinstance(ca_certificate, str):
            ca_certificate = self._load(ca_certificate)
        record = CACertificate(
            ca_certificate,
            account_id=self._scope.account_id,
            region=self._scope.region,
            status=status,
            auto_registration=auto_registration,
            certificate_mode=certificate_mode,
            registration_config=registration_config,
        )
        with self._scope.store.lock:
            held = self._scope.state.ca_certificates
            existing = held.get(record.certificate_id)
            if existing is not None:
                raise _already_exists("CA certificate", existing.certificate_id, existing.arn)
            held[record.certificate_id] = record
            self._scope.store.version += 1
        return record

    def get(self, certificate_id: str) -> CACertificate:
        ca = self._scope.state.ca_certificates.get(certificate_id.lower())
        if ca is None:
            raise not_found(
                f"The CA certificate {certificate_id} does not exist in account "
                f"{self._scope.account_id}, region {self._scope.region}."
            )
        return ca

    def select(self) -> list[CACertificate]:
        with self._scope.store.lock:
            return list(self._scope.state.ca_certificates.values())

    def update(
        self,
        certificate_id: str,
        *,
        status: str | None = None,
        auto_registration_status: str | None = None,
        registration_config: dict[str, Any] | None = None,
        remove_registration_config: bool = False,
    ) -> CACertificate:
        with self._scope.store.lock:
            ca = self.get(certificate_id)
            ca.status = status or ca.status
            ca.auto_registration_status = auto_registration_status or ca.auto_registration_status
            if remove_registration_config:
                ca.registration_config = None
            elif registration_config is not None:
                ca.registration_config = registration_config
            ca.touch()
        self._scope.certificates_changed()
        return ca

    def delete(self, certificate_id: str) -> None:
        with self._scope.store.lock:
            ca = self.get(certificate_id)
            if ca.status == "ACTIVE":
                raise ServiceError(
                    "CertificateStateException",
                    f"The CA certificate {ca.certificate_id} is ACTIVE; deactivate it "
                    "(UpdateCACertificate newStatus=INACTIVE) before deleting it.",
                )
            del self._scope.state.ca_certificates[ca.certificate_id]
            self._scope.state.tags.pop(ca.arn, None)
            self._scope.store.version += 1
        self._scope.certificates_changed()
