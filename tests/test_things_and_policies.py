"""Things and policies, as far as certificates need them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from csrs import csr
from models import needs

from pytest_iotcerts import Certificate, IotCerts

DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}],
    }
)


@pytest.fixture
def certificate(iot_certs: IotCerts) -> Certificate:
    return iot_certs.issue_certificate(csr=csr("p256"), status="INACTIVE")


def test_create_describe_and_delete_a_thing(iot_certs: IotCerts, client: Any) -> None:
    created = client.create_thing(
        thingName="sensor-7", attributePayload={"attributes": {"floor": "3"}}
    )

    assert created["thingArn"] == "arn:aws:iot:us-east-1:123456789012:thing/sensor-7"
    described = client.describe_thing(thingName="sensor-7")
    assert described["thingId"] == created["thingId"]
    assert described["attributes"] == {"floor": "3"}
    assert described["defaultClientId"] == "sensor-7"
    assert described["version"] == 1
    # The same name and configuration again succeeds; another configuration does not.
    assert (
        client.create_thing(thingName="sensor-7", attributePayload={"attributes": {"floor": "3"}})[
            "thingId"
        ]
        == created["thingId"]
    )
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_thing(thingName="sensor-7")

    with pytest.raises(client.exceptions.VersionConflictException):
        client.delete_thing(thingName="sensor-7", expectedVersion=5)
    client.delete_thing(thingName="sensor-7")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_thing(thingName="sensor-7")
    client.delete_thing(thingName="sensor-7")  # documented: deleting what is not there succeeds


def test_a_bad_thing_name_is_an_invalid_request(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="thingName"):
        client.create_thing(thingName="no spaces allowed")


def test_attach_and_list_thing_principals(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    for name in ("gateway", "sensor"):
        client.create_thing(thingName=name)
        client.attach_thing_principal(thingName=name, principal=certificate.arn)
    client.attach_thing_principal(thingName="gateway", principal=certificate.arn)  # idempotent

    assert client.list_thing_principals(thingName="gateway")["principals"] == [certificate.arn]
    assert client.list_principal_things(principal=certificate.arn)["things"] == [
        "gateway",
        "sensor",
    ]
    assert certificate.things == {"gateway", "sensor"}
    iot_certs.assert_attached(certificate.certificate_id, thing="sensor")

    client.detach_thing_principal(thingName="sensor", principal=certificate.arn)
    assert client.list_principal_things(principal=certificate.arn)["things"] == ["gateway"]
    assert certificate.things == {"gateway"}


def test_list_principal_things_pages(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    names = [f"thing-{i}" for i in range(5)]
    for name in names:
        iot_certs.create_thing(name, principals=[certificate])

    pages = client.get_paginator("list_principal_things").paginate(
        principal=certificate.arn, PaginationConfig={"PageSize": 2}
    )

    assert [t for p in pages for t in p["things"]] == names


@needs("AttachThingPrincipal", "thingPrincipalType")
def test_an_exclusive_principal_stays_with_one_thing(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    client.create_thing(thingName="a")
    client.create_thing(thingName="b")
    client.attach_thing_principal(
        thingName="a", principal=certificate.arn, thingPrincipalType="EXCLUSIVE_THING"
    )

    with pytest.raises(client.exceptions.InvalidRequestException, match="exclusively"):
        client.attach_thing_principal(thingName="b", principal=certificate.arn)


def test_a_thing_with_principals_cannot_be_deleted(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    iot_certs.create_thing("sensor", principals=[certificate])

    with pytest.raises(
        client.exceptions.InvalidRequestException, match="still attached to one or more principals"
    ):
        client.delete_thing(thingName="sensor")


def test_thing_principal_not_found_errors(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    unknown_cert = f"arn:aws:iot:us-east-1:123456789012:cert/{'f' * 64}"
    client.create_thing(thingName="sensor")

    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.attach_thing_principal(thingName="nope", principal=certificate.arn)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.attach_thing_principal(thingName="sensor", principal=unknown_cert)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_principal_things(principal=unknown_cert)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_thing_principals(thingName="nope")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.detach_thing_principal(thingName="nope", principal=certificate.arn)


def test_a_certificate_of_another_region_is_not_a_principal_here(
    iot_certs: IotCerts, client: Any
) -> None:
    west = iot_certs.issue_certificate(csr=csr("p256"), region="eu-west-1")
    client.create_thing(thingName="sensor")

    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.attach_thing_principal(thingName="sensor", principal=west.arn)


def test_create_get_and_delete_a_policy(iot_certs: IotCerts, client: Any) -> None:
    created = client.create_policy(policyName="device-connect", policyDocument=DOCUMENT)

    assert created["policyArn"] == "arn:aws:iot:us-east-1:123456789012:policy/device-connect"
    assert created["policyVersionId"] == "1"
    fetched = client.get_policy(policyName="device-connect")
    assert fetched["policyDocument"] == DOCUMENT
    assert fetched["defaultVersionId"] == "1"
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as raised:
        client.create_policy(policyName="device-connect", policyDocument=DOCUMENT)
    assert raised.value.response["resourceArn"] == created["policyArn"]

    client.delete_policy(policyName="device-connect")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_policy(policyName="device-connect")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_policy(policyName="device-connect")


def test_a_malformed_policy_document(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.MalformedPolicyException):
        client.create_policy(policyName="broken", policyDocument="{not json")


def test_attach_detach_and_list_policies(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    for name in ("connect", "publish", "subscribe"):
        client.create_policy(policyName=name, policyDocument=DOCUMENT)
        client.attach_policy(policyName=name, target=certificate.arn)

    attached = client.list_attached_policies(target=certificate.arn)["policies"]
    assert [p["policyName"] for p in attached] == ["connect", "publish", "subscribe"]
    assert attached[0]["policyArn"].endswith(":policy/connect")
    pages = client.get_paginator("list_attached_policies").paginate(
        target=certificate.arn, PaginationConfig={"PageSize": 2}
    )
    assert [p["policyName"] for page in pages for p in page["policies"]] == [
        "connect",
        "publish",
        "subscribe",
    ]
    assert client.list_targets_for_policy(policyName="publish")["targets"] == [certificate.arn]
    assert certificate.policies == {"connect", "publish", "subscribe"}

    with pytest.raises(client.exceptions.DeleteConflictException):
        client.delete_policy(policyName="publish")
    client.detach_policy(policyName="publish", target=certificate.arn)
    assert certificate.policies == {"connect", "subscribe"}
    client.delete_policy(policyName="publish")


def test_policy_attachment_errors(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    client.create_policy(policyName="p", policyDocument=DOCUMENT)
    unknown_cert = f"arn:aws:iot:us-east-1:123456789012:cert/{'f' * 64}"

    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.attach_policy(policyName="nope", target=certificate.arn)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.attach_policy(policyName="p", target=unknown_cert)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_attached_policies(target=unknown_cert)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_targets_for_policy(policyName="nope")
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.detach_policy(policyName="nope", target=certificate.arn)


def test_at_most_ten_policies_per_certificate(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    for index in range(10):
        iot_certs.create_policy(f"p{index}", targets=[certificate])
    client.create_policy(policyName="eleventh", policyDocument=DOCUMENT)

    with pytest.raises(client.exceptions.LimitExceededException) as raised:
        client.attach_policy(policyName="eleventh", target=certificate.arn)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_policies_can_target_cognito_identities(iot_certs: IotCerts, client: Any) -> None:
    identity = "us-east-1:11111111-2222-3333-4444-555555555555"
    client.create_policy(policyName="p", policyDocument=DOCUMENT)

    client.attach_policy(policyName="p", target=identity)

    assert client.list_targets_for_policy(policyName="p")["targets"] == [identity]
    assert [
        p["policyName"] for p in client.list_attached_policies(target=identity)["policies"]
    ] == ["p"]


def test_things_and_policies_are_per_account(iot_certs: IotCerts, client: Any) -> None:
    client.create_thing(thingName="shared-name")
    other = boto3.client("iot", **iot_certs.credentials_for("210987654321"))

    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.describe_thing(thingName="shared-name")
    other.create_thing(thingName="shared-name", attributePayload={"attributes": {"x": "1"}})
    assert sorted(t.account_id for t in iot_certs.things) == ["123456789012", "210987654321"]


def test_deprecated_principal_policy_operations_share_the_same_attachments(
    iot_certs: IotCerts, client: Any, certificate: Certificate
) -> None:
    client.create_policy(policyName="legacy", policyDocument=DOCUMENT)

    client.attach_principal_policy(policyName="legacy", principal=certificate.arn)

    assert certificate.policies == {"legacy"}
    assert [
        p["policyName"]
        for p in client.list_principal_policies(principal=certificate.arn)["policies"]
    ] == ["legacy"]
    assert client.list_policy_principals(policyName="legacy")["principals"] == [certificate.arn]
    assert client.list_targets_for_policy(policyName="legacy")["targets"] == [certificate.arn]
    client.detach_principal_policy(policyName="legacy", principal=certificate.arn)
    assert certificate.policies == set()
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.detach_principal_policy(policyName="nope", principal=certificate.arn)


def test_describe_endpoint_gives_stable_per_account_addresses(
    iot_certs: IotCerts, client: Any
) -> None:
    import re

    ats = client.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
    legacy = client.describe_endpoint()["endpointAddress"]
    credentials = client.describe_endpoint(endpointType="iot:CredentialProvider")
    other = boto3.client(
        "iot", region_name="eu-west-1", **iot_certs.credentials_for("210987654321")
    )

    assert re.fullmatch(r"[a-z0-9]{14}-ats\.iot\.us-east-1\.amazonaws\.com", ats)
    assert legacy == ats.replace("-ats", "")
    assert credentials["endpointAddress"].endswith(".credentials.iot.us-east-1.amazonaws.com")
    assert client.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"] == ats
    assert other.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"] != ats
    with pytest.raises(client.exceptions.InvalidRequestException, match="iot:Data-ATS"):
        client.describe_endpoint(endpointType="iot:Nope")


DOCUMENT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*"}]}'


def test_list_policies_pages(client: Any) -> None:
    for index in range(5):
        client.create_policy(policyName=f"p{index}", policyDocument=DOCUMENT)

    pages = client.get_paginator("list_policies").paginate(
        ascendingOrder=True, PaginationConfig={"PageSize": 2}
    )

    assert [[p["policyName"] for p in page["policies"]] for page in pages] == [
        ["p0", "p1"],
        ["p2", "p3"],
        ["p4"],
    ]


def test_policy_versions(client: Any) -> None:
    client.create_policy(policyName="p", policyDocument=DOCUMENT)

    created = client.create_policy_version(
        policyName="p", policyDocument=DOCUMENT.replace("iot:*", "iot:Connect"), setAsDefault=True
    )
    client.create_policy_version(policyName="p", policyDocument=DOCUMENT)
    listed = client.list_policy_versions(policyName="p")["policyVersions"]
    got = client.get_policy_version(policyName="p", policyVersionId="2")

    assert (created["policyVersionId"], created["isDefaultVersion"]) == ("2", True)
    assert [(v["versionId"], v["isDefaultVersion"]) for v in listed] == [
        ("3", False),
        ("2", True),
        ("1", False),
    ]
    assert "iot:Connect" in got["policyDocument"]
    assert client.get_policy(policyName="p")["defaultVersionId"] == "2"
    client.set_default_policy_version(policyName="p", policyVersionId="3")
    assert client.get_policy(policyName="p")["policyDocument"] == DOCUMENT


def test_five_versions_at_most(client: Any) -> None:
    client.create_policy(policyName="p", policyDocument=DOCUMENT)
    for _ in range(4):
        client.create_policy_version(policyName="p", policyDocument=DOCUMENT)

    with pytest.raises(client.exceptions.VersionsLimitExceededException):
        client.create_policy_version(policyName="p", policyDocument=DOCUMENT)
    client.delete_policy_version(policyName="p", policyVersionId="2")
    made = client.create_policy_version(policyName="p", policyDocument=DOCUMENT)

    assert made["policyVersionId"] == "6"  # ids are never reused


def test_the_default_version_goes_only_with_the_policy(client: Any) -> None:
    client.create_policy(policyName="p", policyDocument=DOCUMENT)
    client.create_policy_version(policyName="p", policyDocument=DOCUMENT)

    with pytest.raises(client.exceptions.DeleteConflictException, match="default version"):
        client.delete_policy_version(policyName="p", policyVersionId="1")
    with pytest.raises(client.exceptions.DeleteConflictException) as raised:
        client.delete_policy(policyName="p")
    client.delete_policy_version(policyName="p", policyVersionId="2")
    client.delete_policy(policyName="p")

    assert raised.value.response["Error"]["Message"].startswith(
        "The policy cannot be deleted as versions other than than default version exist"
    )
    assert client.list_policies()["policies"] == []


def test_policy_version_errors(client: Any) -> None:
    client.create_policy(policyName="p", policyDocument=DOCUMENT)

    with pytest.raises(client.exceptions.MalformedPolicyException):
        client.create_policy_version(policyName="p", policyDocument="{}")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_policy_version(policyName="p", policyVersionId="9")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_policy_versions(policyName="nothing")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.set_default_policy_version(policyName="p", policyVersionId="9")

    assert [
        v["versionId"] for v in client.list_policy_versions(policyName="p")["policyVersions"]
    ] == ["1"]
