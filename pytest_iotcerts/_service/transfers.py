"""Moving a certificate from one account to another: transfer, then accept, reject or cancel."""

from __future__ import annotations

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, invalid_request, not_found
from .._aws.partitions import iot_arn
from .._core.resources import Certificate
from .._core.store import Transfer
from ._scope import Scope


def _already_completed(transfer: Transfer) -> ServiceError:
    return ServiceError(
        "TransferAlreadyCompletedException",
        f"The transfer of certificate {transfer.certificate_id} to account "
        f"{transfer.target_account_id} was already {transfer.state.lower()}.",
    )


class Transfers:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def outgoing(self) -> list[tuple[Certificate, Transfer]]:
        """The caller's certificates offered to another account and not taken yet, oldest
        certificate first."""
        scope = self._scope
        with scope.store.lock:
            found = [
                (scope.state.certificates[transfer.certificate_id], transfer)
                for (region, _), transfer in scope.store.transfers.items()
                if region == scope.region
                and transfer.source_account_id == scope.account_id
                and transfer.state == "PENDING"
                and transfer.certificate_id in scope.state.certificates
            ]
        return sorted(found, key=lambda pair: pair[0].sequence)

    def transfer(self, certificate_id: str, target_account_id: str, message: str | None) -> str:
        """Offer an INACTIVE certificate with nothing attached to another account; the ARN it
        will have there."""
        scope = self._scope
        with scope.store.lock:
            certificate = scope.certificate(certificate_id)
            self._check_transferable(certificate, target_account_id)
            scope.store.transfers[(scope.region, certificate.certificate_id)] = Transfer(
                certificate.certificate_id, scope.region, scope.account_id, target_account_id
            )
            certificate.status = "PENDING_TRANSFER"
            certificate.transfer_data = {"transferDate": timestamp()}
            if message is not None:
                certificate.transfer_data["transferMessage"] = message
            certificate.touch()
        return iot_arn(scope.region, target_account_id, f"cert/{certificate.certificate_id}")

    def _check_transferable(self, certificate: Certificate, target_account_id: str) -> None:
        if target_account_id == self._scope.account_id:
            raise invalid_request("A certificate cannot be transferred to its own account.")
        if certificate.status in ("ACTIVE", "REVOKED", "PENDING_TRANSFER"):
            raise ServiceError(
                "CertificateStateException",
                f"The certificate {certificate.certificate_id} is {certificate.status}; only an "
                "INACTIVE certificate can be transferred.",
            )
        attached = sorted(certificate.policies) + sorted(certificate.things)
        if attached:
            # Policies and things live in the source account: they cannot travel along.
            raise ServiceError(
                "TransferConflictException",
                f"The certificate {certificate.certificate_id} has policies or things attached "
                f"({', '.join(attached)}); detach them before transferring.",
            )

    def accept(self, certificate_id: str, *, set_as_active: bool = False) -> Certificate:
        with self._scope.store.lock:
            transfer, certificate = self._incoming(certificate_id)
            transfer.state = "ACCEPTED"
            self._scope.store.move_certificate(certificate, self._scope.account_id)
            certificate.previous_owned_by = certificate.owned_by
            certificate.owned_by = self._scope.account_id
            certificate.status = "ACTIVE" if set_as_active else "INACTIVE"
            certificate.transfer_data["acceptDate"] = timestamp()
            certificate.touch()
            return certificate

    def reject(self, certificate_id: str, reason: str | None = None) -> None:
        with self._scope.store.lock:
            transfer, certificate = self._incoming(certificate_id)
            transfer.state = "REJECTED"
            certificate.status = "INACTIVE"
            certificate.transfer_data["rejectDate"] = timestamp()
            if reason is not None:
                certificate.transfer_data["rejectReason"] = reason
            certificate.touch()

    def cancel(self, certificate_id: str) -> None:
        scope = self._scope
        certificate_id = certificate_id.lower()
        with scope.store.lock:
            transfer = scope.store.transfers.get((scope.region, certificate_id))
            if transfer is None or transfer.source_account_id != scope.account_id:
                scope.certificate(certificate_id)  # ResourceNotFoundException if not ours
                raise invalid_request(f"The certificate {certificate_id} is not being transferred.")
            if transfer.state != "PENDING":
                raise _already_completed(transfer)
            certificate = scope.certificate(certificate_id)
            transfer.state = "CANCELLED"
            certificate.status = "INACTIVE"
            certificate.transfer_data = {}
            certificate.touch()

    def _incoming(self, certificate_id: str) -> tuple[Transfer, Certificate]:
        """A transfer to the caller's account, with its certificate (still in the source)."""
        scope = self._scope
        transfer = scope.store.transfers.get((scope.region, certificate_id.lower()))
        if transfer is None or transfer.target_account_id != scope.account_id:
            raise not_found(
                f"No transfer of certificate {certificate_id} to account {scope.account_id} "
                f"exists in region {scope.region}."
            )
        if transfer.state != "PENDING":
            raise _already_completed(transfer)
        source = scope.store.region(transfer.source_account_id, scope.region)
        return transfer, source.certificates[transfer.certificate_id]
