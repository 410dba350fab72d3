"""Asking "may this device do that?" without a device: TestAuthorization and
GetEffectivePolicies judge with the same policy engine as the MQTT endpoint. And the certificate
core's last small operations: ListOutgoingCertificates, DeleteRegistrationCode, the encryption
configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_iotcerts import IotCerts

ARN = "arn:aws:iot:us-east-1:123456789012"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def sensor(iot_certs: IotCerts, client: Any) -> str:
    """A certificate with a policy of its own, attached to a thing in a group with another."""
    certificate = iot_certs.issue_certificate()
    client.create_policy(
        policyName="own-topics",
        policyDocument=document(
            {
                "Effect": "Allow",
                "Action": "iot:Connect",
                "Resource": f"{ARN}:client/${{iot:ClientId}}",
            },
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/sensors/*"},
        ),
    )
    client.create_policy(
        policyName="no-admin",
        policyDocument=document(
            {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/sensors/admin"}
        ),
    )
    client.attach_policy(policyName="own-topics", target=certificate.arn)
    client.create_thing(thingName="sensor-1")
    client.attach_thing_principal(thingName="sensor-1", principal=certificate.arn)
    group_arn = client.create_thing_group(thingGroupName="fleet")["thingGroupArn"]
    client.add_thing_to_thing_group(thingGroupName="fleet", thingName="sensor-1")
    client.attach_policy(policyName="no-admin", target=group_arn)
    return certificate.arn


def decide(client: Any, principal: str, action: str, resource: str, **kwargs: Any) -> Any:
    [result] = client.test_authorization(
        principal=principal,
        authInfos=[{"actionType": action, "resources": [resource]}],
        **kwargs,
    )["authResults"]
    return result


def test_an_allowed_publish_names_the_policy_that_allowed_it(client: Any, sensor: str) -> None:
    result = decide(client, sensor, "PUBLISH", f"{ARN}:topic/sensors/temperature")

    assert result["authDecision"] == "ALLOWED"
    assert [p["policyName"] for p in result["allowed"]["policies"]] == ["own-topics"]


def test_nothing_allows_it_is_an_implicit_deny(client: Any, sensor: str) -> None:
    result = decide(client, sensor, "SUBSCRIBE", f"{ARN}:topicfilter/sensors/#")

    assert result["authDecision"] == "IMPLICIT_DENY"
    assert [p["policyName"] for p in result["denied"]["implicitDeny"]["policies"]] == ["own-topics"]


def test_a_group_policy_denies_when_the_client_is_the_thing(client: Any, sensor: str) -> None:
    admin = f"{ARN}:topic/sensors/admin"

    assert decide(client, sensor, "PUBLISH", admin)["authDecision"] == "ALLOWED"
    as_thing = decide(client, sensor, "PUBLISH", admin, clientId="sensor-1")
    assert as_thing["authDecision"] == "EXPLICIT_DENY"
    assert [p["policyName"] for p in as_thing["denied"]["explicitDeny"]["policies"]] == ["no-admin"]


def test_policy_variables_are_filled_as_at_the_endpoint(client: Any, sensor: str) -> None:
    own = decide(client, sensor, "CONNECT", f"{ARN}:client/sensor-1", clientId="sensor-1")
    other = decide(client, sensor, "CONNECT", f"{ARN}:client/sensor-2", clientId="sensor-1")

    assert (own["authDecision"], other["authDecision"]) == ("ALLOWED", "IMPLICIT_DENY")


def test_policies_can_be_added_and_skipped(client: Any, sensor: str) -> None:
    topic = f"{ARN}:topic/sensors/temperature"

    skipped = decide(client, sensor, "PUBLISH", topic, policyNamesToSkip=["own-topics"])
    added = decide(
        client,
        sensor,
        "PUBLISH",
        topic.replace("temperature", "admin"),
        policyNamesToAdd=["no-admin"],
    )

    assert skipped["authDecision"] == "IMPLICIT_DENY"
    assert added["authDecision"] == "EXPLICIT_DENY"


def test_effective_policies_are_the_certificates_and_its_things_groups(
    client: Any, sensor: str
) -> None:
    alone = client.get_effective_policies(principal=sensor)["effectivePolicies"]
    with_thing = client.get_effective_policies(principal=sensor, thingName="sensor-1")

    assert [p["policyName"] for p in alone] == ["own-topics"]
    assert sorted(p["policyName"] for p in with_thing["effectivePolicies"]) == [
        "no-admin",
        "own-topics",
    ]
    assert json.loads(alone[0]["policyDocument"])["Statement"][1]["Action"] == "iot:Publish"


def test_the_endpoint_and_test_authorization_agree(
    iot_certs: IotCerts, client: Any, sensor: str
) -> None:
    certificate_id = sensor.rsplit("/", 1)[1]
    service = iot_certs.service()
    for topic in ("sensors/temperature", "sensors/admin", "other/topic"):
        for client_id in ("sensor-1", "sensor-2"):
            answer = decide(client, sensor, "PUBLISH", f"{ARN}:topic/{topic}", clientId=client_id)
            at_endpoint = service.authorization.allows(
                certificate_id, client_id, "iot:Publish", topic
            )
            assert (answer["authDecision"] == "ALLOWED") is at_endpoint, (topic, client_id)


def test_an_unknown_certificate_is_not_found(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_effective_policies(principal=f"{ARN}:cert/{'a' * 64}")


# -- the certificate core's last operations ---------------------------------------------------


def test_outgoing_certificates_are_the_pending_transfers(iot_certs: IotCerts, client: Any) -> None:
    offered = iot_certs.issue_certificate(status="INACTIVE")
    iot_certs.issue_certificate(status="INACTIVE")  # not offered
    client.transfer_certificate(
        certificateId=offered.certificate_id,
        targetAwsAccount="210987654321",
        transferMessage="yours now",
    )

    [outgoing] = client.list_outgoing_certificates()["outgoingCertificates"]

    assert outgoing["certificateId"] == offered.certificate_id
    assert (outgoing["transferredTo"], outgoing["transferMessage"]) == (
        "210987654321",
        "yours now",
    )
    client.cancel_certificate_transfer(certificateId=offered.certificate_id)
    assert client.list_outgoing_certificates()["outgoingCertificates"] == []


def test_deleting_the_registration_code_makes_a_new_one(client: Any) -> None:
    before = client.get_registration_code()["registrationCode"]

    client.delete_registration_code()

    after = client.get_registration_code()["registrationCode"]
    assert after != before
    assert len(after) == 64


def test_the_encryption_configuration(client: Any) -> None:
    assert client.describe_encryption_configuration()["encryptionType"] == "AWS_OWNED_KMS_KEY"
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    role = "arn:aws:iam::123456789012:role/iot-kms"

    with pytest.raises(client.exceptions.InvalidRequestException):
        client.update_encryption_configuration(encryptionType="CUSTOMER_MANAGED_KMS_KEY")
    client.update_encryption_configuration(
        encryptionType="CUSTOMER_MANAGED_KMS_KEY", kmsKeyArn=key, kmsAccessRoleArn=role
    )

    described = client.describe_encryption_configuration()
    assert (described["kmsKeyArn"], described["kmsAccessRoleArn"]) == (key, role)
    assert described["configurationDetails"]["configurationStatus"] == "HEALTHY"
