"""UpdateCertificate and DeleteCertificate with AWS's state rules."""

from __future__ import annotations

import time
from typing import Any

import pytest
from csrs import csr

from pytest_iotcerts import IotCerts


def new_certificate(iot_certs: IotCerts, status: str = "INACTIVE") -> str:
    return iot_certs.issue_certificate(csr=csr("p256"), status=status).certificate_id


def describe(client: Any, certificate_id: str) -> dict[str, Any]:
    return client.describe_certificate(certificateId=certificate_id)["certificateDescription"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("start", "new"),
    [
        ("INACTIVE", "ACTIVE"),
        ("ACTIVE", "INACTIVE"),
        ("ACTIVE", "REVOKED"),
        ("INACTIVE", "REVOKED"),
        ("PENDING_ACTIVATION", "ACTIVE"),
    ],
)
def test_valid_transitions_change_status_and_modification_data(
    iot_certs: IotCerts, client: Any, start: str, new: str
) -> None:
    certificate_id = new_certificate(iot_certs, start)
    before = describe(client, certificate_id)
    time.sleep(0.002)

    client.update_certificate(certificateId=certificate_id, newStatus=new)

    after = describe(client, certificate_id)
    assert after["status"] == new
    assert iot_certs.get(certificate_id).status == new
    assert after["lastModifiedDate"] > before["lastModifiedDate"]
    assert after["customerVersion"] == before["customerVersion"] + 1
    assert after["creationDate"] == before["creationDate"]


def test_setting_the_same_status_is_idempotent(iot_certs: IotCerts, client: Any) -> None:
    certificate_id = new_certificate(iot_certs, "ACTIVE")

    client.update_certificate(certificateId=certificate_id, newStatus="ACTIVE")

    assert describe(client, certificate_id)["customerVersion"] == 1


@pytest.mark.parametrize("new", ["ACTIVE", "INACTIVE"])
def test_revoked_is_terminal(iot_certs: IotCerts, client: Any, new: str) -> None:
    certificate_id = new_certificate(iot_certs, "REVOKED")

    with pytest.raises(client.exceptions.CertificateStateException) as raised:
        client.update_certificate(certificateId=certificate_id, newStatus=new)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 406
    assert "revoked" in raised.value.response["Error"]["Message"]
    assert iot_certs.get(certificate_id).status == "REVOKED"
    client.update_certificate(certificateId=certificate_id, newStatus="REVOKED")


@pytest.mark.parametrize("new", ["PENDING_TRANSFER", "PENDING_ACTIVATION", "REGISTER_INACTIVE"])
def test_service_owned_statuses_cannot_be_set(iot_certs: IotCerts, client: Any, new: str) -> None:
    certificate_id = new_certificate(iot_certs)

    with pytest.raises(client.exceptions.InvalidRequestException, match=new):
        client.update_certificate(certificateId=certificate_id, newStatus=new)

    assert iot_certs.get(certificate_id).status == "INACTIVE"


def test_an_unknown_status_is_an_invalid_request(iot_certs: IotCerts, client: Any) -> None:
    certificate_id = new_certificate(iot_certs)

    with pytest.raises(client.exceptions.InvalidRequestException, match="enum value set"):
        client.update_certificate(certificateId=certificate_id, newStatus="BOGUS")


def test_updating_an_unknown_certificate_is_not_found(iot_certs: IotCerts, client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.update_certificate(certificateId="c" * 64, newStatus="ACTIVE")


def test_an_active_certificate_cannot_be_deleted(iot_certs: IotCerts, client: Any) -> None:
    certificate_id = new_certificate(iot_certs, "ACTIVE")

    with pytest.raises(client.exceptions.CertificateStateException) as raised:
        client.delete_certificate(certificateId=certificate_id, forceDelete=True)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 406
    assert "must be deactivated" in raised.value.response["Error"]["Message"]
    iot_certs.assert_status(certificate_id, "ACTIVE")


@pytest.mark.parametrize("status", ["INACTIVE", "REVOKED"])
def test_deleting_removes_it_everywhere(iot_certs: IotCerts, client: Any, status: str) -> None:
    certificate_id = new_certificate(iot_certs, status)

    client.delete_certificate(certificateId=certificate_id)

    assert iot_certs.certificates == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        describe(client, certificate_id)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_certificate(certificateId=certificate_id)


def test_an_attached_thing_blocks_delete_even_when_forced(iot_certs: IotCerts, client: Any) -> None:
    certificate = iot_certs.issue_certificate(csr=csr("p256"), status="INACTIVE")
    iot_certs.create_thing("sensor-1", principals=[certificate])

    for force in (False, True):
        with pytest.raises(
            client.exceptions.DeleteConflictException, match="Things must be detached"
        ) as raised:
            client.delete_certificate(certificateId=certificate.certificate_id, forceDelete=force)
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    client.detach_thing_principal(thingName="sensor-1", principal=certificate.arn)
    client.delete_certificate(certificateId=certificate.certificate_id)


def test_an_attached_policy_blocks_delete_unless_forced(iot_certs: IotCerts, client: Any) -> None:
    certificate = iot_certs.issue_certificate(csr=csr("p256"), status="INACTIVE")
    iot_certs.create_policy("connect", targets=[certificate])
    iot_certs.create_policy("publish", targets=[certificate])

    with pytest.raises(
        client.exceptions.DeleteConflictException, match="policies must be detached"
    ):
        client.delete_certificate(certificateId=certificate.certificate_id)
    client.delete_certificate(certificateId=certificate.certificate_id, forceDelete=True)

    # No dangling attachment anywhere: the policies no longer target it.
    assert client.list_targets_for_policy(policyName="connect")["targets"] == []
    assert all(not policy.targets for policy in iot_certs.policies)
    client.delete_policy(policyName="connect")
