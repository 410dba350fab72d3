"""Device connections: who may connect with which certificate, by AWS IoT's mutual TLS rules, and
just-in-time registration and provisioning (JITR, JITP) of certificates signed by a registered CA.

The rules, from AWS's documentation: a certificate connects when it is registered in the account
and region and ACTIVE, and the registered CA that signed it (if any) is ACTIVE. A certificate that
is not registered but is signed by a registered, ACTIVE CA with auto-registration enabled is
registered PENDING_ACTIVATION on its first connection, which is closed, and
``$aws/events/certificates/registered/CA_ID`` is published; with a provisioning template on the CA
(JITP), the template runs and activates the certificate, so the device's next connection succeeds.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography import x509

from .._aws.clock import epoch_millis
from .._aws.errors import ServiceError, not_found
from .._core.events import Disconnect
from .._core.resources import CACertificate, Certificate
from .._core.store import Connectivity
from .._engines.templates import Template
from .._x509 import crypto
from ._scope import Scope
from .provisioning import Provisioning, certificate_parameters
from .provisioning_templates import ProvisioningTemplates, checked_template
from .registration import Registration

JUST_IN_TIME = "JustInTimeRegistration"  # the operation a JITR certificate is recorded under


class ConnectionRefused(Exception):
    """AWS IoT closes the connection; ``registered`` is the certificate JITR just registered."""

    def __init__(self, reason: str, registered: Certificate | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.registered = registered


class Connections:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def admit(self, certificate_der: bytes) -> Certificate:
        """The registered, ACTIVE certificate a device connects with, or ConnectionRefused (after
        registering it just in time, when its CA says so)."""
        certificate_id = crypto.der_certificate_id(certificate_der)
        with self._scope.store.lock:
            record = self._scope.state.certificates.get(certificate_id)
            reason = None if record is None else self.refusal(record)
        if record is not None:
            if reason is not None:
                raise ConnectionRefused(reason)
            return record
        certificate = x509.load_der_x509_certificate(certificate_der)
        ca = self._auto_registering_ca(certificate)
        if ca is None:
            raise ConnectionRefused(
                f"The certificate {certificate_id} is not registered in account "
                f"{self._scope.account_id}, region {self._scope.region}."
            )
        registered, problem = self._register_just_in_time(certificate, ca)
        raise ConnectionRefused(
            f"The certificate {certificate_id} was registered just in time "
            f"({registered.status}{'; ' + problem if problem else ''}); connect again.",
            registered,
        )

    def refusal(self, certificate: Certificate) -> str | None:
        """Why ``certificate`` may not be connected, or None (call with the lock held)."""
        if certificate.status != "ACTIVE":
            return f"The certificate {certificate.certificate_id} is {certificate.status}."
        ca = self._scope.state.ca_certificates.get(certificate.ca_certificate_id or "")
        if ca is not None and ca.status != "ACTIVE":
            return (
                f"The CA certificate {ca.certificate_id} that signed the certificate "
                f"{certificate.certificate_id} is {ca.status}."
            )
        return None

    # -- lifecycle events, published by AWS IoT whatever the event configurations ------------

    def connected(self, certificate_id: str, client_id: str, session_identifier: str) -> None:
        with self._scope.store.lock:
            versions = self._scope.state.lifecycle_versions
            versions[client_id] = versions.get(client_id, -1) + 1
            self._scope.state.connectivity[client_id] = Connectivity(True, epoch_millis())
        self._lifecycle(
            "presence/connected",
            client_id,
            session_identifier,
            certificate_id,
            {"ipAddress": "127.0.0.1", "versionNumber": versions[client_id]},
        )

    def disconnected(
        self, certificate_id: str, client_id: str, session_identifier: str, reason: str
    ) -> None:
        with self._scope.store.lock:
            version = self._scope.state.lifecycle_versions.get(client_id, 0)
            self._scope.state.connectivity[client_id] = Connectivity(False, epoch_millis(), reason)
        self._lifecycle(
            "presence/disconnected",
            client_id,
            session_identifier,
            certificate_id,
            {
                "clientInitiatedDisconnect": reason == "CLIENT_INITIATED_DISCONNECT",
                "disconnectReason": reason,
                "versionNumber": version,
            },
        )

    def delete_connection(
        self, client_id: str, *, clean_session: bool, prevent_will_message: bool
    ) -> None:
        """DeleteConnection: the client's live connection is closed (lifecycle reason
        API_INITIATED_DISCONNECT); a client not connected is ResourceNotFoundException."""
        with self._scope.store.lock:
            connectivity = self._scope.state.connectivity.get(client_id)
        if connectivity is None or not connectivity.connected:
            raise not_found(f"No connection exists for client id: {client_id}")
        self._scope.store.events.disconnect(
            Disconnect(
                self._scope.account_id,
                self._scope.region,
                client_id,
                clean_session=clean_session,
                prevent_will_message=prevent_will_message,
            )
        )

    def subscribed(
        self, certificate_id: str, client_id: str, session_identifier: str, topics: list[str]
    ) -> None:
        self._lifecycle(
            "subscriptions/subscribed",
            client_id,
            session_identifier,
            certificate_id,
            {"topics": topics},
        )

    def _lifecycle(
        self,
        kind: str,
        client_id: str,
        session_identifier: str,
        certificate_id: str,
        details: dict[str, Any],
    ) -> None:
        self._scope.publish(
            f"$aws/events/{kind}/{client_id}",
            {
                "clientId": client_id,
                "timestamp": epoch_millis(),
                "eventType": kind.rsplit("/", 1)[1],
                "sessionIdentifier": session_identifier,
                "principalIdentifier": certificate_id,
                **details,
            },
        )

    def trust_anchors(self) -> list[x509.Certificate]:
        """What a TLS door must trust besides the mock's CA for every certificate above to reach
        these checks: the registered CA certificates, and registered certificates no registered
        CA signed (RegisterCertificateWithoutCA, or RegisterCertificate with caCertificatePem)."""
        with self._scope.store.lock:
            state = self._scope.state
            anchors = [ca.certificate for ca in state.ca_certificates.values()]
            anchors += [
                record.certificate
                for record in state.certificates.values()
                if record.operation.startswith("Register")
                and (record.ca_certificate_id or "") not in state.ca_certificates
            ]
        return anchors

    def _auto_registering_ca(self, certificate: x509.Certificate) -> CACertificate | None:
        with self._scope.store.lock:
            cas = [
                ca
                for ca in self._scope.state.ca_certificates.values()
                if ca.status == "ACTIVE" and ca.auto_registration_status == "ENABLE"
            ]
        return next((ca for ca in cas if crypto.is_signed_by(certificate, ca.certificate)), None)

    def _register_just_in_time(
        self, certificate: x509.Certificate, ca: CACertificate
    ) -> tuple[Certificate, str | None]:
        """Register (JITR) and provision (JITP); also why provisioning failed, if it did."""
        record = self._scope.new_certificate(
            certificate,
            status="PENDING_ACTIVATION",
            operation=JUST_IN_TIME,
            ca_certificate_id=ca.certificate_id,
        )
        Registration(self._scope).hold(record)
        event = _registered_event(record, self._scope.account_id)
        problem = None
        try:
            template = self._jitp_template(ca)
            if template is not None:
                parameters = certificate_parameters(record)
                Provisioning(self._scope).run(template, parameters, parameters)
        except ServiceError as error:  # the certificate stays PENDING_ACTIVATION
            problem = f"the CA's provisioning template failed: {error.message}"
        self._scope.publish(f"$aws/events/certificates/registered/{ca.certificate_id}", event)
        return record, problem

    def _jitp_template(self, ca: CACertificate) -> Template | None:
        config: dict[str, Any] = ca.registration_config or {}
        body = config.get("templateBody")
        if not body and config.get("templateName"):
            body = ProvisioningTemplates(self._scope).get(str(config["templateName"])).body
        if not body:
            return None
        return checked_template(body if isinstance(body, str) else json.dumps(body))


def _registered_event(record: Certificate, account_id: str) -> dict[str, Any]:
    """The JITR event's payload, as AWS's guide shows it."""
    now = epoch_millis()
    return {
        "certificateId": record.certificate_id,
        "caCertificateId": record.ca_certificate_id,
        "timestamp": now,
        "certificateStatus": record.status,
        "awsAccountId": account_id,
        "certificateRegistrationTimestamp": now,
    }
