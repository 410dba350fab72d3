"""Wire adapters for moving a certificate to another account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._service import IotService
from ._common import operation, page


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


@operation("ListOutgoingCertificates")
def list_outgoing_certificates(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    outgoing = service.transfers.outgoing()
    chosen, marker = page(
        outgoing,
        key=lambda pair: pair[0].sequence,
        marker=params.get("marker"),
        size=params.get("pageSize"),
        ascending=bool(params.get("ascendingOrder")),
    )
    return {
        "outgoingCertificates": [
            {
                "certificateArn": certificate.arn,
                "certificateId": certificate.certificate_id,
                "transferredTo": transfer.target_account_id,
                "transferDate": certificate.transfer_data.get("transferDate"),
                "transferMessage": certificate.transfer_data.get("transferMessage"),
                "creationDate": certificate.creation_date,
            }
            for certificate, transfer in chosen
        ],
        "nextMarker": marker,
    }
