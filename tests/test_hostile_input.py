"""Hostile input never reaches a client as a 500: every malformed request is a modeled 400 that
says what is wrong and changes no state.

The mutations are re-signed, so they get past the signature check and reach the parsing of the
subject, extensions and dates behind it (a plain mutation mostly fails the signature first).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from csrs import csr, key, pem, resign, signed_info
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sigv4 import signed

from pytest_iotcerts import CertificateAuthority, IotCerts, to_pem

ENDPOINT = "https://iot.us-east-1.amazonaws.com"
EXAMPLES = 2000  # per operation
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Byte edits of a DER structure: (position, new byte), a few at a time.
EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4)


def edit(der: bytes, edits: list[tuple[int, int]]) -> bytes:
    data = bytearray(der)
    for position, value in edits:
        data[position % len(data)] = value
    return bytes(data)


def post(iot: IotCerts, path: str, body: dict[str, Any] | bytes) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = iot.handle(signed("POST", ENDPOINT + path, raw))
    assert response.headers.get("x-amzn-ErrorType") != "InternalFailureException", response.body
    return response.status_code, json.loads(response.body or b"{}")


def assert_refused(status: int, answer: dict[str, Any], *, codes: tuple[int, ...] = (400,)) -> None:
    assert status in codes, answer
    assert isinstance(answer["message"], str)
    assert len(answer["message"]) > 10  # a sentence saying what is wrong


CSR_DER = csr("p256").public_bytes(serialization.Encoding.DER)


def test_a_signed_csr_with_an_invalid_utf8_subject_is_an_invalid_request(
    iot_certs: IotCerts,
) -> None:
    info = signed_info(CSR_DER).replace(b"device-0001", b"device\xff\xfe001")
    hostile = resign(CSR_DER, info, key("p256"))
    assert x509.load_der_x509_csr(hostile).is_signature_valid  # it is correctly signed

    status, answer = post(
        iot_certs,
        "/certificates",
        {"certificateSigningRequest": pem("CERTIFICATE REQUEST", hostile)},
    )

    assert_refused(status, answer)
    assert "malformed subject" in answer["message"]
    assert iot_certs.certificates == []


@FUZZ
@given(edits=EDITS)
def test_resigned_csr_mutations_are_invalid_requests_or_certify_their_own_key(
    iot_certs: IotCerts, edits: list[tuple[int, int]]
) -> None:
    mutated = resign(CSR_DER, edit(signed_info(CSR_DER), edits), key("p256"))
    held = len(iot_certs.certificates)

    status, answer = post(
        iot_certs,
        "/certificates",
        {"certificateSigningRequest": pem("CERTIFICATE REQUEST", mutated)},
    )

    if status == 200:
        issued = x509.load_pem_x509_certificate(answer["certificatePem"].encode())
        assert issued.public_key() == x509.load_der_x509_csr(mutated).public_key()
    else:
        assert_refused(status, answer)
        assert len(iot_certs.certificates) == held


MAKER = CertificateAuthority.create("Hostile Input Test CA")
DEVICE_DER = MAKER.issue_device_certificate("device-0001")[0].public_bytes(
    serialization.Encoding.DER
)


@FUZZ
@given(edits=EDITS)
def test_resigned_certificate_mutations_never_crash_registration(
    iot_certs: IotCerts, edits: list[tuple[int, int]]
) -> None:
    mutated = resign(DEVICE_DER, edit(signed_info(DEVICE_DER), edits), MAKER.key)
    held = len(iot_certs.certificates)

    status, answer = post(
        iot_certs,
        "/certificate/register",
        {"certificatePem": pem("CERTIFICATE", mutated), "caCertificatePem": MAKER.pem},
    )

    if status != 200:
        assert_refused(status, answer, codes=(400, 409))
        assert len(iot_certs.certificates) == held


@pytest.mark.parametrize("depth", [1_000, 50_000])
def test_deeply_nested_json_is_an_invalid_request(iot_certs: IotCerts, depth: int) -> None:
    body = b'{"attributePayload":' + b'{"a":' * depth + b"1" + b"}" * (depth + 1)

    status, answer = post(iot_certs, "/things/t1", body)

    assert_refused(status, answer)
    assert iot_certs.things == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

# Operations with JSON bodies, and the members they read.
BODIES = {
    "/things/t1": ("thingTypeName", "attributePayload", "billingGroupName"),
    "/policies/p1": ("policyDocument", "tags"),
    "/certificates": ("certificateSigningRequest",),
    "/certificate/register": ("certificatePem", "caCertificatePem", "status"),
    "/cacertificate": ("caCertificate", "verificationCertificate", "registrationConfig", "tags"),
}


@FUZZ
@given(
    path=st.sampled_from(sorted(BODIES)),
    members=st.data(),
)
def test_fuzzed_json_bodies_get_modeled_answers(
    iot_certs: IotCerts, path: str, members: st.DataObject
) -> None:
    body = {
        name: members.draw(JSON, label=name)
        for name in BODIES[path]
        if members.draw(st.booleans(), label=f"send {name}")
    }

    status, answer = post(iot_certs, path, body)

    if status >= 300:
        # 404: a thing type, billing group or policy the body names does not exist (modeled).
        assert_refused(status, answer, codes=(400, 404, 409))


def test_a_registered_certificate_with_a_malformed_extension_is_refused(
    iot_certs: IotCerts,
) -> None:
    device, _ = MAKER.issue_device_certificate("device-0002")
    der = device.public_bytes(serialization.Encoding.DER)
    # The SubjectKeyIdentifier's OCTET STRING (0x04, length 20) loses a byte of its length.
    info = signed_info(der)
    position = info.index(b"\x04\x14", info.index(bytes.fromhex("551d0e")))
    hostile = resign(der, info[:position] + b"\x04\x15" + info[position + 2 :], MAKER.key)

    status, answer = post(
        iot_certs,
        "/certificate/register",
        {
            "certificatePem": pem("CERTIFICATE", hostile),
            "caCertificatePem": to_pem(MAKER.certificate),
        },
    )

    assert_refused(status, answer)
    assert iot_certs.certificates == []
