"""Provisioning over MQTT, with the AWS IoT Device SDK v2 for Python as the device: fleet
provisioning by claim (the ``iotidentity`` client, JSON and CBOR), and just-in-time registration
and provisioning of certificates signed by a registered CA."""

from __future__ import annotations

import json
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import cbor2
import pytest
from awscrt import mqtt
from awsiot import iotidentity
from csrs import csr_pem
from devices import PahoDevice, files_for, sdk_connection, write_pair

from pytest_iotcerts import CertificateAuthority, IotCerts, to_pem

QOS = mqtt.QoS.AT_LEAST_ONCE
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}],
}
# The certificate being provisioned, activated, with a policy allowing everything.
ACTIVATED_WITH_POLICY = {
    "certificate": {
        "Type": "AWS::IoT::Certificate",
        "Properties": {
            "CertificateId": {"Ref": "AWS::IoT::Certificate::Id"},
            "Status": "ACTIVE",
        },
    },
    "policy": {
        "Type": "AWS::IoT::Policy",
        "Properties": {"PolicyDocument": json.dumps(ALLOW_ALL)},
    },
}
FLEET_TEMPLATE = {
    "Parameters": {
        "SerialNumber": {"Type": "String"},
        "AWS::IoT::Certificate::Id": {"Type": "String"},
    },
    "Resources": {
        "thing": {
            "Type": "AWS::IoT::Thing",
            "Properties": {"ThingName": {"Fn::Join": ["", ["meter-", {"Ref": "SerialNumber"}]]}},
        },
        **ACTIVATED_WITH_POLICY,
    },
    "DeviceConfiguration": {"telemetryTopic": "meters/data"},
}


@pytest.fixture
def claim(iot_certs: IotCerts, client: Any, tmp_path: Path) -> tuple[Path, Path]:
    """The files of a claim certificate for the enabled template "fleet"."""
    client.create_provisioning_template(
        templateName="fleet",
        templateBody=json.dumps(FLEET_TEMPLATE),
        provisioningRoleArn="arn:aws:iam::123456789012:role/Provisioning",
        enabled=True,
    )
    made = client.create_provisioning_claim(templateName="fleet")
    cert, key = tmp_path / "claim.pem", tmp_path / "claim.key"
    cert.write_text(made["certificatePem"])
    key.write_text(made["keyPair"]["PrivateKey"])
    return cert, key


class Identity:
    """The SDK's fleet provisioning client, with each answer as a future."""

    def __init__(self, connection: mqtt.Connection, template: str = "fleet") -> None:
        self.client = iotidentity.IotIdentityClient(connection)
        self.template = template
        self.created: Future[Any] = Future()
        self.registered: Future[Any] = Future()
        create = iotidentity.CreateKeysAndCertificateSubscriptionRequest()
        from_csr = iotidentity.CreateCertificateFromCsrSubscriptionRequest()
        register = iotidentity.RegisterThingSubscriptionRequest(template_name=template)
        for subscribed, _ in (
            self.client.subscribe_to_create_keys_and_certificate_accepted(
                create, QOS, self._created
            ),
            self.client.subscribe_to_create_keys_and_certificate_rejected(
                create, QOS, self._created
            ),
            self.client.subscribe_to_create_certificate_from_csr_accepted(
                from_csr, QOS, self._created
            ),
            self.client.subscribe_to_create_certificate_from_csr_rejected(
                from_csr, QOS, self._created
            ),
            self.client.subscribe_to_register_thing_accepted(register, QOS, self._registered),
            self.client.subscribe_to_register_thing_rejected(register, QOS, self._registered),
        ):
            subscribed.result(5)

    def _created(self, answer: Any) -> None:
        self.created.set_result(answer)

    def _registered(self, answer: Any) -> None:
        self.registered.set_result(answer)

    def create_keys(self) -> Any:
        self.created = Future()
        request = iotidentity.CreateKeysAndCertificateRequest()
        self.client.publish_create_keys_and_certificate(request, QOS).result(5)
        return self.created.result(5)

    def create_from_csr(self, csr: str) -> Any:
        self.created = Future()
        request = iotidentity.CreateCertificateFromCsrRequest(certificate_signing_request=csr)
        self.client.publish_create_certificate_from_csr(request, QOS).result(5)
        return self.created.result(5)

    def register(self, token: str, **parameters: str) -> Any:
        self.registered = Future()
        request = iotidentity.RegisterThingRequest(
            template_name=self.template, certificate_ownership_token=token, parameters=parameters
        )
        self.client.publish_register_thing(request, QOS).result(5)
        return self.registered.result(5)


