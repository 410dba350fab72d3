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
