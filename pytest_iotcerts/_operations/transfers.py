"""Moving a certificate from one account to another: transfer, then accept, reject or cancel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import ServiceError, invalid_request, not_found
from .._partitions import iot_arn
from .._router import RequestContext
from .._state import Certificate, Transfer, now
from ._common import find_certificate, operation


def _already_completed(transfer: Transfer) -> ServiceError:
    return ServiceError(
        "TransferAlreadyCompletedException",
        f"The transfer of certificate {transfer.certificate_id} to account "
        f"{transfer.target_account_id} was already {transfer.state.lower()}.",
    )


def _incoming(context: RequestContext, certificate_id: str) -> tuple[Transfer, Certificate]:
    """A transfer to the caller's account, with its certificate (still in the source account)."""
    transfer = context.store.transfers.get((context.region, certificate_id.lower()))
    if transfer is None or transfer.target_account_id != context.account_id:
        raise not_found(
            f"No transfer of certificate {certificate_id} to account {context.account_id} "
            f"exists in region {context.region}."
        )
    if transfer.state != "PENDING":
        raise _already_completed(transfer)
    certificate = context.store.region(transfer.source_account_id, context.region).certificates[
        transfer.certificate_id
    ]
    return transfer, certificate


@operation("TransferCertificate")
def transfer_certificate(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    target = params["targetAwsAccount"]
    with context.store.lock:
        certificate = find_certificate(context, params["certificateId"])
        if target == context.account_id:
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
        transfer = Transfer(certificate.certificate_id, context.region, context.account_id, target)
        context.store.transfers[(context.region, certificate.certificate_id)] = transfer
        certificate.status = "PENDING_TRANSFER"
        certificate.transfer_data = {"transferDate": now()}
        if "transferMessage" in params:
            certificate.transfer_data["transferMessage"] = params["transferMessage"]
        certificate.touch()
        arn = iot_arn(context.region, target, f"cert/{certificate.certificate_id}")
    return {"transferredCertificateArn": arn}


@operation("AcceptCertificateTransfer")
def accept_certificate_transfer(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    with context.store.lock:
        transfer, certificate = _incoming(context, params["certificateId"])
        transfer.state = "ACCEPTED"
        context.store.move_certificate(certificate, context.account_id)
        certificate.previous_owned_by = certificate.owned_by
        certificate.owned_by = context.account_id
        certificate.status = "ACTIVE" if params.get("setAsActive") else "INACTIVE"
        certificate.transfer_data["acceptDate"] = now()
        certificate.touch()
    return {}


@operation("RejectCertificateTransfer")
def reject_certificate_transfer(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    with context.store.lock:
        transfer, certificate = _incoming(context, params["certificateId"])
        transfer.state = "REJECTED"
        certificate.status = "INACTIVE"
        certificate.transfer_data["rejectDate"] = now()
        if "rejectReason" in params:
            certificate.transfer_data["rejectReason"] = params["rejectReason"]
        certificate.touch()
    return {}


@operation("CancelCertificateTransfer")
def cancel_certificate_transfer(
    context: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    certificate_id = params["certificateId"].lower()
    with context.store.lock:
        transfer = context.store.transfers.get((context.region, certificate_id))
        if transfer is None or transfer.source_account_id != context.account_id:
            find_certificate(context, certificate_id)  # ResourceNotFoundException if not ours
            raise invalid_request(f"The certificate {certificate_id} is not being transferred.")
        if transfer.state != "PENDING":
            raise _already_completed(transfer)
        certificate = find_certificate(context, certificate_id)
        transfer.state = "CANCELLED"
        certificate.status = "INACTIVE"
        certificate.transfer_data = {}
        certificate.touch()
    return {}