@pytest.fixture
def identity(iot_certs: IotCerts, claim: tuple[Path, Path]) -> Any:
    connection = sdk_connection(iot_certs, claim, "claim-device")
    connection.connect().result(5)
    yield Identity(connection)
    connection.disconnect().result(5)


def test_fleet_provisioning_by_claim_then_the_device_reconnects(
    iot_certs: IotCerts, client: Any, identity: Identity, tmp_path: Path
) -> None:
    keys = identity.create_keys()
    assert iot_certs.get(keys.certificate_id).status == "PENDING_ACTIVATION"

    registered = identity.register(keys.certificate_ownership_token, SerialNumber="0042")

    assert registered.thing_name == "meter-0042"
    assert registered.device_configuration == {"telemetryTopic": "meters/data"}
    assert iot_certs.get(keys.certificate_id).status == "ACTIVE"
    principals = client.list_thing_principals(thingName="meter-0042")["principals"]
    assert principals == [iot_certs.get(keys.certificate_id).arn]
    cert, key = tmp_path / "device.pem", tmp_path / "device.key"
    cert.write_text(keys.certificate_pem)
    key.write_text(keys.private_key)
    device = sdk_connection(iot_certs, (cert, key), "meter-0042")
    device.connect().result(5)
    assert [c.certificate_id for c in iot_certs.mqtt.clients if c.client_id == "meter-0042"] == [
        keys.certificate_id
    ]
    device.disconnect().result(5)


def test_create_certificate_from_csr_keeps_the_device_key(
    iot_certs: IotCerts, identity: Identity
) -> None:
    created = identity.create_from_csr(csr_pem("p256"))

    issued = iot_certs.get(created.certificate_id)
    assert issued.private_key_pem is None
    assert issued.certificate.public_key().public_numbers() == (
        issued.csr.public_key().public_numbers()  # type: ignore[union-attr]
    )
    assert (
        identity.register(created.certificate_ownership_token, SerialNumber="7").thing_name
        == "meter-7"
    )


def test_an_ownership_token_is_used_once(identity: Identity) -> None:
    keys = identity.create_keys()
    identity.register(keys.certificate_ownership_token, SerialNumber="1")

    again = identity.register(keys.certificate_ownership_token, SerialNumber="1")

    assert isinstance(again, iotidentity.ErrorResponse)
    assert (again.status_code, again.error_code) == (400, "InvalidCertificateOwnershipToken")


def test_an_empty_ownership_token_is_rejected_with_aws_wording(identity: Identity) -> None:
    rejected = identity.register("", SerialNumber="1")

    assert rejected.error_message == "Certificate ownership token cannot be empty."


def test_a_claim_provisions_with_its_own_template_only(
    iot_certs: IotCerts, client: Any, claim: tuple[Path, Path]
) -> None:
    client.create_provisioning_template(
        templateName="other",
        templateBody=json.dumps(FLEET_TEMPLATE),
        provisioningRoleArn="arn:aws:iam::123456789012:role/Provisioning",
        enabled=True,
    )
    connection = sdk_connection(iot_certs, claim, "claim-device")
    connection.connect().result(5)
    other = Identity(connection, template="other")

    rejected = other.register(other.create_keys().certificate_ownership_token, SerialNumber="1")

    assert rejected.error_code == "UnauthorizedException"
    assert "other" in rejected.error_message
    connection.disconnect().result(5)


def test_the_pre_provisioning_hook_sees_the_request_and_can_refuse(
    iot_certs: IotCerts, identity: Identity
) -> None:
    seen: list[dict[str, Any]] = []

    def hook(event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event)
        return {"allowProvisioning": event["parameters"]["SerialNumber"] != "stolen"}

    iot_certs.set_pre_provisioning_hook("fleet", hook)
    keys = identity.create_keys()

    rejected = identity.register(keys.certificate_ownership_token, SerialNumber="stolen")

    assert (rejected.status_code, rejected.error_code) == (403, "AccessDeniedException")
    assert seen[0]["clientId"] == "claim-device"
    assert seen[0]["certificateId"] == keys.certificate_id


