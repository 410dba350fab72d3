"""The controller's seeding, visibility and assertion helpers, and a whole lifecycle walk."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from csrs import csr, csr_pem

from pytest_iotcerts import CertificateAuthority, IotCerts, ServiceError


def test_a_certificate_walks_issue_activation_attachment_transfer_revocation_deletion(
    iot_certs: IotCerts, client: Any
) -> None:
    target = boto3.client("iot", **iot_certs.credentials_for("210987654321"))
    certificate_id = client.create_certificate_from_csr(certificateSigningRequest=csr_pem("p384"))[
        "certificateId"
    ]
    certificate = iot_certs.get(certificate_id)
    assert certificate.status == "INACTIVE"

    client.update_certificate(certificateId=certificate_id, newStatus="ACTIVE")
    assert certificate.status == "ACTIVE"  # live
    client.create_thing(thingName="sensor")
    client.attach_thing_principal(thingName="sensor", principal=certificate.arn)
    client.create_policy(policyName="connect", policyDocument='{"Statement": []}')
    client.attach_policy(policyName="connect", target=certificate.arn)
    iot_certs.assert_attached(certificate_id, thing="sensor", policy="connect")

    client.update_certificate(certificateId=certificate_id, newStatus="INACTIVE")
    client.detach_policy(policyName="connect", target=certificate.arn)
    client.detach_thing_principal(thingName="sensor", principal=certificate.arn)
    client.transfer_certificate(certificateId=certificate_id, targetAwsAccount="210987654321")
    assert certificate.status == "PENDING_TRANSFER"
    target.accept_certificate_transfer(certificateId=certificate_id, setAsActive=True)
    assert (certificate.account_id, certificate.status) == ("210987654321", "ACTIVE")

    target.update_certificate(certificateId=certificate_id, newStatus="REVOKED")
    target.delete_certificate(certificateId=certificate_id)
    assert iot_certs.certificates == []
    iot_certs.assert_certificate_count(0)


def test_seed_an_existing_fleet(iot_certs: IotCerts, client: Any) -> None:
    fleet = [iot_certs.issue_certificate() for _ in range(2)]
    from_csr = iot_certs.issue_certificate(csr=csr("p256"), status="REVOKED")
    maker = CertificateAuthority.create("Acme CA")
    iot_certs.register_ca_certificate(maker.certificate)
    registered = iot_certs.register_certificate(maker.issue_device_certificate("d1")[0])
    iot_certs.create_thing("gateway", attributes={"site": "berlin"}, principals=[fleet[0]])
    iot_certs.create_policy("connect", targets=[fleet[0], fleet[1].arn])

    listed = {c["certificateId"]: c["status"] for c in client.list_certificates()["certificates"]}
    assert listed == {
        fleet[0].certificate_id: "ACTIVE",
        fleet[1].certificate_id: "ACTIVE",
        from_csr.certificate_id: "REVOKED",
        registered.certificate_id: "ACTIVE",
    }
    assert fleet[0].private_key is not None
    assert from_csr.csr is not None
    assert registered.ca_certificate_id == iot_certs.ca_certificates[0].certificate_id
    assert client.list_thing_principals(thingName="gateway")["principals"] == [fleet[0].arn]
    assert client.describe_thing(thingName="gateway")["attributes"] == {"site": "berlin"}
    assert fleet[1].policies == {"connect"}
    assert [p.name for p in iot_certs.policies] == ["connect"]
    # Seeding is not a call of the code under test.
    assert [c.operation for c in iot_certs.calls] == [
        "ListCertificates",
        "ListThingPrincipals",
        "DescribeThing",
    ]


def test_seeding_obeys_the_services_rules(iot_certs: IotCerts) -> None:
    with pytest.raises(ServiceError, match="RSA key of 1024 bits"):
        iot_certs.issue_certificate(csr=csr("rsa1024"))
    with pytest.raises(ServiceError, match="does not chain"):
        iot_certs.register_certificate(
            CertificateAuthority.create("x").issue_device_certificate()[0]
        )
    with pytest.raises(ValueError, match="status must be one of"):
        iot_certs.issue_certificate(status="PENDING_TRANSFER")
    assert iot_certs.certificates == []


def test_seeding_in_another_account_and_region(iot_certs: IotCerts) -> None:
    seeded = iot_certs.issue_certificate(
        csr=csr("p256"), account_id="210987654321", region="ap-northeast-1"
    )
    other = boto3.client(
        "iot", region_name="ap-northeast-1", **iot_certs.credentials_for("210987654321")
    )

    assert seeded.arn == f"arn:aws:iot:ap-northeast-1:210987654321:cert/{seeded.certificate_id}"
    assert other.describe_certificate(certificateId=seeded.certificate_id)


def test_assertion_helpers_show_what_was_there(iot_certs: IotCerts, client: Any) -> None:
    certificate = iot_certs.issue_certificate(csr=csr("p256"), status="INACTIVE")
    client.describe_certificate(certificateId=certificate.certificate_id)

    iot_certs.assert_status(certificate.certificate_id, "INACTIVE")
    with pytest.raises(AssertionError, match="to be ACTIVE, but it is INACTIVE"):
        iot_certs.assert_status(certificate.certificate_id, "ACTIVE")
    with pytest.raises(AssertionError, match=r"the service holds <Certificate"):
        iot_certs.assert_status("0" * 64, "ACTIVE")

    iot_certs.assert_certificate_count(1, status="INACTIVE")
    with pytest.raises(
        AssertionError, match=r"expected 2 certificate\(s\) \(status=ACTIVE\), found 0"
    ):
        iot_certs.assert_certificate_count(2, status="ACTIVE")

    with pytest.raises(AssertionError, match=r"attached: things \[\], policies \[\]"):
        iot_certs.assert_attached(certificate.certificate_id, thing="sensor")

    assert len(iot_certs.assert_called("DescribeCertificate", times=1, error_code="ok")) == 1
    with pytest.raises(AssertionError, match="calls made: DescribeCertificate->200"):
        iot_certs.assert_called("UpdateCertificate")


def test_credentials_for_maps_an_access_key_to_an_account(iot_certs: IotCerts) -> None:
    credentials = iot_certs.credentials_for("210987654321")
    other = boto3.client("iot", **credentials)

    arn = other.create_keys_and_certificate()["certificateArn"]

    assert arn.startswith("arn:aws:iot:us-east-1:210987654321:cert/")
    assert len(credentials["aws_access_key_id"]) == 20
    with pytest.raises(ValueError, match="12 digits"):
        iot_certs.credentials_for("nope")


def test_device_files_load_into_a_tls_context(iot_certs: IotCerts, tmp_path: Any) -> None:
    import ssl

    from cryptography import x509 as x509_module

    issued = iot_certs.issue_certificate()
    files = iot_certs.write_device_files(issued, tmp_path / "device")

    context = ssl.create_default_context(cafile=str(files.ca))
    assert files.private_key is not None
    context.load_cert_chain(str(files.certificate), str(files.private_key))
    on_disk = x509_module.load_pem_x509_certificate(files.certificate.read_bytes())
    on_disk.verify_directly_issued_by(x509_module.load_pem_x509_certificate(files.ca.read_bytes()))
    assert files.certificate.name == f"{issued.certificate_id[:10]}-certificate.pem.crt"
    assert oct(files.private_key.stat().st_mode & 0o777) == "0o600"


def test_a_csr_certificate_has_no_key_file(iot_certs: IotCerts, tmp_path: Any) -> None:
    from cryptography import x509 as x509_module
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509_module.CertificateSigningRequestBuilder()
        .subject_name(x509_module.Name([x509_module.NameAttribute(NameOID.COMMON_NAME, "d")]))
        .sign(key, hashes.SHA256())
    )
    files = iot_certs.write_device_files(iot_certs.issue_certificate(csr=csr), tmp_path)

    assert files.private_key is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        files.certificate.name,
        "root-ca.pem",
    ]
