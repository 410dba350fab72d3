"""CreateKeysAndCertificate: AWS IoT's certificate profile, key formats, ids and ARNs."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from aws_profile import check_aws_profile
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from pytest_iotcerts import IotCerts


def test_issues_an_aws_profile_certificate_with_a_fresh_rsa_2048_key(
    iot_certs: IotCerts, client: Any
) -> None:
    response = client.create_keys_and_certificate(setAsActive=True)

    certificate = x509.load_pem_x509_certificate(response["certificatePem"].encode())
    check_aws_profile(certificate, iot_certs.ca_certificate)
    assert certificate.subject == x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "AWS IoT Certificate")]
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert response["certificateId"] == hashlib.sha256(der).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", response["certificateId"])
    assert response["certificateArn"] == (
        f"arn:aws:iot:us-east-1:123456789012:cert/{response['certificateId']}"
    )

    private_pem = response["keyPair"]["PrivateKey"]
    public_pem = response["keyPair"]["PublicKey"]
    assert private_pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert private_pem.endswith("-----END RSA PRIVATE KEY-----\n")
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert public_pem.endswith("-----END PUBLIC KEY-----\n")
    private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(private_key, rsa.RSAPrivateKey)
    assert private_key.key_size == 2048
    assert serialization.load_pem_public_key(public_pem.encode()) == certificate.public_key()
    assert private_key.public_key() == certificate.public_key()
    # The key really belongs to the certificate: a signature made with it verifies.
    signature = private_key.sign(b"hello", padding.PKCS1v15(), hashes.SHA256())
    certificate.public_key().verify(signature, b"hello", padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [({"setAsActive": True}, "ACTIVE"), ({"setAsActive": False}, "INACTIVE"), ({}, "INACTIVE")],
)
def test_set_as_active_decides_the_status(
    iot_certs: IotCerts, client: Any, kwargs: dict[str, Any], status: str
) -> None:
    certificate_id = client.create_keys_and_certificate(**kwargs)["certificateId"]

    described = client.describe_certificate(certificateId=certificate_id)
    assert described["certificateDescription"]["status"] == status
    assert iot_certs.get(certificate_id).status == status


def test_every_call_gets_a_new_key_and_certificate(iot_certs: IotCerts, client: Any) -> None:
    first = client.create_keys_and_certificate()
    second = client.create_keys_and_certificate()

    assert first["certificateId"] != second["certificateId"]
    assert first["keyPair"]["PrivateKey"] != second["keyPair"]["PrivateKey"]
    serials = {c.certificate.serial_number for c in iot_certs.certificates}
    assert len(serials) == 2


def test_the_controller_shows_what_was_issued(iot_certs: IotCerts, client: Any) -> None:
    response = client.create_keys_and_certificate(setAsActive=True)

    [issued] = iot_certs.certificates
    assert issued.certificate_id == response["certificateId"]
    assert issued.arn == response["certificateArn"]
    assert issued.pem == response["certificatePem"]
    assert issued.account_id == "123456789012"
    assert issued.region == "us-east-1"
    assert issued.status == "ACTIVE"
    assert issued.operation == "CreateKeysAndCertificate"
    assert issued.csr is None
    assert issued.private_key is not None
    assert issued.private_key_pem == response["keyPair"]["PrivateKey"]
    assert issued.public_key_pem == response["keyPair"]["PublicKey"]
    assert issued.certificate == x509.load_pem_x509_certificate(response["certificatePem"].encode())
    assert iot_certs.get(response["certificateId"]) is issued
    assert iot_certs.ca_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert x509.load_pem_x509_certificate(iot_certs.ca_pem.encode()) == iot_certs.ca_certificate

    [call] = iot_certs.calls
    assert call.operation == "CreateKeysAndCertificate"
    assert call.params == {"setAsActive": True}
    assert call.status_code == 200
    assert call.error_code is None
    assert call.certificate_id == response["certificateId"]
    assert (call.account_id, call.region) == ("123456789012", "us-east-1")
    assert call.request_id == response["ResponseMetadata"]["RequestId"]


def test_get_of_an_unknown_id_is_a_key_error_naming_what_is_there(
    iot_certs: IotCerts, client: Any
) -> None:
    with pytest.raises(KeyError, match="no certificates"):
        iot_certs.get("0" * 64)
    client.create_keys_and_certificate()
    with pytest.raises(KeyError, match="via CreateKeysAndCertificate"):
        iot_certs.get("0" * 64)


def test_the_ca_is_a_real_ca_shared_by_the_session(iot_certs: IotCerts) -> None:
    ca = iot_certs.ca_certificate
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert ca.subject == ca.issuer
    ca.verify_directly_issued_by(ca)
    from pytest_iotcerts import mock_iot

    with mock_iot() as other:
        assert other.ca_certificate == ca
