"""Certificate providers: with one that is the account's default for CreateCertificateFromCsr,
AWS IoT hands the CSR to the provider's Lambda, which signs it with the customer's own CA. In
the mock the Lambda is a Python callable the test registers
(``iot_certs.set_certificate_provider_function``), or, with moto's ``mock_aws()`` active, the
function in moto's Lambda: it gets ``{"certificateSigningRequest": PEM, "principalId": ...,
"clientId": ...}`` and answers ``{"certificatePem": PEM}``. The certificate
must be for the CSR's key and chain to a CA certificate registered and ACTIVE in the account;
from there AWS's rules apply as to any registered device certificate (its id, its status, its
``caCertificateId``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, already_exists, invalid_request, not_found
from .._aws.moto import invoke_lambda, moto_active
from .._core.resources import CACertificate, CertificateProvider
from .._x509 import crypto, input_rules
from ._scope import Scope

ProviderFunction = Callable[[dict[str, Any]], Mapping[str, Any]]
OPERATIONS = ("CreateCertificateFromCsr",)
MAX_PROVIDERS = 1  # AWS IoT's quota: one certificate provider per account


class CertificateProviders:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, settings: dict[str, Any]) -> CertificateProvider:
        _check_operations(settings.get("accountDefaultForOperations"))
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.certificate_providers.get(name)
            if existing is not None:
                raise already_exists(
                    f"The certificate provider {name} already exists.", name, existing.arn
                )
            if len(state.certificate_providers) >= MAX_PROVIDERS:
                raise ServiceError(
                    "LimitExceededException",
                    f"An account has at most {MAX_PROVIDERS} certificate provider.",
                )
            provider = state.certificate_providers[name] = CertificateProvider(
                name, **self._scope.placement, settings=settings
            )
            return provider

    def get(self, name: str) -> CertificateProvider:
        with self._scope.store.lock:
            provider = self._scope.state.certificate_providers.get(name)
        if provider is None:
            raise not_found(f"The certificate provider {name} does not exist.")
        return provider

    def update(self, name: str, changes: dict[str, Any]) -> CertificateProvider:
        if "accountDefaultForOperations" in changes:
            _check_operations(changes["accountDefaultForOperations"])
        with self._scope.store.lock:
            provider = self.get(name)
            provider.settings.update(changes)
            provider.last_modified_date = timestamp()
            return provider

    def delete(self, name: str) -> None:
        state = self._scope.state
        with self._scope.store.lock:
            provider = self.get(name)
            state.tags.pop(provider.arn, None)
            del state.certificate_providers[name]
            state.provider_functions.pop(name, None)

    def select(self) -> list[CertificateProvider]:
        with self._scope.store.lock:
            return list(self._scope.state.certificate_providers.values())

    def register(self, name: str, function: ProviderFunction) -> None:
        with self._scope.store.lock:
            self._scope.state.provider_functions[name] = function

    # -- signing -------------------------------------------------------------------------------

    def sign(
        self, csr_pem: str, *, principal_id: str | None = None, client_id: str | None = None
    ) -> tuple[x509.Certificate, CACertificate] | None:
        """The provider's certificate for ``csr_pem`` and the registered CA it chains to; None
        when no provider is the account's default for CreateCertificateFromCsr."""
        provider = next(
            (p for p in self.select() if "CreateCertificateFromCsr" in p.operations), None
        )
        if provider is None:
            return None
        csr = input_rules.load_csr(csr_pem)  # AWS's CSR rules hold first
        function = self._function(provider)
        event = {"certificateSigningRequest": csr_pem, "principalId": principal_id}
        if client_id is not None:
            event["clientId"] = client_id
        try:
            answered = function(event)
            pem = str(answered["certificatePem"])
        except Exception as error:  # the Lambda failed, or answered without a certificate
            raise invalid_request(f"The certificate provider failed: {error!r}") from None
        certificate = input_rules.load_certificate(pem, "certificatePem")
        if _public_der(certificate) != _public_der(csr):
            raise invalid_request(
                "The certificate provider's certificate is not for the CSR's key."
            )
        return certificate, self._issuer(certificate)

    def _function(self, provider: CertificateProvider) -> ProviderFunction:
        """The callable the test registered for the provider; else, with moto's ``mock_aws()``
        active, its Lambda in moto, invoked as AWS IoT invokes it."""
        function = self._scope.state.provider_functions.get(provider.name)
        if function is not None:
            return function
        arn = str(provider.settings.get("lambdaFunctionArn"))
        if moto_active():
            region = self._scope.region
            return lambda event: invoke_lambda(region, arn, json.dumps(event).encode(), wait=True)
        raise ServiceError(
            "InternalFailureException",
            f"No function answers for the certificate provider {provider.name} (its Lambda "
            f"{arn}): register one with iot_certs.set_certificate_provider_function, or create "
            "the function in moto's mock_aws().",
        )

    def _issuer(self, certificate: x509.Certificate) -> CACertificate:
        with self._scope.store.lock:
            cas = list(self._scope.state.ca_certificates.values())
        for ca in cas:
            if crypto.is_signed_by(certificate, ca.certificate):
                if ca.status != "ACTIVE":
                    raise ServiceError(
                        "CertificateStateException",
                        f"The CA certificate {ca.certificate_id} that signed the provider's "
                        "certificate is not ACTIVE.",
                    )
                return ca
        raise ServiceError(
            "CertificateValidationException",
            "The certificate provider's certificate does not chain to a CA certificate "
            "registered in this account and region.",
        )


def _check_operations(operations: Any) -> None:
    if not isinstance(operations, list) or len(operations) != 1 or operations[0] not in OPERATIONS:
        raise invalid_request(
            f"accountDefaultForOperations is one of {', '.join(OPERATIONS)}, as a list of one."
        )


def _public_der(item: x509.Certificate | x509.CertificateSigningRequest) -> bytes:
    return item.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
