"""The router below every door: routing, hostile input, concurrency."""

from __future__ import annotations

import json
import re
import threading
import uuid
from typing import Any

import boto3
import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sigv4 import signed

from pytest_iotcerts import IotCerts

MODEL = botocore.session.get_session().get_service_model("iot")
ENDPOINT = "https://iot.us-east-1.amazonaws.com"


@pytest.mark.filterwarnings("ignore::pytest_iotcerts.IotCertsWarning")  # most are unemulated
def test_every_operation_of_the_model_routes_to_itself(iot_certs: IotCerts) -> None:
    mismatched = []
    for name in MODEL.operation_names:
        operation = MODEL.operation_model(name)
        path = re.sub(r"\{[^}]+\}", "x1", operation.http["requestUri"].split("?")[0])
        iot_certs.handle(signed(operation.http["method"], ENDPOINT + path, b""))
        routed = iot_certs.calls[-1].operation
        if routed != name:
            mismatched.append((name, path, routed))
    assert mismatched == []


def test_an_encoded_slash_stays_inside_its_label(iot_certs: IotCerts) -> None:
    target = "arn:aws:iot:us-east-1:123456789012:cert/" + "a" * 64
    iot_certs.handle(signed("POST", ENDPOINT + "/attached-policies/" + target.replace("/", "%2F")))

    assert iot_certs.calls[-1].operation == "ListAttachedPolicies"
    assert iot_certs.calls[-1].params["target"] == target


PATHS = st.sampled_from(
    [
        "/certificates",
        "/certificates/" + "a" * 64,
        "/keys-and-certificate",
        "/certificate/register",
        "/things/thing-1/principals",
        "/target-policies/p",
        "/transfer-certificate/" + "b" * 64,
        "/cacertificate",
        "/registrationcode",
        "/things",
        "/things/thing-1",
        "/things/thing-1/principals-v2",
        "/thing-types/lamp",
        "/thing-types/lamp/deprecate",
        "/thing-groups/g",
        "/thing-groups/addThingToThingGroup",
        "/thing-groups/updateThingGroupsForThing",
        "/billing-groups/b",
        "/billing-groups/addThingToBillingGroup",
        "/policies/p/version",
        "/policies/p/version/1",
        "/role-aliases/r",
        "/authorizer/a",
        "/default-authorizer",
        "/domainConfigurations/d",
        "/tags",
        "/untag",
    ]
) | st.text(alphabet="/abcdefgh-%{}.?&=", max_size=40).map(lambda s: "/" + s)

BODIES = st.one_of(
    st.binary(max_size=64),
    st.dictionaries(
        st.sampled_from(
            [
                "certificateSigningRequest",
                "certificatePem",
                "target",
                "caCertificate",
                "status",
                "attributePayload",
                "thingGroupProperties",
                "tags",
                "tokenSigningPublicKeys",
                "roleArn",
                "thingName",
                "authorizerConfig",
            ]
        ),
        st.one_of(
            st.text(max_size=30),
            st.integers(),
            st.booleans(),
            st.none(),
            st.lists(st.none()),
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
        ),
        max_size=3,
    ).map(lambda d: json.dumps(d).encode()),
)


@pytest.mark.filterwarnings("ignore::pytest_iotcerts.plugin.IotCertsWarning")
@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
    path=PATHS,
    query=st.text(alphabet="abcdefghijklmnopqrstuvwxyzA=&%0123456789", max_size=30),
    body=BODIES,
    principal=st.one_of(st.none(), st.text(max_size=20)),
)
def test_hostile_requests_get_modeled_answers_never_crashes(
    iot_certs: IotCerts, method: str, path: str, query: str, body: bytes, principal: str | None
) -> None:
    headers = {} if principal is None else {"x-amzn-principal": principal}
    response = iot_certs.handle(signed(method, f"{ENDPOINT}{path}?{query}", body, headers=headers))

    assert uuid.UUID(response.headers["x-amzn-RequestId"]).version == 4
    if response.status_code >= 300:
        assert response.headers["x-amzn-ErrorType"] != "InternalFailureException", response.body
        assert isinstance(json.loads(response.body)["message"], str)
    else:
        json.loads(response.body or b"{}")
    assert iot_certs.calls[-1].status_code == response.status_code


def test_concurrent_clients_keep_state_consistent(iot_certs: IotCerts) -> None:
    errors: list[BaseException] = []
    issued: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            client = boto3.client("iot", region_name="us-east-1")
            for _ in range(5):
                certificate_id = client.create_keys_and_certificate(setAsActive=True)[
                    "certificateId"
                ]
                client.update_certificate(certificateId=certificate_id, newStatus="INACTIVE")
                with lock:
                    issued.append(certificate_id)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(issued)) == 30
    assert {c.certificate_id for c in iot_certs.certificates} == set(issued)
    assert all(c.status == "INACTIVE" for c in iot_certs.certificates)
    assert len(iot_certs.calls) == 60
    listed: list[Any] = []
    for page in boto3.client("iot").get_paginator("list_certificates").paginate():
        listed.extend(page["certificates"])
    assert len(listed) == 30


def _mutate(der: bytes, flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(der)
    for position, value in flips:
        data[position % len(data)] = value
    return bytes(data)


FLIPS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flips=FLIPS, truncate=st.integers(0, 40))
def test_mutated_csrs_are_invalid_requests_or_issue_their_own_key(
    iot_certs: IotCerts, flips: list[tuple[int, int]], truncate: int
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from csrs import csr, pem

    der = csr("p256").public_bytes(serialization.Encoding.DER)
    mutated = _mutate(der, flips)[: len(der) - truncate]
    body = json.dumps({"certificateSigningRequest": pem("CERTIFICATE REQUEST", mutated)}).encode()
    held = len(iot_certs.certificates)

    response = iot_certs.handle(signed("POST", ENDPOINT + "/certificates", body))

    if response.status_code == 200:
        # Only a CSR that still parses and verifies may be certified, and with its own key.
        request = x509.load_der_x509_csr(mutated)
        assert request.is_signature_valid
        issued = x509.load_pem_x509_certificate(
            json.loads(response.body)["certificatePem"].encode()
        )
        assert issued.public_key() == request.public_key()
    else:
        assert response.status_code == 400, response.body
        assert response.headers["x-amzn-ErrorType"] == "InvalidRequestException"
        assert len(iot_certs.certificates) == held


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flips=FLIPS)
def test_mutated_certificates_never_crash_registration(
    iot_certs: IotCerts, flips: list[tuple[int, int]]
) -> None:
    from cryptography.hazmat.primitives import serialization
    from csrs import pem

    device, _ = iot_certs.ca.issue_device_certificate()
    mutated = _mutate(device.public_bytes(serialization.Encoding.DER), flips)
    body = json.dumps({"certificatePem": pem("CERTIFICATE", mutated)}).encode()

    response = iot_certs.handle(signed("POST", ENDPOINT + "/certificate/register-no-ca", body))

    assert response.status_code in (200, 400, 409), response.body
    assert response.headers.get("x-amzn-ErrorType") != "InternalFailureException"
