"""The certificate authority and the AWS IoT certificate profile.

Pure crypto: no state, no locks and no service errors, so callers run it outside any lock. Reading
what clients send, under AWS's rules, is in ``input_rules``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import secrets
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .._aws.clock import x509_time
from .._aws.public import public

# AWS puts the whole issuer string in one OU attribute of one RDN.
AWS_ISSUER = x509.Name(
    [
        x509.NameAttribute(
            NameOID.ORGANIZATIONAL_UNIT_NAME,
            "Amazon Web Services O=Amazon.com Inc. L=Seattle ST=Washington C=US",
        )
    ]
)
KEYS_AND_CERTIFICATE_SUBJECT = x509.Name(
    [x509.NameAttribute(NameOID.COMMON_NAME, "AWS IoT Certificate")]
)
NOT_AFTER = dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)
NOT_BEFORE_SKEW = dt.timedelta(seconds=120)
CertificatePublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


@public
@dataclass(frozen=True)
class CertificateAuthority:
    """An RSA CA with the issuer name AWS IoT uses."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @cached_property
    def _key_identifier(self) -> x509.AuthorityKeyIdentifier:
        """What every certificate it signs names it by (a hash of its key: worked out once)."""
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key())

    @classmethod
    def create(cls, common_name: str | None = None) -> CertificateAuthority:
        """A new CA: AWS IoT's issuer name by default, or ``CN=common_name`` (a device maker's
        CA, to register with RegisterCACertificate)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        issued_at = x509_time()
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        name = (
            AWS_ISSUER
            if common_name is None
            else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(issued_at - dt.timedelta(days=1))
            .not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(signs_certificates=True), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    def issue(
        self,
        subject: x509.Name,
        public_key: CertificatePublicKey,
        not_after: dt.datetime = NOT_AFTER,
    ) -> x509.Certificate:
        """A device certificate with AWS IoT's profile (valid until 2049 unless ``not_after``)."""
        issued_at = x509_time()
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(device_serial_number())
            .not_valid_before(issued_at - NOT_BEFORE_SKEW)
            .not_valid_after(not_after)
            .add_extension(self._key_identifier, critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signs_certificates=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def issue_device_certificate(
        self, common_name: str = "device"
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """A device certificate with a fresh P-256 key, for RegisterCertificate."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        return self.issue(subject, key.public_key()), key

    def issue_server_certificate(
        self, hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """A TLS server certificate for ``hosts`` (names and IP addresses), for a door that
        devices connect to with this CA as their trusted root."""
        key = ec.generate_private_key(ec.SECP256R1())
        issued_at = x509_time()
        names = [_general_name(host) for host in hosts]
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(issued_at - NOT_BEFORE_SKEW)
            .not_valid_after(issued_at + dt.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signs_certificates=False), critical=True)
            .add_extension(self._key_identifier, critical=False)
            .sign(self.key, hashes.SHA256())
        ), key

    def issue_verification_certificate(self, registration_code: str) -> x509.Certificate:
        """The proof of possession RegisterCACertificate asks for: CN = the registration code."""
        return self.issue_device_certificate(registration_code)[0]


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def device_serial_number() -> int:
    """A random serial of exactly 159 bits: 20 DER octets and positive, as AWS's are."""
    return secrets.randbits(158) | (1 << 158)


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """digitalSignature only for AWS IoT's device certificates; a CA also signs certs and CRLs."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


_session_ca: CertificateAuthority | None = None
_session_ca_lock = threading.Lock()


def session_ca() -> CertificateAuthority:
    """One CA for the whole process (a pytest session, or an xdist worker)."""
    global _session_ca
    with _session_ca_lock:
        if _session_ca is None:
            _session_ca = CertificateAuthority.create()
        return _session_ca


def certificate_id(certificate: x509.Certificate) -> str:
    return der_certificate_id(certificate.public_bytes(serialization.Encoding.DER))


def der_certificate_id(der: bytes) -> str:
    """AWS IoT's certificate id: the SHA-256 of the DER (what a TLS peer presents)."""
    return hashlib.sha256(der).hexdigest()


def to_pem(certificate: x509.Certificate) -> str:
    """PEM text of a certificate (for the ``*Pem`` members of the API)."""
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def write_private(path: Path, data: str | bytes) -> None:
    """Write a private key readable by the user only from its first byte (a key written with
    the umask's mode and narrowed afterwards is readable by others meanwhile)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as file:
        if hasattr(os, "fchmod"):  # a file that was there before keeps its mode through os.open
            os.fchmod(fd, 0o600)
        file.write(data.encode() if isinstance(data, str) else data)


def public_key_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def is_signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def csr_pem(csr: x509.CertificateSigningRequest) -> str:
    return csr.public_bytes(serialization.Encoding.PEM).decode()
