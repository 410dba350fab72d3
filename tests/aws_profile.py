"""The profile of every certificate AWS IoT issues, whatever its key (a helper, not tests)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID, SignatureAlgorithmOID

AWS_ISSUER_OU = "Amazon Web Services O=Amazon.com Inc. L=Seattle ST=Washington C=US"
KEY_USAGES = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def check_aws_profile(certificate: x509.Certificate, ca: x509.Certificate) -> None:
    """Every certificate AWS IoT issues looks like this, whatever its key."""
    assert certificate.version is x509.Version.v3
    assert certificate.signature_algorithm_oid == SignatureAlgorithmOID.RSA_WITH_SHA256
    rdns = list(certificate.issuer.rdns)
    assert len(rdns) == 1
    assert [(a.oid, a.value) for a in rdns[0]] == [
        (NameOID.ORGANIZATIONAL_UNIT_NAME, AWS_ISSUER_OU)
    ]
    assert certificate.not_valid_after_utc == dt.datetime(
        2049, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc
    )
    now = dt.datetime.now(dt.timezone.utc)
    assert now - dt.timedelta(minutes=10) < certificate.not_valid_before_utc <= now
    assert certificate.serial_number.bit_length() == 159
    extensions = {e.oid: e for e in certificate.extensions}
    assert set(extensions) == {
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.KEY_USAGE,
    }
    basic = extensions[ExtensionOID.BASIC_CONSTRAINTS]
    assert basic.critical and basic.value.ca is False
    usage = extensions[ExtensionOID.KEY_USAGE]
    assert usage.critical is True
    granted = {name for name in KEY_USAGES if getattr(usage.value, name)}
    assert granted == {"digital_signature"}
    assert extensions[ExtensionOID.SUBJECT_KEY_IDENTIFIER].value == (
        x509.SubjectKeyIdentifier.from_public_key(certificate.public_key())
    )
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = extensions[ExtensionOID.AUTHORITY_KEY_IDENTIFIER].value
    assert aki.key_identifier == ca_ski.digest
    # It chains: signed by the CA the controller exposes.
    certificate.verify_directly_issued_by(ca)
