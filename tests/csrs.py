"""Builders of certificate signing requests, good and bad, for the tests."""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

_KEYS: dict[str, Any] = {}


def key(kind: str) -> Any:
    """A private key per kind, cached: key generation dominates test time otherwise."""
    if kind not in _KEYS:
        _KEYS[kind] = _generate(kind)
    return _KEYS[kind]


def _generate(kind: str) -> Any:
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    curves = {
        "p256": ec.SECP256R1(),
        "p384": ec.SECP384R1(),
        "p521": ec.SECP521R1(),
        "secp256k1": ec.SECP256K1(),
        "brainpool": ec.BrainpoolP256R1(),
    }
    if kind in curves:
        return ec.generate_private_key(curves[kind])
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    if kind == "dsa":
        return dsa.generate_private_key(key_size=2048)
    raise ValueError(kind)


SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Devices GmbH"),
        x509.NameAttribute(NameOID.COMMON_NAME, "device-0001"),
    ]
)


def csr(
    kind: str = "rsa2048",
    subject: x509.Name = SUBJECT,
    algorithm: hashes.HashAlgorithm | None = None,
) -> x509.CertificateSigningRequest:
    private_key = key(kind)
    if kind in ("ed25519", "ed448"):
        algorithm = None
    elif algorithm is None:
        algorithm = hashes.SHA256()
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    return builder.sign(private_key, algorithm)


def csr_pem(kind: str = "rsa2048", **kwargs: Any) -> str:
    return csr(kind, **kwargs).public_bytes(serialization.Encoding.PEM).decode()


def pem(label: str, der: bytes) -> str:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def tampered_csr_pem() -> str:
    """A CSR whose subject was changed after signing: it parses, but its signature fails."""
    der = csr("rsa2048").public_bytes(serialization.Encoding.DER)
    assert b"device-0001" in der
    return pem("CERTIFICATE REQUEST", der.replace(b"device-0001", b"device-9999"))


# -- re-signing: a mutated request or certificate whose signature still verifies --------------


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def _elements(der: bytes) -> list[bytes]:
    """The encoded elements inside a DER SEQUENCE."""
    offset, _ = _header(der, 0)
    elements = []
    while offset < len(der):
        start = offset
        offset, size = _header(der, offset)
        offset += size
        elements.append(der[start:offset])
    return elements


def _header(der: bytes, offset: int) -> tuple[int, int]:
    """Skip a tag and length: the content's offset and size."""
    first = der[offset + 1]
    if first < 0x80:
        return offset + 2, first
    count = first & 0x7F
    return offset + 2 + count, int.from_bytes(der[offset + 2 : offset + 2 + count], "big")


def signed_info(der: bytes) -> bytes:
    """The part a signature covers: a request's CertificationRequestInfo, a certificate's TBS."""
    return _elements(der)[0]


def resign(der: bytes, info: bytes, private_key: Any) -> bytes:
    """``der`` (a CSR or certificate) with ``info`` in place of its signed part, signed again
    with ``private_key`` (EC or RSA, SHA-256): the signature verifies over whatever ``info``
    now holds."""
    _, algorithm, _ = _elements(der)
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        signature = private_key.sign(info, ec.ECDSA(hashes.SHA256()))
    else:
        from cryptography.hazmat.primitives.asymmetric import padding

        signature = private_key.sign(info, padding.PKCS1v15(), hashes.SHA256())
    return _tlv(0x30, info + algorithm + _tlv(0x03, b"\x00" + signature))
