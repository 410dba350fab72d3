"""The service layer under every door: seeding and API calls share it, links stay two-sided, the
public names, and payload members parsed as the model says."""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any

import pytest
from models import needs
from sigv4 import signed

import pytest_iotcerts
from pytest_iotcerts import CACertificate, Certificate, IotCerts, Policy, ServiceError, Thing

ENDPOINT = "https://iot.us-east-1.amazonaws.com"


def test_seeding_through_the_service_is_what_api_calls_see(
    iot_certs: IotCerts, client: Any
) -> None:
    service = iot_certs.service()
    certificate = service.certificates.create_with_keys("ACTIVE")
    service.things.create("sensor", attributes={"floor": "2"})
    service.things.attach_principal("sensor", certificate.arn, exclusive=True)

    described = client.describe_thing(thingName="sensor")
    principals = client.list_thing_principals(thingName="sensor")["principals"]

    assert described["attributes"] == {"floor": "2"}
    assert principals == [certificate.arn]
    # Seeding records no call.
    assert [c.operation for c in iot_certs.calls] == ["DescribeThing", "ListThingPrincipals"]


def test_the_service_of_another_account_and_region(iot_certs: IotCerts) -> None:
    elsewhere = iot_certs.service("210987654321", "eu-west-1")

    certificate = elsewhere.certificates.create_with_keys("INACTIVE")

    assert certificate.arn.startswith("arn:aws:iot:eu-west-1:210987654321:cert/")
    with pytest.raises(ValueError, match="12 digits"):
        iot_certs.service("not-an-account")


def test_a_broken_rule_in_seeding_raises_the_service_error(iot_certs: IotCerts) -> None:
    with pytest.raises(ServiceError) as raised:
        iot_certs.service().policies.create("bad", "not json")

    assert raised.value.code == "MalformedPolicyException"
    assert iot_certs.policies == []


def test_links_are_the_same_from_both_sides(iot_certs: IotCerts, client: Any) -> None:
    certificate = iot_certs.issue_certificate(status="INACTIVE")
    thing = iot_certs.create_thing("sensor")
    policy = iot_certs.create_policy("connect")

    client.attach_thing_principal(thingName="sensor", principal=certificate.arn)
    client.attach_policy(policyName="connect", target=certificate.arn)

    assert (thing.principals, policy.targets) == ([certificate.arn], [certificate.arn])
    assert (certificate.things, certificate.policies) == ({"sensor"}, {"connect"})

    client.detach_thing_principal(thingName="sensor", principal=certificate.arn)
    client.delete_certificate(certificateId=certificate.certificate_id, forceDelete=True)

    assert (thing.principals, policy.targets) == ([], [])
    assert client.list_targets_for_policy(policyName="connect")["targets"] == []
    client.delete_policy(policyName="connect")  # nothing dangles to stop it
    client.delete_thing(thingName="sensor")
    assert (iot_certs.things, iot_certs.policies) == ([], [])


@needs("AttachThingPrincipal", "thingPrincipalType")
def test_an_exclusive_principal_stays_with_its_one_thing(iot_certs: IotCerts, client: Any) -> None:
    certificate = iot_certs.issue_certificate()
    iot_certs.create_thing("a")
    iot_certs.create_thing("b")
    client.attach_thing_principal(
        thingName="a", principal=certificate.arn, thingPrincipalType="EXCLUSIVE_THING"
    )

    with pytest.raises(client.exceptions.InvalidRequestException):
        client.attach_thing_principal(thingName="b", principal=certificate.arn)

    assert certificate.things == {"a"}


def test_the_public_names() -> None:
    for name in pytest_iotcerts.__all__:
        assert getattr(pytest_iotcerts, name) is not None, name
    assert pytest_iotcerts.__version__ == importlib.metadata.version("pytest-iotcerts")
    assert set(pytest_iotcerts.__all__) <= set(dir(pytest_iotcerts))
    with pytest.raises(AttributeError, match="no_such_name"):
        pytest_iotcerts.no_such_name  # noqa: B018  (the names load lazily; others still fail)
    assert issubclass(pytest_iotcerts.IotCertsWarning, UserWarning)
    assert [
        cls.__module__.split(".")[0] for cls in (Certificate, CACertificate, Thing, Policy)
    ] == ["pytest_iotcerts"] * 4


def test_a_payload_member_is_the_whole_body(iot_certs: IotCerts, client: Any) -> None:
    payload = {"roleArn": "arn:aws:iam::123456789012:role/iot-logging", "logLevel": "INFO"}

    client.set_logging_options(loggingOptionsPayload=payload)
    client.create_topic_rule(
        ruleName="telemetry",
        topicRulePayload={"sql": "SELECT * FROM 'devices/+/telemetry'", "actions": []},
    )

    assert iot_certs.calls[0].params["loggingOptionsPayload"] == payload
    assert {k: v for k, v in client.get_logging_options().items() if k in payload} == payload
    assert iot_certs.calls[1].params["topicRulePayload"]["sql"] == (
        "SELECT * FROM 'devices/+/telemetry'"
    )


def test_a_missing_payload_is_the_modeled_validation_error(iot_certs: IotCerts) -> None:
    response = iot_certs.handle(signed("POST", f"{ENDPOINT}/rules/telemetry", b""))

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidRequestException"
    assert "topicRulePayload" in json.loads(response.body)["message"]
