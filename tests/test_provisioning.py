"""Provisioning on the control plane: templates, RegisterThing, claims and the fleet flow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from csrs import csr as make_csr
from csrs import csr_pem

from pytest_iotcerts import IotCerts

ROLE = "arn:aws:iam::123456789012:role/provisioning"
POLICY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}],
}
TEMPLATE = {
    "Parameters": {
        "SerialNumber": {"Type": "String"},
        "Location": {"Type": "String", "Default": "Seattle"},
        "CSR": {"Type": "String"},
    },
    "Mappings": {"Sites": {"Seattle": {"Group": "west"}, "Boston": {"Group": "east"}}},
    "Conditions": {"InSeattle": {"Fn::Equals": [{"Ref": "Location"}, "Seattle"]}},
    "Resources": {
        "thing": {
            "Type": "AWS::IoT::Thing",
            "Properties": {
                "ThingName": {"Fn::Join": ["-", ["sensor", {"Ref": "SerialNumber"}]]},
                "AttributePayload": {
                    "serial": {"Ref": "SerialNumber"},
                    "site": {"Fn::If": ["InSeattle", "hq", "field"]},
                },
                "ThingGroups": [{"Fn::FindInMap": ["Sites", {"Ref": "Location"}, "Group"]}],
            },
        },
        "certificate": {
            "Type": "AWS::IoT::Certificate",
            "Properties": {"CertificateSigningRequest": {"Ref": "CSR"}, "Status": "ACTIVE"},
        },
        "policy": {
            "Type": "AWS::IoT::Policy",
            "Properties": {"PolicyDocument": json.dumps(POLICY_DOCUMENT)},
        },
    },
    "DeviceConfiguration": {"Greeting": {"Fn::Sub": "hello ${SerialNumber}"}},
}


@pytest.fixture
def client(iot_certs: IotCerts) -> Any:
    iot = boto3.client("iot")
    iot.create_thing_group(thingGroupName="west")
    iot.create_thing_group(thingGroupName="east")
    return iot


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_register_thing_provisions_a_thing_certificate_and_policy(client: Any) -> None:
    csr = make_csr("p256")
    answer = client.register_thing(
        templateBody=json.dumps(TEMPLATE),
        parameters={"SerialNumber": "42", "CSR": csr_pem("p256")},
    )

    arns = answer["resourceArns"]
    assert set(arns) == {"thing", "certificate", "policy"}  # keyed by logical name, as AWS does
    assert arns["thing"].endswith(":thing/sensor-42")
    thing = client.describe_thing(thingName="sensor-42")
    assert thing["attributes"] == {"serial": "42", "site": "hq"}
    groups = client.list_thing_groups_for_thing(thingName="sensor-42")["thingGroups"]
    assert [g["groupName"] for g in groups] == ["west"]

    certificate = x509.load_pem_x509_certificate(answer["certificatePem"].encode())
    assert certificate.public_key() == csr.public_key()  # the CSR's own key is certified
    certificate_id = arns["certificate"].rsplit("/", 1)[1]
    description = client.describe_certificate(certificateId=certificate_id)
    assert description["certificateDescription"]["status"] == "ACTIVE"
    principals = client.list_thing_principals(thingName="sensor-42")["principals"]
    assert principals == [arns["certificate"]]

    policy_name = arns["policy"].rsplit("/", 1)[1]
    assert len(policy_name) == 40 and policy_name == policy_name.upper()  # named by a hash
    attached = client.list_attached_policies(target=arns["certificate"])["policies"]
    assert [p["policyName"] for p in attached] == [policy_name]


def test_parameters_mappings_and_conditions_choose_the_values(client: Any) -> None:
    client.register_thing(
        templateBody=json.dumps(TEMPLATE),
        parameters={"SerialNumber": "7", "Location": "Boston", "CSR": csr_pem("p256")},
    )
    assert client.describe_thing(thingName="sensor-7")["attributes"]["site"] == "field"
    groups = client.list_thing_groups_for_thing(thingName="sensor-7")["thingGroups"]
    assert [g["groupName"] for g in groups] == ["east"]


def test_a_missing_parameter_is_a_400_naming_it(client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        client.register_thing(templateBody=json.dumps(TEMPLATE), parameters={"CSR": "x"})
    code, message = error_of(raised)
    assert code == "InvalidRequestException"
    assert "SerialNumber" in message
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("not json", "not valid JSON"),
        (json.dumps({"Resources": {}}), "no Resources"),
        (json.dumps({"Resources": {"x": {"Type": "AWS::S3::Bucket", "Properties": {}}}}), "Type"),
        (
            json.dumps(
                {
                    "Resources": {
                        "thing": {
                            "Type": "AWS::IoT::Thing",
                            "Properties": {"ThingName": {"Ref": "Undeclared"}},
                        }
                    }
                }
            ),
            "Undeclared",
        ),
        (
            json.dumps(
                {
                    "Resources": {
                        "thing": {
                            "Type": "AWS::IoT::Thing",
                            "Properties": {"ThingName": {"Fn::Magic": ["a"]}},
                        }
                    }
                }
            ),
            "Fn::Magic",
        ),
        (
            json.dumps(
                {
                    "Resources": {
                        "c": {"Type": "AWS::IoT::Certificate", "Properties": {"Status": "ACTIVE"}}
                    }
                }
            ),
            "exactly one of",
        ),
    ],
)
def test_a_bad_template_is_an_invalid_request_naming_the_problem(
    client: Any, body: str, named: str
) -> None:
    with pytest.raises(ClientError) as raised:
        client.register_thing(templateBody=body)
    code, message = error_of(raised)
    assert code == "InvalidRequestException"
    assert named in message
    with pytest.raises(ClientError) as raised:
        client.create_provisioning_template(
            templateName="bad", templateBody=body, provisioningRoleArn=ROLE
        )
    assert error_of(raised) == (code, message)


def test_a_failing_resource_changes_nothing_and_is_named(client: Any, iot_certs: IotCerts) -> None:
    template = json.loads(json.dumps(TEMPLATE))
    template["Resources"]["thing"]["Properties"]["ThingGroups"] = ["no-such-group"]
    with pytest.raises(ClientError) as raised:
        client.register_thing(
            templateBody=json.dumps(template),
            parameters={"SerialNumber": "9", "CSR": csr_pem("p256")},
        )
    code, message = error_of(raised)
    assert code == "ResourceRegistrationFailureException"
    assert message.startswith("Resource thing (AWS::IoT::Thing):")
    assert "no-such-group" in message
    assert client.list_things()["things"] == []
    assert iot_certs.certificates == []
    assert client.list_policies()["policies"] == []


def test_override_settings_decide_what_happens_to_an_existing_thing(client: Any) -> None:
    client.create_thing(thingName="sensor-5", attributePayload={"attributes": {"old": "1"}})
    template = json.loads(json.dumps(TEMPLATE))
    del template["Resources"]["certificate"], template["Resources"]["policy"]
    template["Resources"]["thing"]["OverrideSettings"] = {"AttributePayload": "MERGE"}
    client.register_thing(templateBody=json.dumps(template), parameters={"SerialNumber": "5"})
    attributes = client.describe_thing(thingName="sensor-5")["attributes"]
    assert attributes == {"old": "1", "serial": "5", "site": "hq"}

    template["Resources"]["thing"]["OverrideSettings"] = {"AttributePayload": "FAIL"}
    with pytest.raises(ClientError) as raised:
        client.register_thing(templateBody=json.dumps(template), parameters={"SerialNumber": "5"})
    assert error_of(raised)[0] == "ResourceRegistrationFailureException"
    assert client.describe_thing(thingName="sensor-5")["attributes"] == attributes


def test_templates_and_their_versions(client: Any) -> None:
    body = json.dumps(TEMPLATE)
    created = client.create_provisioning_template(
        templateName="factory",
        templateBody=body,
        provisioningRoleArn=ROLE,
        enabled=True,
        tags=[{"Key": "team", "Value": "devices"}],
    )
    assert created["templateArn"] == (
        "arn:aws:iot:us-east-1:123456789012:provisioningtemplate/factory"
    )
    assert created["defaultVersionId"] == 1
    described = client.describe_provisioning_template(templateName="factory")
    assert (described["enabled"], described["type"]) == (True, "FLEET_PROVISIONING")
    assert json.loads(described["templateBody"]) == TEMPLATE
    tags = client.list_tags_for_resource(resourceArn=created["templateArn"])["tags"]
    assert tags == [{"Key": "team", "Value": "devices"}]

    for _ in range(4):
        client.create_provisioning_template_version(templateName="factory", templateBody=body)
    with pytest.raises(client.exceptions.VersionsLimitExceededException):
        client.create_provisioning_template_version(templateName="factory", templateBody=body)
    with pytest.raises(client.exceptions.DeleteConflictException):
        client.delete_provisioning_template_version(templateName="factory", versionId=1)
    client.update_provisioning_template(templateName="factory", defaultVersionId=5)
    client.delete_provisioning_template_version(templateName="factory", versionId=1)
    versions = client.list_provisioning_template_versions(templateName="factory")["versions"]
    assert [(v["versionId"], v["isDefaultVersion"]) for v in versions] == [
        (2, False),
        (3, False),
        (4, False),
        (5, True),
    ]
    listed = client.list_provisioning_templates()["templates"]
    assert [t["templateName"] for t in listed] == ["factory"]
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_provisioning_template(
            templateName="factory", templateBody=body, provisioningRoleArn=ROLE
        )
    client.delete_provisioning_template(templateName="factory")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_provisioning_template(templateName="factory")


def test_a_provisioning_claim_lives_five_minutes(client: Any, iot_certs: IotCerts) -> None:
    client.create_provisioning_template(
        templateName="fleet", templateBody=json.dumps(TEMPLATE), provisioningRoleArn=ROLE
    )
    with pytest.raises(client.exceptions.InvalidRequestException, match="not enabled"):
        client.create_provisioning_claim(templateName="fleet")
    client.update_provisioning_template(templateName="fleet", enabled=True)
    claim = client.create_provisioning_claim(templateName="fleet")

    certificate = x509.load_pem_x509_certificate(claim["certificatePem"].encode())
    assert certificate.not_valid_after_utc == claim["expiration"]
    lifetime = claim["expiration"] - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(minutes=4) < lifetime <= dt.timedelta(minutes=5)
    assert claim["keyPair"]["PrivateKey"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert iot_certs.get(claim["certificateId"]).status == "ACTIVE"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_provisioning_claim(templateName="unknown")


def fleet_template(client: Any) -> None:
    template = {
        "Parameters": {"SerialNumber": {"Type": "String"}},
        "Resources": {
            "thing": {
                "Type": "AWS::IoT::Thing",
                "Properties": {"ThingName": {"Fn::Sub": "device-${SerialNumber}"}},
            },
            "certificate": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {
                    "CertificateId": {"Ref": "AWS::IoT::Certificate::Id"},
                    "Status": "Active",
                },
            },
        },
        "DeviceConfiguration": {"Serial": {"Ref": "SerialNumber"}},
    }
    client.create_provisioning_template(
        templateName="fleet",
        templateBody=json.dumps(template),
        provisioningRoleArn=ROLE,
        enabled=True,
        preProvisioningHook={"targetArn": "arn:aws:lambda:us-east-1:123456789012:function:hook"},
    )


def test_fleet_provisioning_runs_the_hook_and_activates_the_certificate(
    client: Any, iot_certs: IotCerts
) -> None:
    """What the MQTT door will call: a claim, a certificate with an ownership token, and the
    template with its pre-provisioning hook."""
    fleet_template(client)
    events = []

    def hook(event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        return {"allowProvisioning": True, "parameterOverrides": {"SerialNumber": "override"}}

    iot_certs.set_pre_provisioning_hook("fleet", hook)
    service = iot_certs.service()
    claim = iot_certs.get(client.create_provisioning_claim(templateName="fleet")["certificateId"])
    certificate, token = service.provisioning.create_device_certificate()
    assert certificate.status == "PENDING_ACTIVATION"

    provisioned = service.provisioning.provision_device(
        "fleet", token, {"SerialNumber": "1"}, claim=claim, client_id="dev-1"
    )

    assert provisioned.thing is not None and provisioned.thing.name == "device-override"
    assert provisioned.device_configuration == {"Serial": "override"}
    assert certificate.status == "ACTIVE"
    assert certificate.things == {"device-override"}
    (event,) = events
    assert event["claimCertificateId"] == claim.certificate_id
    assert event["certificateId"] == certificate.certificate_id
    assert event["templateArn"].endswith(":provisioningtemplate/fleet")
    assert (event["clientId"], event["parameters"]) == ("dev-1", {"SerialNumber": "1"})
    with pytest.raises(Exception, match="ownership token"):  # single use
        service.provisioning.provision_device("fleet", token, {}, claim=claim)


def test_a_hook_that_refuses_stops_provisioning(client: Any, iot_certs: IotCerts) -> None:
    fleet_template(client)
    iot_certs.set_pre_provisioning_hook("fleet", lambda event: {"allowProvisioning": False})
    service = iot_certs.service()
    claim = iot_certs.get(client.create_provisioning_claim(templateName="fleet")["certificateId"])
    certificate, token = service.provisioning.create_device_certificate()
    with pytest.raises(Exception, match="did not allow provisioning"):
        service.provisioning.provision_device("fleet", token, {"SerialNumber": "2"}, claim=claim)
    assert certificate.status == "PENDING_ACTIVATION"
    assert client.list_things()["things"] == []
