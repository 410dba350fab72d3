"""Certificate providers: with one that is the account's default for CreateCertificateFromCsr,
the provider's Lambda (a callable the test registers) signs the CSR with the customer's own CA,
over HTTP and in fleet provisioning over MQTT; the certificate must chain to a registered CA."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography import x509
from csrs import csr_pem

from pytest_iotcerts import CertificateAuthority, IotCerts, to_pem

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:sign-with-private-ca"


class PrivateCa:
    """The customer's own CA, signing whatever CSR its Lambda is handed."""

    def __init__(self) -> None:
        self.ca = CertificateAuthority.create("Private Device CA")
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        csr = x509.load_pem_x509_csr(event["certificateSigningRequest"].encode())
        return {"certificatePem": to_pem(self.ca.issue(csr.subject, csr.public_key()))}


@pytest.fixture
def private_ca(iot_certs: IotCerts, client: Any) -> PrivateCa:
    signer = PrivateCa()
    iot_certs.register_ca_certificate(signer.ca.certificate)
    client.create_certificate_provider(
        certificateProviderName="private-ca",
        lambdaFunctionArn=LAMBDA,
        accountDefaultForOperations=["CreateCertificateFromCsr"],
    )
    iot_certs.set_certificate_provider_function("private-ca", signer)
    return signer


def test_create_certificate_from_csr_is_signed_by_the_provider(
    iot_certs: IotCerts, client: Any, private_ca: PrivateCa
) -> None:
    request = csr_pem("p256")

    created = client.create_certificate_from_csr(
        certificateSigningRequest=request, setAsActive=True
    )

    issued = x509.load_pem_x509_certificate(created["certificatePem"].encode())
    issued.verify_directly_issued_by(private_ca.ca.certificate)
    assert private_ca.events[-1]["certificateSigningRequest"] == request
    description = client.describe_certificate(certificateId=created["certificateId"])
    assert description["certificateDescription"]["status"] == "ACTIVE"
    assert description["certificateDescription"]["caCertificateId"] == (
        iot_certs.ca_certificates[0].certificate_id
    )


def test_a_certificate_that_chains_to_no_registered_ca_is_refused(
    iot_certs: IotCerts, client: Any
) -> None:
    client.create_certificate_provider(
        certificateProviderName="rogue",
        lambdaFunctionArn=LAMBDA,
        accountDefaultForOperations=["CreateCertificateFromCsr"],
    )
    iot_certs.set_certificate_provider_function("rogue", PrivateCa())  # its CA is not registered

    with pytest.raises(client.exceptions.CertificateValidationException):
        client.create_certificate_from_csr(certificateSigningRequest=csr_pem("p256"))
    assert iot_certs.certificates == []


def test_the_provider_is_described_listed_updated_and_deleted(
    client: Any, private_ca: PrivateCa
) -> None:
    described = client.describe_certificate_provider(certificateProviderName="private-ca")
    assert described["lambdaFunctionArn"] == LAMBDA
    assert described["accountDefaultForOperations"] == ["CreateCertificateFromCsr"]
    assert described["certificateProviderArn"].endswith(":certprovider/private-ca")
    listed = client.list_certificate_providers()["certificateProviders"]
    assert [p["certificateProviderName"] for p in listed] == ["private-ca"]

    client.update_certificate_provider(
        certificateProviderName="private-ca", lambdaFunctionArn=LAMBDA + "-v2"
    )
    assert client.describe_certificate_provider(certificateProviderName="private-ca")[
        "lambdaFunctionArn"
    ].endswith("-v2")

    with pytest.raises(client.exceptions.LimitExceededException):
        client.create_certificate_provider(
            certificateProviderName="second",
            lambdaFunctionArn=LAMBDA,
            accountDefaultForOperations=["CreateCertificateFromCsr"],
        )
    client.delete_certificate_provider(certificateProviderName="private-ca")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_certificate_provider(certificateProviderName="private-ca")


def test_without_a_provider_the_mocks_ca_signs(iot_certs: IotCerts, client: Any) -> None:
    created = client.create_certificate_from_csr(certificateSigningRequest=csr_pem("p256"))

    issued = x509.load_pem_x509_certificate(created["certificatePem"].encode())
    issued.verify_directly_issued_by(iot_certs.ca_certificate)


def test_only_create_certificate_from_csr_can_be_delegated(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.create_certificate_provider(
            certificateProviderName="p",
            lambdaFunctionArn=LAMBDA,
            accountDefaultForOperations=["CreateKeysAndCertificate"],
        )


def test_with_moto_the_providers_lambda_in_moto_signs(iot_certs: IotCerts, client: Any) -> None:
    from csrs import csr, key
    from moto import mock_aws
    from moto.awslambda_simple.models import lambda_simple_backends
    from test_rules_engine import moto_function

    signer = PrivateCa()
    iot_certs.register_ca_certificate(signer.ca.certificate)
    request = csr("p384")
    signed = signer.ca.issue(request.subject, key("p384").public_key())
    with mock_aws(config={"lambda": {"use_docker": False}}):
        arn = moto_function("sign-with-private-ca")
        client.create_certificate_provider(
            certificateProviderName="private-ca",
            lambdaFunctionArn=arn,
            accountDefaultForOperations=["CreateCertificateFromCsr"],
        )
        # what the function answers (moto's Docker-free Lambda answers what a test queues)
        backend = lambda_simple_backends["123456789012"]["us-east-1"]
        backend.lambda_simple_results_queue.append(json.dumps({"certificatePem": to_pem(signed)}))

        created = client.create_certificate_from_csr(
            certificateSigningRequest=to_pem(request), setAsActive=True
        )

    issued = x509.load_pem_x509_certificate(created["certificatePem"].encode())
    issued.verify_directly_issued_by(signer.ca.certificate)
    assert iot_certs.get(created["certificateId"]).status == "ACTIVE"