def test_a_fault_is_a_rejected_answer_with_the_error_code(
    iot_certs: IotCerts, identity: Identity
) -> None:
    iot_certs.throttle("CreateKeysAndCertificate", times=1)

    rejected = identity.create_keys()

    assert isinstance(rejected, iotidentity.ErrorResponse)
    assert (rejected.status_code, rejected.error_code) == (400, "ThrottlingException")


def test_a_transport_fault_drops_the_connection(
    iot_certs: IotCerts, claim: tuple[Path, Path]
) -> None:
    interrupted: Future[Any] = Future()
    connection = sdk_connection(
        iot_certs,
        claim,
        "claim-device",
        on_connection_interrupted=lambda connection, error, **kw: interrupted.set_result(error),
        reconnect_min_timeout_secs=1,
    )
    connection.connect().result(5)
    identity = Identity(connection)
    iot_certs.connection_error("CreateKeysAndCertificate", times=1)

    identity.client.publish_create_keys_and_certificate(
        iotidentity.CreateKeysAndCertificateRequest(), QOS
    )

    assert interrupted.result(10) is not None
    connection.disconnect().result(10)


def test_the_cbor_topics_answer_in_cbor(iot_certs: IotCerts, claim: tuple[Path, Path]) -> None:
    device = PahoDevice(iot_certs, claim, "cbor-device")
    assert device.connect()
    device.subscribe("$aws/certificates/create/cbor/accepted")
    device.subscribe("$aws/provisioning-templates/fleet/provision/cbor/+")

    device.publish("$aws/certificates/create/cbor", b"")
    created = cbor2.loads(device.next_message().payload)
    device.publish(
        "$aws/provisioning-templates/fleet/provision/cbor",
        cbor2.dumps(
            {
                "certificateOwnershipToken": created["certificateOwnershipToken"],
                "parameters": {"SerialNumber": "9"},
            }
        ),
    )

    answer = device.next_message()
    assert answer.topic == "$aws/provisioning-templates/fleet/provision/cbor/accepted"
    assert cbor2.loads(answer.payload)["thingName"] == "meter-9"
    assert set(created) == {
        "certificateId",
        "certificatePem",
        "privateKey",
        "certificateOwnershipToken",
    }
    device.close()


def test_an_undecodable_payload_is_rejected(iot_certs: IotCerts, claim: tuple[Path, Path]) -> None:
    device = PahoDevice(iot_certs, claim, "claim-device")
    assert device.connect()
    device.subscribe("$aws/certificates/create-from-csr/json/rejected")

    device.publish("$aws/certificates/create-from-csr/json", b"{not json")

    rejected = json.loads(device.next_message().payload)
    assert rejected["statusCode"] == 400 and rejected["errorMessage"]
    device.close()


def test_answers_go_to_the_requesting_connection_only(
    iot_certs: IotCerts, client: Any, claim: tuple[Path, Path], tmp_path: Path
) -> None:
    requester = PahoDevice(iot_certs, claim, "requester")
    other = iot_certs.issue_certificate()
    eavesdropper = PahoDevice(iot_certs, files_for(iot_certs, other, tmp_path / "e"), "eve")
    assert requester.connect() and eavesdropper.connect()
    for each in (requester, eavesdropper):
        each.subscribe("$aws/certificates/create/json/accepted")

    requester.publish("$aws/certificates/create/json", b"{}")

    assert json.loads(requester.next_message().payload)["privateKey"]
    assert eavesdropper.messages.empty()
    requester.close()
    eavesdropper.close()


# -- just-in-time registration and provisioning ------------------------------------------------


def register_ca(client: Any, ca: CertificateAuthority, **options: Any) -> str:
    code = client.get_registration_code()["registrationCode"]
    return str(
        client.register_ca_certificate(
            caCertificate=ca.pem,
            verificationCertificate=to_pem(ca.issue_verification_certificate(code)),
            setAsActive=True,
            allowAutoRegistration=True,
            **options,
        )["certificateId"]
    )


