"""Reading the certificates and CSRs clients send, under AWS IoT's rules.

Each function parses untrusted PEM, checks it as the service does and raises the modeled error
(InvalidRequestException, CertificateValidationException) with a message that says what is wrong.
No state and no locks: callers run it before taking the store's lock.
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from collections.abc import Callable
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import SignatureAlgorithmOID

from .._aws.errors import ServiceError, invalid_request
from .crypto import CertificatePublicKey

MAX_CSR_CHARACTERS = 4096
ALLOWED_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
ALLOWED_SIGNATURE_ALGORITHMS = {
    SignatureAlgorithmOID.RSA_WITH_SHA256,
    SignatureAlgorithmOID.RSA_WITH_SHA384,
    SignatureAlgorithmOID.RSA_WITH_SHA512,
    SignatureAlgorithmOID.RSASSA_PSS,
    SignatureAlgorithmOID.ECDSA_WITH_SHA256,
    SignatureAlgorithmOID.ECDSA_WITH_SHA384,
    SignatureAlgorithmOID.ECDSA_WITH_SHA512,
}
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL)
T = TypeVar("T")


def _single_pem_block(text: str, labels: tuple[str, ...], what: str, member: str) -> bytes:
    """The DER inside exactly one PEM block carrying one of ``labels``."""
    blocks = _PEM_BLOCK.findall(text)
    if not blocks:
        raise invalid_request(
            f"The {member} is not a PEM-encoded {what}: "
            f"no '-----BEGIN {labels[0]}-----' block found."
        )
    if len(blocks) > 1:
        raise invalid_request(
            f"The {member} must contain exactly one PEM block, found {len(blocks)}."
        )
    begin, body, end = blocks[0]
    if begin != end:
        raise invalid_request(
            f"The {member} PEM block begins with '{begin}' but ends with '{end}'."
        )
    if begin not in labels:
        raise invalid_request(f"The {member} is a PEM '{begin}' block; expected '{labels[0]}'.")
    stripped = text.strip()
    if not (stripped.startswith("-----BEGIN") and stripped.endswith("-----")):
        raise invalid_request(f"The {member} has text outside its PEM block.")
    compact = "".join(body.split())
    if not compact:
        raise invalid_request(f"The {member} PEM block is empty.")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_request(f"The {member} PEM block is not valid base64.") from None


def _strictly(load: Callable[[bytes], T], der: bytes) -> T:
    """Parse, treating what cryptography only warns about (a non-positive serial, say: RFC 5280
    forbids it and a future cryptography refuses it) as malformed input."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", CryptographyDeprecationWarning)
        return load(der)


def _read_lazy_parts(parsed: object, member: str, parts: tuple[str, ...]) -> None:
    """cryptography parses names, extensions and dates only when first read: read them now, so
    a malformed one (an invalid UTF8String in the subject, say) is the caller's error, not ours."""
    for part in parts:
        try:
            value = getattr(parsed, part)
            if isinstance(value, (x509.Name, x509.Extensions, x509.Attributes)):
                for item in value:
                    _ = getattr(item, "value", item)
        except Exception:  # hostile DER raises ValueError and others, depending on the part
            raise invalid_request(
                f"The {member} has a malformed {part.replace('_utc', '').replace('_', ' ')}: it "
                "is not valid DER (an invalid string or extension encoding, say)."
            ) from None


def describe_key(key: object) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}-bit"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__.lstrip("_").replace("PublicKey", "")


def check_key(key: object, member: str) -> CertificatePublicKey:
    """AWS IoT's key rule: RSA of at least 2048 bits, or EC on P-256, P-384 or P-521."""
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise invalid_request(
                f"The {member} has an RSA key of {key.key_size} bits; AWS IoT requires "
                "RSA keys of at least 2048 bits."
            )
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in ALLOWED_CURVES:
            raise invalid_request(
                f"The {member} has an EC key on curve {key.curve.name}; AWS IoT accepts only "
                "NIST P-256, P-384 and P-521."
            )
        return key
    raise invalid_request(
        f"The {member} has a {describe_key(key)} key; AWS IoT accepts RSA (2048 bits or more) "
        "or EC (NIST P-256, P-384, P-521) keys."
    )


def load_csr(text: str) -> x509.CertificateSigningRequest:
    """Parse and check a CSR as CreateCertificateFromCsr does; InvalidRequestException if not."""
    member = "certificateSigningRequest"
    if len(text) > MAX_CSR_CHARACTERS:
        raise invalid_request(
            f"The {member} is {len(text)} characters long; the limit is {MAX_CSR_CHARACTERS}."
        )
    der = _single_pem_block(
        text,
        ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"),
        "certificate signing request",
        member,
    )
    try:
        csr = _strictly(x509.load_der_x509_csr, der)
    except Exception:  # hostile DER raises ValueError, InvalidVersion and others
        raise invalid_request(
            f"The {member} could not be parsed: the PEM block does not hold a DER-encoded "
            "PKCS#10 request (is it truncated?)."
        ) from None
    _read_lazy_parts(csr, member, ("subject", "extensions", "attributes"))
    try:
        public_key = csr.public_key()
    except Exception:  # unknown algorithm OIDs surface as various errors
        raise invalid_request(f"The {member} has a public key that cannot be read.") from None
    check_key(public_key, member)
    try:
        algorithm = csr.signature_algorithm_oid
    except Exception:
        raise invalid_request(f"The {member} has an unknown signature algorithm.") from None
    if algorithm not in ALLOWED_SIGNATURE_ALGORITHMS:
        raise invalid_request(
            f"The {member} is signed with {algorithm._name}; AWS IoT accepts SHA-256/384/512 "
            "with RSA or ECDSA."
        )
    try:
        valid = csr.is_signature_valid
    except Exception:  # malformed signatures may raise instead of returning False
        valid = False
    if not valid:
        raise invalid_request(
            f"The {member} signature does not verify: the request was altered after signing, "
            "or signed with another key."
        )
    return csr


def load_certificate(text: str, member: str) -> x509.Certificate:
    """Parse one PEM certificate for the Register* operations."""
    der = _single_pem_block(text, ("CERTIFICATE",), "certificate", member)
    try:
        certificate = _strictly(x509.load_der_x509_certificate, der)
    except Exception:  # hostile DER raises ValueError, InvalidVersion and others
        raise invalid_request(
            f"The {member} could not be parsed as an X.509 certificate."
        ) from None
    _read_lazy_parts(
        certificate, member, ("subject", "issuer", "extensions", "not_valid_before_utc")
    )
    try:
        public_key = certificate.public_key()
    except Exception:  # unknown key algorithms or curves surface as various errors
        raise ServiceError(
            "CertificateValidationException",
            f"The {member} has a public key of an unknown or unsupported algorithm.",
        ) from None
    if not isinstance(public_key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise ServiceError(
            "CertificateValidationException",
            f"The {member} has a {describe_key(public_key)} key, which AWS IoT does not accept.",
        )
    try:
        check_key(public_key, member)
    except ServiceError as error:
        raise ServiceError("CertificateValidationException", error.message) from None
    return certificate
