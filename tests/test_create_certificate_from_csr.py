"""CreateCertificateFromCsr: the CSR's own key and subject, and AWS IoT's CSR rules."""

from __future__ import annotations

from typing import Any

import pytest
from aws_profile import check_aws_profile
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from csrs import csr, csr_pem, key, pem, tampered_csr_pem

from pytest_iotcerts import IotCerts


@pytest.mark.parametrize("kind", ["rsa2048", "rsa3072", "rsa4096", "p256", "p384", "p521"])
def test_certifies_the_csrs_own_key_and_subject(
    iot_certs: IotCerts, client: Any, kind: str
) -> None:
    request = csr(kind)

    response = client.create_certificate_from_csr(
        certificateSigningRequest=request.public_bytes(serialization.Encoding.PEM).decode()
    )

    certificate = x509.load_pem_x509_certificate(response["certificatePem"].encode())
    check_aws_profile(certificate, iot_certs.ca_certificate)
    assert certificate.public_key() == request.public_key() == key(kind).public_key()
    # Verbatim: the same DER bytes, so attribute order and string types are kept.
    assert certificate.subject.public_bytes() == request.subject.public_bytes()
    assert "keyPair" not in response
    issued = iot_certs.get(response["certificateId"])
    assert issued.csr == request
    assert issued.private_key is None
    assert issued.operation == "CreateCertificateFromCsr"
    assert response["certificateArn"].endswith(f":cert/{response['certificateId']}")


def test_subject_string_types_and_order_survive(iot_certs: IotCerts, client: Any) -> None:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "thing-42"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, "Acme", _type=x509.name._ASN1Type.PrintableString
            ),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "SN-1"),
        ]
    )
    response = client.create_certificate_from_csr(
        certificateSigningRequest=csr_pem("p256", subject=subject)
    )

    certificate = x509.load_pem_x509_certificate(response["certificatePem"].encode())
    assert certificate.subject.public_bytes() == subject.public_bytes()
    assert [a.oid for a in certificate.subject] == [a.oid for a in subject]


@pytest.mark.parametrize("algorithm", [hashes.SHA384(), hashes.SHA512()])
def test_accepts_the_listed_signature_hashes(
    iot_certs: IotCerts, client: Any, algorithm: hashes.HashAlgorithm
) -> None:
    for kind in ("rsa2048", "p384"):
        client.create_certificate_from_csr(
            certificateSigningRequest=csr_pem(kind, algorithm=algorithm)
        )
    assert len(iot_certs.certificates) == 2


def test_the_same_csr_twice_gives_two_certificates(iot_certs: IotCerts, client: Any) -> None:
    request = csr_pem("p256")

    first = client.create_certificate_from_csr(certificateSigningRequest=request)
    second = client.create_certificate_from_csr(certificateSigningRequest=request)

    assert first["certificateId"] != second["certificateId"]
    assert [c.certificate_id for c in iot_certs.certificates] == [
        first["certificateId"],
        second["certificateId"],
    ]


def test_set_as_active(iot_certs: IotCerts, client: Any) -> None:
    active = client.create_certificate_from_csr(
        certificateSigningRequest=csr_pem("p256"), setAsActive=True
    )
    inactive = client.create_certificate_from_csr(certificateSigningRequest=csr_pem("p256"))

    assert iot_certs.get(active["certificateId"]).status == "ACTIVE"
    assert iot_certs.get(inactive["certificateId"]).status == "INACTIVE"


def test_old_openssl_new_certificate_request_label_is_accepted(
    iot_certs: IotCerts, client: Any
) -> None:
    der = csr("p256").public_bytes(serialization.Encoding.DER)

    client.create_certificate_from_csr(
        certificateSigningRequest=pem("NEW CERTIFICATE REQUEST", der)
    )

    assert len(iot_certs.certificates) == 1


def _der(kind: str = "rsa2048") -> bytes:
    return csr(kind).public_bytes(serialization.Encoding.DER)


def _private_key_pem() -> str:
    return (
        key("p256")
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def _self_signed_certificate_pem() -> str:
    import datetime as dt

    private_key = key("p256")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _truncated() -> str:
    text = csr_pem("rsa2048")
    lines = text.splitlines()
    return "\n".join(lines[:5] + lines[-1:]) + "\n"


BAD_CSRS = {
    "garbage text": (lambda: "this is not a certificate request", "not a PEM-encoded"),
    "binary garbage": (lambda: "\x00\x01\x02garbage\xff", "not a PEM-encoded"),
    "a certificate": (_self_signed_certificate_pem, "'CERTIFICATE' block"),
    "a private key": (_private_key_pem, "'PRIVATE KEY' block"),
    "an empty PEM block": (
        lambda: "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n",
        "empty",
    ),
    "a truncated PEM": (_truncated, "could not be parsed"),
    "broken base64": (
        lambda: "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n",
        "base64",
    ),
    "mismatched END": (
        lambda: csr_pem("p256").replace("END CERTIFICATE REQUEST", "END CERTIFICATE"),
        "ends with",
    ),
    "two CSRs": (lambda: csr_pem("p256") + csr_pem("p384"), "exactly one PEM block"),
    "a tampered CSR": (tampered_csr_pem, "signature does not verify"),
    "RSA-1024": (lambda: csr_pem("rsa1024"), "RSA key of 1024 bits"),
    "secp256k1": (lambda: csr_pem("secp256k1"), "curve secp256k1"),
    "brainpool": (lambda: csr_pem("brainpool"), "curve brainpoolP256r1"),
    "Ed25519": (lambda: csr_pem("ed25519"), "Ed25519"),
    "Ed448": (lambda: csr_pem("ed448"), "Ed448"),
    "DSA": (lambda: csr_pem("dsa"), "DSA"),
    "SHA-224 signature": (lambda: csr_pem("rsa2048", algorithm=hashes.SHA224()), "signed with"),
    "over 4096 characters": (
        lambda: csr_pem("rsa2048") + "\n" * 4000,
        "less than or equal to 4096",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CSRS))
def test_bad_csrs_are_invalid_requests_that_issue_nothing(
    iot_certs: IotCerts, client: Any, case: str
) -> None:
    make, expected = BAD_CSRS[case]

    with pytest.raises(client.exceptions.InvalidRequestException) as raised:
        client.create_certificate_from_csr(certificateSigningRequest=make(), setAsActive=True)

    assert expected in raised.value.response["Error"]["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert iot_certs.certificates == []
    [call] = iot_certs.calls
    assert call.error_code == "InvalidRequestException"
    assert call.status_code == 400
    assert call.certificate_id is None


def test_the_issued_key_is_the_csrs_even_for_ec(iot_certs: IotCerts, client: Any) -> None:
    response = client.create_certificate_from_csr(certificateSigningRequest=csr_pem("p521"))

    public_key = x509.load_pem_x509_certificate(response["certificatePem"].encode()).public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert public_key.curve.name == "secp521r1"
    signature = key("p521").sign(b"payload", ec.ECDSA(hashes.SHA256()))
    public_key.verify(signature, b"payload", ec.ECDSA(hashes.SHA256()))
