"""RegisterCertificate(WithoutCA), the CA certificate operations and GetRegistrationCode."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from csrs import key

from pytest_iotcerts import CertificateAuthority, IotCerts, to_pem

MAKER = CertificateAuthority.create("Acme Devices Root CA")
STRANGER = CertificateAuthority.create("Somebody Else's CA")


def device_pem(ca: CertificateAuthority = MAKER, name: str = "device") -> str:
    return to_pem(ca.issue_device_certificate(name)[0])


def register_ca(client: Any, ca: CertificateAuthority = MAKER, **kwargs: Any) -> dict[str, Any]:
    code = client.get_registration_code()["registrationCode"]
    return client.register_ca_certificate(  # type: ignore[no-any-return]
        caCertificate=ca.pem,
        verificationCertificate=to_pem(ca.issue_verification_certificate(code)),
        **kwargs,
    )


def test_the_registration_code_is_64_hex_and_stable(iot_certs: IotCerts, client: Any) -> None:
    first = client.get_registration_code()["registrationCode"]

    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert client.get_registration_code()["registrationCode"] == first


def test_register_a_device_certificate_with_its_ca_pem(iot_certs: IotCerts, client: Any) -> None:
    pem = device_pem()

    response = client.register_certificate(
        certificatePem=pem, caCertificatePem=MAKER.pem, status="ACTIVE"
    )

    description = client.describe_certificate(certificateId=response["certificateId"])[
        "certificateDescription"
    ]
    assert description["status"] == "ACTIVE"
    assert description["certificatePem"] == pem
    assert (
        description["caCertificateId"] == iot_certs.get(response["certificateId"]).ca_certificate_id
    )
    assert description["certificateMode"] == "DEFAULT"
    registered = iot_certs.get(response["certificateId"])
    assert registered.operation == "RegisterCertificate"
    assert registered.private_key is None and registered.csr is None
    assert iot_certs.calls[-2].certificate_id == response["certificateId"]


def test_register_against_a_registered_ca(iot_certs: IotCerts, client: Any) -> None:
    ca_id = register_ca(client, setAsActive=True)["certificateId"]

    response = client.register_certificate(certificatePem=device_pem(), setAsActive=True)

    assert iot_certs.get(response["certificateId"]).ca_certificate_id == ca_id
    assert iot_certs.get(response["certificateId"]).status == "ACTIVE"


def test_a_device_takes_the_certificate_mode_of_its_registered_ca(
    iot_certs: IotCerts, client: Any
) -> None:
    client.register_ca_certificate(
        caCertificate=MAKER.pem, certificateMode="SNI_ONLY", setAsActive=True
    )

    response = client.register_certificate(certificatePem=device_pem())

    described = client.describe_certificate(certificateId=response["certificateId"])
    assert described["certificateDescription"]["certificateMode"] == "SNI_ONLY"


def test_registration_defaults_to_inactive(iot_certs: IotCerts, client: Any) -> None:
    response = client.register_certificate(certificatePem=device_pem(), caCertificatePem=MAKER.pem)

    assert iot_certs.get(response["certificateId"]).status == "INACTIVE"


def test_a_certificate_that_does_not_chain_is_refused(iot_certs: IotCerts, client: Any) -> None:
    register_ca(client, setAsActive=True)

    with pytest.raises(client.exceptions.CertificateValidationException, match="registered"):
        client.register_certificate(certificatePem=device_pem(STRANGER))
    with pytest.raises(client.exceptions.CertificateValidationException, match="not signed by"):
        client.register_certificate(certificatePem=device_pem(STRANGER), caCertificatePem=MAKER.pem)
    assert iot_certs.certificates == []


def test_a_device_of_an_inactive_ca_cannot_be_registered(iot_certs: IotCerts, client: Any) -> None:
    register_ca(client)  # INACTIVE

    with pytest.raises(client.exceptions.CertificateStateException, match="INACTIVE"):
        client.register_certificate(certificatePem=device_pem())


def test_a_duplicate_is_resource_already_exists(iot_certs: IotCerts, client: Any) -> None:
    pem = device_pem()
    first = client.register_certificate(certificatePem=pem, caCertificatePem=MAKER.pem)

    with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as raised:
        client.register_certificate(certificatePem=pem, caCertificatePem=MAKER.pem)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert raised.value.response["resourceId"] == first["certificateId"]
    assert raised.value.response["resourceArn"] == first["certificateArn"]
    # The same certificate in another region is another registration.
    import boto3

    boto3.client("iot", region_name="eu-west-1").register_certificate_without_ca(certificatePem=pem)


def test_register_without_ca_is_sni_only(iot_certs: IotCerts, client: Any) -> None:
    response = client.register_certificate_without_ca(
        certificatePem=device_pem(STRANGER), status="ACTIVE"
    )

    description = client.describe_certificate(certificateId=response["certificateId"])[
        "certificateDescription"
    ]
    assert description["certificateMode"] == "SNI_ONLY"
    assert "caCertificateId" not in description
    assert description["status"] == "ACTIVE"
    summary = client.list_certificates()["certificates"][0]
    assert summary["certificateMode"] == "SNI_ONLY"


def _certificate_with_key(kind: str) -> str:
    private_key = key(kind)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, kind)])
    now = dt.datetime.now(dt.timezone.utc)
    return to_pem(
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(private_key, None if kind == "ed25519" else hashes.SHA256())
    )


@pytest.mark.parametrize(
    ("kind", "message"),
    [("rsa1024", "1024 bits"), ("secp256k1", "secp256k1"), ("ed25519", "Ed25519")],
)
def test_registered_certificates_obey_the_csr_key_rules(
    iot_certs: IotCerts, client: Any, kind: str, message: str
) -> None:
    with pytest.raises(client.exceptions.CertificateValidationException, match=message):
        client.register_certificate_without_ca(certificatePem=_certificate_with_key(kind))
    assert iot_certs.certificates == []


@pytest.mark.parametrize(
    "pem", ["garbage", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
)
def test_an_unparseable_certificate_is_an_invalid_request(
    iot_certs: IotCerts, client: Any, pem: str
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.register_certificate_without_ca(certificatePem=pem)


def test_register_describe_update_list_and_delete_a_ca(iot_certs: IotCerts, client: Any) -> None:
    registered = register_ca(client, setAsActive=True, allowAutoRegistration=True)
    ca_id = registered["certificateId"]
    assert registered["certificateArn"] == f"arn:aws:iot:us-east-1:123456789012:cacert/{ca_id}"

    described = client.describe_ca_certificate(certificateId=ca_id)["certificateDescription"]
    assert described["status"] == "ACTIVE"
    assert described["autoRegistrationStatus"] == "ENABLE"
    assert described["certificatePem"] == MAKER.pem
    assert described["ownedBy"] == "123456789012"
    assert [c["certificateId"] for c in client.list_ca_certificates()["certificates"]] == [ca_id]

    with pytest.raises(client.exceptions.CertificateStateException):
        client.delete_ca_certificate(certificateId=ca_id)
    client.update_ca_certificate(
        certificateId=ca_id, newStatus="INACTIVE", newAutoRegistrationStatus="DISABLE"
    )
    described = client.describe_ca_certificate(certificateId=ca_id)["certificateDescription"]
    assert (described["status"], described["autoRegistrationStatus"]) == ("INACTIVE", "DISABLE")
    assert described["customerVersion"] == 2

    client.delete_ca_certificate(certificateId=ca_id)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_ca_certificate(certificateId=ca_id)
    assert iot_certs.ca_certificates == []


def test_a_ca_registered_twice_is_resource_already_exists(iot_certs: IotCerts, client: Any) -> None:
    register_ca(client)
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        register_ca(client)


def test_the_verification_certificate_must_carry_the_code(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.RegistrationCodeValidationException):
        client.register_ca_certificate(
            caCertificate=MAKER.pem,
            verificationCertificate=to_pem(MAKER.issue_verification_certificate("0" * 64)),
        )


def test_the_verification_certificate_must_be_signed_by_the_ca(
    iot_certs: IotCerts, client: Any
) -> None:
    code = client.get_registration_code()["registrationCode"]

    with pytest.raises(client.exceptions.CertificateValidationException, match="not signed"):
        client.register_ca_certificate(
            caCertificate=MAKER.pem,
            verificationCertificate=to_pem(STRANGER.issue_verification_certificate(code)),
        )


def test_a_leaf_is_not_a_ca(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.CertificateValidationException, match="not a CA"):
        client.register_ca_certificate(caCertificate=device_pem(), certificateMode="SNI_ONLY")


def test_default_mode_needs_a_verification_certificate(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="verificationCertificate"):
        client.register_ca_certificate(caCertificate=MAKER.pem)
    client.register_ca_certificate(caCertificate=MAKER.pem, certificateMode="SNI_ONLY")


def test_an_unknown_ca_is_not_found(iot_certs: IotCerts, client: Any) -> None:
    for call in (client.describe_ca_certificate, client.delete_ca_certificate):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            call(certificateId="d" * 64)


def test_a_certificate_with_a_negative_serial_is_an_invalid_request(
    iot_certs: IotCerts, client: Any
) -> None:
    from cryptography.hazmat.primitives import serialization
    from csrs import pem

    device, _ = MAKER.issue_device_certificate()
    der = bytearray(device.public_bytes(serialization.Encoding.DER))
    # The serial's INTEGER follows the version field: 02 14 <20 octets>; make it negative.
    at = der.index(b"\x02\x14") + 2
    der[at] |= 0x80

    with pytest.raises(client.exceptions.InvalidRequestException, match="could not be parsed"):
        client.register_certificate_without_ca(certificatePem=pem("CERTIFICATE", bytes(der)))