JITP_TEMPLATE = {
    "Parameters": {
        "AWS::IoT::Certificate::CommonName": {"Type": "String"},
        "AWS::IoT::Certificate::Id": {"Type": "String"},
    },
    "Resources": {
        "thing": {
            "Type": "AWS::IoT::Thing",
            "Properties": {"ThingName": {"Ref": "AWS::IoT::Certificate::CommonName"}},
        },
        **ACTIVATED_WITH_POLICY,
    },
}


def test_jitr_registers_the_certificate_closes_the_connection_and_publishes_the_event(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    maker = CertificateAuthority.create("Acme JITR CA")
    ca_id = register_ca(client, maker)
    watcher = PahoDevice(
        iot_certs, files_for(iot_certs, iot_certs.issue_certificate(), tmp_path / "w"), "w"
    )
    assert watcher.connect()
    watcher.subscribe("$aws/events/certificates/registered/+")
    certificate, key = maker.issue_device_certificate("pump-3")
    device = PahoDevice(iot_certs, write_pair(tmp_path, "pump", certificate, key), "pump-3")

    assert not device.connect()

    event = json.loads(watcher.next_message().payload)
    registered = iot_certs.get(event["certificateId"])
    assert registered.status == "PENDING_ACTIVATION"
    assert registered.certificate == certificate
    assert event["caCertificateId"] == ca_id
    assert event["certificateStatus"] == "PENDING_ACTIVATION"
    assert event["awsAccountId"] == iot_certs.account_id
    assert isinstance(event["timestamp"], int)
    described = client.describe_certificate(certificateId=registered.certificate_id)
    assert described["certificateDescription"]["caCertificateId"] == ca_id
    assert "connect again" in iot_certs.mqtt.refusals[0].reason
    watcher.close()


def test_jitr_after_activation_the_device_connects(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    maker = CertificateAuthority.create("Acme JITR CA")
    register_ca(client, maker)
    pair = write_pair(tmp_path, "pump", *maker.issue_device_certificate("pump-4"))
    assert not PahoDevice(iot_certs, pair, "pump-4").connect()
    event = iot_certs.mqtt.wait_for_message("$aws/events/certificates/registered/+").json()

    client.update_certificate(certificateId=event["certificateId"], newStatus="ACTIVE")

    device = PahoDevice(iot_certs, pair, "pump-4")
    assert device.connect()
    device.close()


def test_without_auto_registration_an_unregistered_certificate_is_refused(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    maker = CertificateAuthority.create("Acme CA")
    ca_id = register_ca(client, maker)
    client.update_ca_certificate(certificateId=ca_id, newAutoRegistrationStatus="DISABLE")
    pair = write_pair(tmp_path, "pump", *maker.issue_device_certificate("pump-5"))

    assert not PahoDevice(iot_certs, pair, "pump-5").connect()

    assert iot_certs.certificates == []
    assert "not registered" in iot_certs.mqtt.refusals[0].reason


def test_jitp_provisions_thing_and_policy_and_the_next_connection_succeeds(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    maker = CertificateAuthority.create("Acme JITP CA")
    register_ca(
        client,
        maker,
        registrationConfig={
            "templateBody": json.dumps(JITP_TEMPLATE),
            "roleArn": "arn:aws:iam::123456789012:role/JITP",
        },
    )
    pair = write_pair(tmp_path, "valve", *maker.issue_device_certificate("valve-12"))

    interrupted: Future[Any] = Future()
    first = sdk_connection(iot_certs, pair, "valve-12")
    with pytest.raises(Exception, match=r"(?i)hang|closed|connection"):
        first.connect().result(5)

    (certificate,) = iot_certs.certificates
    assert certificate.status == "ACTIVE"
    assert client.list_thing_principals(thingName="valve-12")["principals"] == [certificate.arn]
    assert len(client.list_attached_policies(target=certificate.arn)["policies"]) == 1
    second = sdk_connection(
        iot_certs,
        pair,
        "valve-12",
        on_connection_interrupted=lambda *a, **k: interrupted.set_result(a),
    )
    second.connect().result(5)
    assert [c.client_id for c in iot_certs.mqtt.clients] == ["valve-12"]
    second.disconnect().result(5)
    assert not interrupted.done()


def test_a_failing_jitp_template_leaves_the_certificate_pending(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    maker = CertificateAuthority.create("Acme JITP CA")
    broken = {**JITP_TEMPLATE, "Resources": {**JITP_TEMPLATE["Resources"]}}
    broken["Resources"]["policy"] = {
        "Type": "AWS::IoT::Policy",
        "Properties": {"PolicyName": "missing"},
    }
    register_ca(client, maker, registrationConfig={"templateBody": json.dumps(broken)})
    pair = write_pair(tmp_path, "valve", *maker.issue_device_certificate("valve-13"))

    assert not PahoDevice(iot_certs, pair, "valve-13").connect()

    (certificate,) = iot_certs.certificates
    assert certificate.status == "PENDING_ACTIVATION"
    assert client.list_things()["things"] == []
    assert "template failed" in iot_certs.mqtt.refusals[0].reason


def test_jitp_with_a_provisioning_template_of_type_jitp(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    client.create_provisioning_template(
        templateName="jitp",
        templateBody=json.dumps(JITP_TEMPLATE),
        provisioningRoleArn="arn:aws:iam::123456789012:role/JITP",
        enabled=True,
        type="JITP",
    )
    maker = CertificateAuthority.create("Acme JITP CA")
    register_ca(client, maker, registrationConfig={"templateName": "jitp"})
    pair = write_pair(tmp_path, "valve", *maker.issue_device_certificate("valve-14"))

    assert not PahoDevice(iot_certs, pair, "valve-14").connect()

    (certificate,) = iot_certs.certificates
    assert certificate.status == "ACTIVE" and certificate.things == {"valve-14"}


def test_an_ownership_token_expires_after_an_hour(iot_certs: IotCerts, identity: Identity) -> None:
    keys = identity.create_keys()

    iot_certs.clock.advance(3601)
    rejected = identity.register(keys.certificate_ownership_token, SerialNumber="late")

    assert (rejected.status_code, rejected.error_code) == (400, "InvalidCertificateOwnershipToken")
    assert "expired" in rejected.error_message
    assert keys.certificate_id not in {c.certificate_id for c in iot_certs.certificates}


def test_a_bug_of_ours_is_a_rejected_internal_failure_not_a_hang(
    iot_certs: IotCerts, claim: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_iotcerts._service.provisioning import Provisioning

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(Provisioning, "create_device_certificate", broken)
    device = PahoDevice(iot_certs, claim, "claim-device")
    assert device.connect()
    device.subscribe("$aws/certificates/create/json/rejected")

    device.publish("$aws/certificates/create/json", b"")

    rejected = json.loads(device.next_message().payload)
    assert (rejected["statusCode"], rejected["errorCode"]) == (500, "InternalFailureException")
    device.close()


def test_fleet_provisionings_create_certificate_from_csr_goes_through_the_provider(
    iot_certs: IotCerts, client: Any, identity: Identity
) -> None:
    from cryptography import x509

    maker = CertificateAuthority.create("Maker CA")
    iot_certs.register_ca_certificate(maker.certificate)
    client.create_certificate_provider(
        certificateProviderName="maker",
        lambdaFunctionArn="arn:aws:lambda:us-east-1:123456789012:function:sign",
        accountDefaultForOperations=["CreateCertificateFromCsr"],
    )

    def sign(event: dict[str, Any]) -> dict[str, Any]:
        csr = x509.load_pem_x509_csr(event["certificateSigningRequest"].encode())
        return {"certificatePem": to_pem(maker.issue(csr.subject, csr.public_key()))}

    iot_certs.set_certificate_provider_function("maker", sign)

    created = identity.create_from_csr(csr_pem("p256"))

    issued = iot_certs.get(created.certificate_id)
    issued.certificate.verify_directly_issued_by(maker.certificate)
    assert issued.status == "PENDING_ACTIVATION"
    assert identity.register(created.certificate_ownership_token, SerialNumber="9").thing_name
    assert iot_certs.get(created.certificate_id).status == "ACTIVE"
