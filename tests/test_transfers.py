"""Certificate transfers between accounts."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from csrs import csr

from pytest_iotcerts import IotCerts

SOURCE, TARGET = "123456789012", "210987654321"


@pytest.fixture
def target(iot_certs: IotCerts) -> Any:
    """A client acting as the receiving account."""
    return boto3.client("iot", region_name="us-east-1", **iot_certs.credentials_for(TARGET))


@pytest.fixture
def certificate_id(iot_certs: IotCerts) -> str:
    return iot_certs.issue_certificate(csr=csr("p256"), status="INACTIVE").certificate_id


def test_transfer_and_accept(
    iot_certs: IotCerts, client: Any, target: Any, certificate_id: str
) -> None:
    response = client.transfer_certificate(
        certificateId=certificate_id, targetAwsAccount=TARGET, transferMessage="your fleet now"
    )

    assert response["transferredCertificateArn"] == (
        f"arn:aws:iot:us-east-1:{TARGET}:cert/{certificate_id}"
    )
    pending = client.describe_certificate(certificateId=certificate_id)["certificateDescription"]
    assert pending["status"] == "PENDING_TRANSFER"
    assert pending["transferData"]["transferMessage"] == "your fleet now"
    assert "transferDate" in pending["transferData"]
    # The receiving account may look before accepting.
    offered = target.describe_certificate(certificateId=certificate_id)["certificateDescription"]
    assert offered["status"] == "PENDING_TRANSFER"

    target.accept_certificate_transfer(certificateId=certificate_id, setAsActive=True)

    accepted = target.describe_certificate(certificateId=certificate_id)["certificateDescription"]
    assert accepted["status"] == "ACTIVE"
    assert accepted["ownedBy"] == TARGET
    assert accepted["previousOwnedBy"] == SOURCE
    assert accepted["certificateArn"] == response["transferredCertificateArn"]
    assert "acceptDate" in accepted["transferData"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_certificate(certificateId=certificate_id)
    moved = iot_certs.get(certificate_id)
    assert (moved.account_id, moved.status) == (TARGET, "ACTIVE")
    assert iot_certs.assert_called("AcceptCertificateTransfer", times=1)[0].account_id == TARGET


def test_accept_without_set_as_active_gives_inactive(
    iot_certs: IotCerts, client: Any, target: Any, certificate_id: str
) -> None:
    client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)

    target.accept_certificate_transfer(certificateId=certificate_id)

    iot_certs.assert_status(certificate_id, "INACTIVE")


def test_reject_leaves_it_inactive_with_the_source(
    iot_certs: IotCerts, client: Any, target: Any, certificate_id: str
) -> None:
    client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)

    target.reject_certificate_transfer(certificateId=certificate_id, rejectReason="not ours")

    description = client.describe_certificate(certificateId=certificate_id)[
        "certificateDescription"
    ]
    assert description["status"] == "INACTIVE"
    assert description["transferData"]["rejectReason"] == "not ours"
    assert iot_certs.get(certificate_id).account_id == SOURCE


def test_cancel_returns_it_to_inactive(
    iot_certs: IotCerts, client: Any, target: Any, certificate_id: str
) -> None:
    client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)

    client.cancel_certificate_transfer(certificateId=certificate_id)

    iot_certs.assert_status(certificate_id, "INACTIVE")
    with pytest.raises(target.exceptions.TransferAlreadyCompletedException):
        target.accept_certificate_transfer(certificateId=certificate_id)


@pytest.mark.parametrize("finish", ["accept", "reject"])
def test_acting_on_a_finished_transfer_is_transfer_already_completed(
    iot_certs: IotCerts, client: Any, target: Any, certificate_id: str, finish: str
) -> None:
    client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)
    getattr(target, f"{finish}_certificate_transfer")(certificateId=certificate_id)

    for late in (target.accept_certificate_transfer, target.reject_certificate_transfer):
        with pytest.raises(target.exceptions.TransferAlreadyCompletedException) as raised:
            late(certificateId=certificate_id)
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    with pytest.raises(client.exceptions.TransferAlreadyCompletedException):
        client.cancel_certificate_transfer(certificateId=certificate_id)


def test_an_active_certificate_cannot_be_transferred(iot_certs: IotCerts, client: Any) -> None:
    active = iot_certs.issue_certificate(csr=csr("p256"), status="ACTIVE").certificate_id

    with pytest.raises(client.exceptions.CertificateStateException):
        client.transfer_certificate(certificateId=active, targetAwsAccount=TARGET)
    iot_certs.assert_status(active, "ACTIVE")


def test_a_certificate_with_a_policy_cannot_be_transferred(
    iot_certs: IotCerts, client: Any, certificate_id: str
) -> None:
    iot_certs.create_policy("connect", targets=[iot_certs.get(certificate_id)])

    with pytest.raises(client.exceptions.TransferConflictException, match="connect"):
        client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)
    iot_certs.assert_status(certificate_id, "INACTIVE")


def test_a_pending_transfer_blocks_update_and_delete(
    iot_certs: IotCerts, client: Any, certificate_id: str
) -> None:
    client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)

    with pytest.raises(client.exceptions.CertificateStateException):
        client.update_certificate(certificateId=certificate_id, newStatus="ACTIVE")
    with pytest.raises(client.exceptions.CertificateStateException):
        client.delete_certificate(certificateId=certificate_id)
    with pytest.raises(client.exceptions.CertificateStateException):
        client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)


def test_only_the_target_account_can_accept(
    iot_certs: IotCerts, client: Any, certificate_id: str
) -> None:
    client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=TARGET)
    bystander = boto3.client("iot", **iot_certs.credentials_for("555555555555"))

    with pytest.raises(bystander.exceptions.ResourceNotFoundException):
        bystander.accept_certificate_transfer(certificateId=certificate_id)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.accept_certificate_transfer(certificateId=certificate_id)


def test_transfer_errors(iot_certs: IotCerts, client: Any, certificate_id: str) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="its own account"):
        client.transfer_certificate(certificateId=certificate_id, targetAwsAccount=SOURCE)
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.transfer_certificate(certificateId=certificate_id, targetAwsAccount="12345678901x")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.transfer_certificate(certificateId="e" * 64, targetAwsAccount=TARGET)
    with pytest.raises(client.exceptions.InvalidRequestException, match="not being transferred"):
        client.cancel_certificate_transfer(certificateId=certificate_id)
