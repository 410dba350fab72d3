"""Device certificates: issue, look up, list, change status, delete."""

from __future__ import annotations

from typing import Any

from .._aws.errors import ServiceError, invalid_request
from .._core.ordered import Ordered
from .._core.resources import Certificate
from .._x509 import crypto, input_rules
from ._scope import Scope
from .certificate_providers import CertificateProviders

# Statuses UpdateCertificate may set; PENDING_TRANSFER and PENDING_ACTIVATION are the service's
# own, and REGISTER_INACTIVE is deprecated.
SETTABLE_STATUSES = ("ACTIVE", "INACTIVE", "REVOKED")


def _state_error(message: str) -> ServiceError:
    return ServiceError("CertificateStateException", message)


class Certificates:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create_with_keys(
        self, status: str, *, operation: str = "CreateKeysAndCertificate", **details: Any
    ) -> Certificate:
        """CreateKeysAndCertificate: a new key pair, and a certificate for it."""
        key = self._scope.keys.take()
        subject = crypto.KEYS_AND_CERTIFICATE_SUBJECT
        issued = self._scope.ca.issue(
            subject, key.public_key(), details.pop("not_after", crypto.NOT_AFTER)
        )
        return self.hold(
            self._scope.new_certificate(
                issued, status=status, operation=operation, private_key=key, **details
            )
        )

    def create_from_csr(self, csr_pem: str, status: str) -> Certificate:
        """CreateCertificateFromCsr: the CSR's subject and key, signed by the CA."""
        return self.hold(self.prepare_from_csr(csr_pem, status, "CreateCertificateFromCsr"))

    def prepare_from_csr(
        self, csr_pem: str, status: str, operation: str, *, client_id: str | None = None
    ) -> Certificate:
        """A certificate for the CSR's subject and key, signed but not held yet (the crypto,
        before any lock): by the account's certificate provider when it has one, else by the
        mock's CA."""
        if operation == "CreateCertificateFromCsr":
            provided = CertificateProviders(self._scope).sign(csr_pem, client_id=client_id)
            if provided is not None:
                certificate, ca = provided
                return self._scope.new_certificate(
                    certificate,
                    status=status,
                    operation=operation,
                    ca_certificate_id=ca.certificate_id,
                )
        csr = input_rules.load_csr(csr_pem)
        issued = self._scope.ca.issue(csr.subject, csr.public_key())  # type: ignore[arg-type]
        return self._scope.new_certificate(issued, status=status, operation=operation, csr=csr)

    def hold(self, certificate: Certificate) -> Certificate:
        self._scope.store.add_certificate(certificate)
        return certificate

    def describe(self, certificate_id: str) -> Certificate:
        """The caller's certificate, or one another account is transferring to the caller (the
        receiving account may look at it before accepting)."""
        store = self._scope.store
        with store.lock:
            transfer = store.transfers.get((self._scope.region, certificate_id.lower()))
            if (
                transfer is not None
                and transfer.state == "PENDING"
                and transfer.target_account_id == self._scope.account_id
            ):
                source = store.region(transfer.source_account_id, self._scope.region)
                return source.certificates[transfer.certificate_id]
            return self._scope.certificate(certificate_id)

    def select(self, *, ca_certificate_id: str | None = None) -> list[Certificate]:
        """The caller's certificates in issue order (those a CA signed, if given)."""
        with self._scope.store.lock:
            held = list(self._scope.state.certificates.values())
        if ca_certificate_id is None:
            return held
        return [c for c in held if c.ca_certificate_id == ca_certificate_id.lower()]

    def signed_by(self, ca_certificate_id: str) -> Ordered[Certificate]:
        """The caller's certificates a CA signed, in issue order, to page through
        (ListCertificatesByCA)."""
        with self._scope.store.lock:
            signed = self._scope.state.certificates_by_ca.get(ca_certificate_id.lower())
        return signed if signed is not None else Ordered()

    def in_issue_order(self) -> Ordered[Certificate]:
        """The caller's certificates, to page through without copying them (ListCertificates)."""
        return self._scope.state.certificates_in_issue_order

    def update_status(self, certificate_id: str, new_status: str) -> Certificate:
        if new_status not in SETTABLE_STATUSES:
            raise invalid_request(
                f"A certificate's status cannot be set to {new_status}; "
                f"UpdateCertificate accepts {', '.join(SETTABLE_STATUSES)}."
            )
        with self._scope.store.lock:
            certificate = self._scope.certificate(certificate_id)
            if certificate.status == new_status:
                return certificate
            if certificate.status == "REVOKED":
                raise _state_error(
                    f"The certificate {certificate.certificate_id} is revoked; once a "
                    "certificate is revoked, its status can't be changed."
                )
            if certificate.status == "PENDING_TRANSFER":
                raise _state_error(
                    f"The certificate {certificate.certificate_id} is pending transfer; cancel, "
                    "accept or reject the transfer before changing its status."
                )
            certificate.status = new_status
            certificate.touch()
        self._scope.certificates_changed()
        return certificate

    def delete(self, certificate_id: str, *, force: bool = False) -> None:
        """Delete an inactive certificate with no things; ``force`` detaches its policies."""
        with self._scope.store.lock:
            certificate = self._scope.certificate(certificate_id)
            self._check_deletable(certificate, force)
            self._scope.store.remove_certificate(certificate)

    @staticmethod
    def _check_deletable(certificate: Certificate, force: bool) -> None:
        # The wording of the ACTIVE, things and policies refusals is AWS's own.
        if certificate.status == "ACTIVE":
            raise _state_error(
                "Certificate must be deactivated (not ACTIVE) before deletion. "
                f"Id: {certificate.certificate_id}"
            )
        if certificate.status == "PENDING_TRANSFER":
            raise _state_error(
                f"The certificate {certificate.certificate_id} is pending transfer; cancel or "
                "finish the transfer before deleting it."
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
