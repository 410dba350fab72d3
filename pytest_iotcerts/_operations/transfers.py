"""Wire adapters for moving a certificate to another account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._service import IotService
from ._common import operation


@operation("TransferCertificate")
def transfer_certificate(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    arn = service.transfers.transfer(
        params["certificateId"], params["targetAwsAccount"], params.get("transferMessage")
    )
    return {"transferredCertificateArn": arn}


@operation("AcceptCertificateTransfer")
def accept_certificate_transfer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.transfers.accept(params["certificateId"], set_as_active=bool(params.get("setAsActive")))
    return {}


@operation("RejectCertificateTransfer")
def reject_certificate_transfer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.transfers.reject(params["certificateId"], params.get("rejectReason"))
    return {}


@operation("CancelCertificateTransfer")
def cancel_certificate_transfer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.transfers.cancel(params["certificateId"])
    return {}
