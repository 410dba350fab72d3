"""Seeding: state that exists before the code under test runs (or that a device would change
meanwhile), made through the same service layer the API calls reach, so the same rules apply (a
rule broken raises its ServiceError). No call is recorded and no fault fires."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from cryptography import x509

from .._core.resources import CACertificate, Certificate, JobExecution, Policy, Thing
from .._core.store import Store
from .._service import IotService
from .._x509 import crypto

SEEDABLE_STATUSES = ("ACTIVE", "INACTIVE", "REVOKED", "PENDING_ACTIVATION")
DEFAULT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}],
}


class Seeding:
    """``issue_certificate``, ``register_certificate``, ``create_thing``, ...; part of
    ``IotCerts``."""

    _store: Store

    if TYPE_CHECKING:  # from the other parts of IotCerts

        def service(
            self, account_id: str | None = None, region: str | None = None
        ) -> IotService: ...

    def issue_certificate(
        self,
        *,
        csr: str | x509.CertificateSigningRequest | None = None,
        status: str = "ACTIVE",
        account_id: str | None = None,
        region: str | None = None,
    ) -> Certificate:
        """Issue a certificate as CreateKeysAndCertificate (no ``csr``) or
        CreateCertificateFromCsr would, without a call; CSR rules apply."""
        _check_status(status)
        certificates = self.service(account_id, region).certificates
        if csr is None:
            return certificates.create_with_keys(status)
        pem = csr if isinstance(csr, str) else crypto.csr_pem(csr)
        return certificates.create_from_csr(pem, status)

    def register_certificate(
        self,
        certificate: str | x509.Certificate,
        *,
        ca_certificate: str | x509.Certificate | None = None,
        without_ca: bool = False,
        status: str = "ACTIVE",
        account_id: str | None = None,
        region: str | None = None,
    ) -> Certificate:
        """Register a certificate made elsewhere, as RegisterCertificate (or ...WithoutCA)
        would, without a call; the same chain and key rules apply."""
        _check_status(status)
        registration = self.service(account_id, region).registration
        if without_ca:
            return registration.register_without_ca(_as_pem(certificate), status=status)
        return registration.register(
            _as_pem(certificate),
            status=status,
            ca_certificate_pem=None if ca_certificate is None else _as_pem(ca_certificate),
        )

    def register_ca_certificate(
        self,
        ca_certificate: str | x509.Certificate,
        *,
        status: str = "ACTIVE",
        account_id: str | None = None,
        region: str | None = None,
    ) -> CACertificate:
        """Register a CA certificate (no verification certificate needed when seeding)."""
        if status not in ("ACTIVE", "INACTIVE"):
            raise ValueError(f"a CA certificate is ACTIVE or INACTIVE, not {status!r}")
        cas = self.service(account_id, region).ca_certificates
        return cas.add(_as_pem(ca_certificate), status=status)

    def create_thing(
        self,
        name: str,
        *,
        attributes: dict[str, str] | None = None,
        principals: Iterable[str | Certificate] = (),
        account_id: str | None = None,
        region: str | None = None,
    ) -> Thing:
        """Create a thing and attach principals (certificates or their ARNs) to it."""
        things = self.service(account_id, region).things
        thing = things.create(name, attributes=attributes)
        for principal in principals:
            things.attach_principal(name, _principal(principal))
        return thing

    def create_policy(
        self,
        name: str,
        document: str | dict[str, Any] | None = None,
        *,
        targets: Iterable[str | Certificate] = (),
        account_id: str | None = None,
        region: str | None = None,
    ) -> Policy:
        """Create a policy (by default one allowing iot:Connect) and attach it to targets."""
        text = document if isinstance(document, str) else json.dumps(document or DEFAULT_POLICY)
        policies = self.service(account_id, region).policies
        policy = policies.create(name, text)
        for target in targets:
            policies.attach(name, _principal(target))
        return policy

    def report_job_execution(
        self,
        job_id: str,
        thing_name: str,
        status: str,
        *,
        details: dict[str, str] | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> JobExecution:
        """Move a job execution on as the thing's job agent would (UpdateJobExecution):
        IN_PROGRESS, SUCCEEDED, FAILED or REJECTED; the job completes as on AWS."""
        executions = self.service(account_id, region).job_executions
        return executions.report(job_id, thing_name, status, details=details)

    def set_pre_provisioning_hook(
        self,
        template_name: str,
        hook: Callable[[dict[str, Any]], dict[str, Any]] | None,
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """Stand in for the template's pre-provisioning Lambda: ``hook`` gets AWS's event
        (``claimCertificateId``, ``certificateId``, ``certificatePem``, ``templateArn``,
        ``clientId``, ``parameters``) and answers as the Lambda would (``allowProvisioning``,
        optional ``parameterOverrides``). None removes it."""
        self.service(account_id, region).provisioning_templates.set_hook(template_name, hook)

    def set_authorizer_function(
        self,
        authorizer_name: str,
        function: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """Stand in for a custom authorizer's Lambda: ``function`` gets AWS's event (``token``,
        ``signatureVerified``, ``protocols``, ``protocolData`` with the MQTT ``username``,
        base64 ``password`` and ``clientId``, ``connectionMetadata``) and answers as the Lambda
        would (``isAuthenticated``, ``principalId``, ``policyDocuments``,
        ``disconnectAfterInSeconds``, ``refreshAfterInSeconds``). Devices that connect without
        a certificate and TestInvokeAuthorizer both reach it."""
        self.service(account_id, region).custom_auth.register(authorizer_name, function)

    def set_certificate_provider_function(
        self,
        provider_name: str,
        function: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """Stand in for a certificate provider's Lambda: ``function`` gets
        ``{"certificateSigningRequest": PEM, "principalId": ..., "clientId": ...}`` and answers
        ``{"certificatePem": PEM}``, a certificate for the CSR's key signed by a CA registered
        in the account (CreateCertificateFromCsr over HTTP and in fleet provisioning)."""
        self.service(account_id, region).certificate_providers.register(provider_name, function)

    def put_s3_object(
        self,
        bucket: str,
        key: str,
        data: bytes | str,
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """Hand the mock an S3 object AWS IoT would read (a bulk registration's input file)
        when moto's ``mock_aws()`` is not active to hold it; ``s3_object`` reads what the mock
        wrote (a task's reports)."""
        raw = data.encode() if isinstance(data, str) else data
        with self._store.lock:
            self.service(account_id, region).scope.state.s3_objects[(bucket, key)] = raw

    def s3_object(
        self, bucket: str, key: str, *, account_id: str | None = None, region: str | None = None
    ) -> bytes | None:
        """An S3 object the mock holds (when moto is not active), or None."""
        with self._store.lock:
            return self.service(account_id, region).scope.state.s3_objects.get((bucket, key))


def _check_status(status: str) -> None:
    if status not in SEEDABLE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(SEEDABLE_STATUSES)}, not {status!r}")


def _as_pem(value: str | x509.Certificate) -> str:
    return value if isinstance(value, str) else crypto.to_pem(value)


def _principal(value: str | Certificate) -> str:
    return value.arn if isinstance(value, Certificate) else value
