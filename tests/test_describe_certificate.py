"""DescribeCertificate: the full CertificateDescription, and the modeled errors."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from csrs import csr_pem

from pytest_iotcerts import IotCerts


def test_describes_every_field(iot_certs: IotCerts, client: Any) -> None:
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    created = client.create_certificate_from_csr(
        certificateSigningRequest=csr_pem("p256"), setAsActive=True
    )

    description = client.describe_certificate(certificateId=created["certificateId"])[
        "certificateDescription"
    ]

    issued = iot_certs.get(created["certificateId"])
    assert description["certificateArn"] == created["certificateArn"]
    assert description["certificateId"] == created["certificateId"]
    assert description["certificatePem"] == created["certificatePem"]
    assert description["status"] == "ACTIVE"
    assert description["ownedBy"] == "123456789012"
    assert "previousOwnedBy" not in description
    assert description["customerVersion"] == 1
    assert description["transferData"] == {}
    assert description["certificateMode"] == "DEFAULT"
    uuid.UUID(description["generationId"])
    assert before <= description["creationDate"] <= dt.datetime.now(dt.timezone.utc)
    assert description["lastModifiedDate"] == description["creationDate"]
    assert description["validity"]["notBefore"] == issued.certificate.not_valid_before_utc
    assert description["validity"]["notAfter"] == dt.datetime(
        2049, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc
    )


def test_an_unknown_id_is_resource_not_found(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        client.describe_certificate(certificateId="ab" * 32)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "ab" * 32 in raised.value.response["Error"]["Message"]


@pytest.mark.parametrize("certificate_id", ["a" * 65, "z" * 64, "0123-not-hex-" * 5])
def test_a_malformed_id_is_an_invalid_request(
    iot_certs: IotCerts, client: Any, certificate_id: str
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException) as raised:
        client.describe_certificate(certificateId=certificate_id)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "certificateId" in raised.value.response["Error"]["Message"]


def test_a_certificate_is_only_visible_in_its_own_region(iot_certs: IotCerts) -> None:
    import boto3

    east = boto3.client("iot", region_name="us-east-1")
    west = boto3.client("iot", region_name="eu-west-1")
    created = west.create_keys_and_certificate()

    assert west.describe_certificate(certificateId=created["certificateId"])
    with pytest.raises(east.exceptions.ResourceNotFoundException):
        east.describe_certificate(certificateId=created["certificateId"])
    assert created["certificateArn"].startswith("arn:aws:iot:eu-west-1:123456789012:cert/")
    assert iot_certs.get(created["certificateId"]).region == "eu-west-1"
    assert [c.region for c in iot_certs.calls] == ["eu-west-1", "eu-west-1", "us-east-1"]
