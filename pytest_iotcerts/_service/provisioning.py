"""Provisioning with templates: RegisterThing, claim certificates, and fleet provisioning.

A template is evaluated by the engine (``_engines.templates``) into resources; ``_Applier`` makes
them real through the other parts of the service layer, recording how to undo each step, so a
resource that fails leaves nothing created or changed, and the error names it. The fleet
provisioning calls a device makes over MQTT (``create_device_certificate``,
``provision_device``) are here too, so every door runs the same code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from cryptography.x509.oid import NameOID

from .._aws.clock import x509_time
from .._aws.errors import ServiceError, invalid_request
from .._core.resources import Certificate, Policy, ProvisioningTemplate, Thing
from .._engines.template_model import (
    CERTIFICATE,
    POLICY,
    THING,
    Evaluation,
    Resource,
    TemplateError,
)
from .._engines.templates import Template
from .._x509 import crypto, input_rules
from ._scope import Scope
from .certificates import Certificates
from .groups import BillingGroups, ThingGroups
from .policies import Policies
from .provisioning_templates import ProvisioningTemplates, checked_template
from .registration import Registration
from .things import Things

CLAIM_LIFETIME = dt.timedelta(minutes=5)  # AWS's: a claim certificate is valid for five minutes
TOKEN_LIFETIME = 3600.0  # AWS's: an ownership token expires after one hour
_SUBJECT_PARAMETERS = {
    "CommonName": NameOID.COMMON_NAME,
    "Country": NameOID.COUNTRY_NAME,
    "Organization": NameOID.ORGANIZATION_NAME,
    "OrganizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "DistinguishedNameQualifier": NameOID.DN_QUALIFIER,
    "StateName": NameOID.STATE_OR_PROVINCE_NAME,
    "SerialNumber": NameOID.SERIAL_NUMBER,
}


@dataclass
class Provisioned:
    """What a template provisioned: the ARNs by logical name, and the resources themselves."""

    resource_arns: dict[str, str] = field(default_factory=dict)
    certificate: Certificate | None = None
    thing: Thing | None = None
    policies: list[Policy] = field(default_factory=list)
    device_configuration: dict[str, Any] = field(default_factory=dict)


def failure(resource: Resource, message: str) -> ServiceError:
    return ServiceError(
        "ResourceRegistrationFailureException",
        f"Resource {resource.logical_name} ({resource.type}): {message}",
    )


def certificate_parameters(certificate: Certificate) -> dict[str, str]:
    """The ``AWS::IoT::Certificate::*`` values AWS fills in for the certificate provisioned."""
    values = {"AWS::IoT::Certificate::Id": certificate.certificate_id}
    for name, oid in _SUBJECT_PARAMETERS.items():
        found = certificate.certificate.subject.get_attributes_for_oid(oid)
        if found:
            values[f"AWS::IoT::Certificate::{name}"] = str(found[0].value)
    return values


class Provisioning:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def register_thing(self, body: str, parameters: dict[str, str]) -> Provisioned:
        """RegisterThing: run a template body with parameters."""
        return self.run(checked_template(body), parameters)

    def run(
        self, template: Template, parameters: dict[str, str], pseudo: dict[str, str] | None = None
    ) -> Provisioned:
        """Evaluate and apply a template; all of it, or nothing."""
        pseudo = {
            "AWS::Region": self._scope.region,
            "AWS::AccountId": self._scope.account_id,
            **(pseudo or {}),
        }
        try:
            evaluation = template.evaluate(parameters, pseudo)
        except TemplateError as error:
            raise invalid_request(str(error)) from None
        prepared = self._prepare(evaluation)  # signing happens before the lock
        with self._scope.store.lock:
            return _Applier(self._scope, prepared).apply(evaluation)

    def _prepare(self, evaluation: Evaluation) -> dict[str, Certificate]:
        prepared = {}
        for resource in evaluation.of_type(CERTIFICATE):
            csr = resource.properties.get("CertificateSigningRequest")
            if csr is not None:
                try:
                    prepared[resource.logical_name] = Certificates(self._scope).prepare_from_csr(
                        str(csr), _status(resource), "RegisterThing"
                    )
                except ServiceError as error:
                    raise failure(resource, error.message) from None
        return prepared

    def create_claim(self, template_name: str) -> Certificate:
        """CreateProvisioningClaim: an ACTIVE certificate with keys, valid for five minutes,
        good only for provisioning with this template."""
        self._enabled_template(template_name)
        return Certificates(self._scope).create_with_keys(
            "ACTIVE",
            operation="CreateProvisioningClaim",
            not_after=x509_time() + CLAIM_LIFETIME,
            provisioning_template=template_name,
        )

    def create_device_certificate(self, csr_pem: str | None = None) -> tuple[Certificate, str]:
        """Fleet provisioning's CreateKeysAndCertificate / CreateCertificateFromCsr over MQTT: a
        PENDING_ACTIVATION certificate and its single-use ownership token."""
        certificates = Certificates(self._scope)
        if csr_pem is None:
            certificate = certificates.create_with_keys(
                "PENDING_ACTIVATION", operation="CreateKeysAndCertificate"
            )
        else:
            certificate = certificates.hold(
                certificates.prepare_from_csr(
                    csr_pem, "PENDING_ACTIVATION", "CreateCertificateFromCsr"
                )
            )
        token = secrets.token_urlsafe(96)
        with self._scope.store.lock:
            self._scope.state.ownership_tokens[token] = (
                certificate.certificate_id,
                self._scope.clock(),
            )
        return certificate, token

    def provision_device(
        self,
        template_name: str,
        ownership_token: str,
        parameters: dict[str, str],
        *,
        claim: Certificate,
        client_id: str = "",
    ) -> Provisioned:
        """Fleet provisioning's RegisterThing: the template, its pre-provisioning hook, and the
        certificate the token is bound to (the token is used up)."""
        if not ownership_token:  # AWS's wording
            raise _token_error("Certificate ownership token cannot be empty.")
        template = self._usable_template(template_name, claim)
        certificate = self._redeem(ownership_token)
        parameters = self._run_hook(template, claim, certificate, parameters, client_id)
        body = checked_template(template.body)
        return self.run(body, parameters, certificate_parameters(certificate))

    def _redeem(self, ownership_token: str) -> Certificate:
        """The certificate a token is bound to; the token is used up. An expired token's
        certificate, never activated, is deleted (AWS's rule)."""
        with self._scope.store.lock:
            bound = self._scope.state.ownership_tokens.pop(ownership_token, None)
            if bound is None:
                raise _token_error("The certificate ownership token is not valid (or was used).")
            certificate_id, issued_at = bound
            certificate = self._scope.certificate(certificate_id)
            if self._scope.clock() - issued_at > TOKEN_LIFETIME:
                if certificate.status == "PENDING_ACTIVATION" and not certificate.things:
                    self._scope.store.remove_certificate(certificate)
                raise _token_error(
                    "The certificate ownership token expired (one hour after it was issued); "
                    "create a new certificate."
                )
            return certificate

    def _enabled_template(self, name: str) -> ProvisioningTemplate:
        template = ProvisioningTemplates(self._scope).get(name)
        if not template.enabled:
            raise invalid_request(f"The provisioning template {name} is not enabled.")
        return template

    def _usable_template(self, name: str, claim: Certificate) -> ProvisioningTemplate:
        template = self._enabled_template(name)
        bound = claim.provisioning_template
        if bound is not None and bound != name:
            raise ServiceError(
                "UnauthorizedException",
                f"The claim certificate {claim.certificate_id} provisions with the template "
                f"{bound} only, not {name}.",
                status_code=403,
            )
        return template

    def _run_hook(
        self,
        template: ProvisioningTemplate,
        claim: Certificate,
        certificate: Certificate,
        parameters: dict[str, str],
        client_id: str,
    ) -> dict[str, str]:
        with self._scope.store.lock:
            hook: Callable[[dict[str, Any]], Any] | None = (
                self._scope.state.pre_provisioning_hooks.get(template.name)
            )
        if hook is None:
            return parameters
        answer = hook(
            {
                "claimCertificateId": claim.certificate_id,
                "certificateId": certificate.certificate_id,
                "certificatePem": crypto.to_pem(certificate.certificate),
                "templateArn": template.arn,
                "clientId": client_id,
                "parameters": dict(parameters),
            }
        )
        if not isinstance(answer, dict) or answer.get("allowProvisioning") is not True:
            raise ServiceError(
                "AccessDeniedException",
                f"The pre-provisioning hook of {template.name} did not allow provisioning.",
                status_code=403,
            )
        return {**parameters, **(answer.get("parameterOverrides") or {})}


def _token_error(message: str) -> ServiceError:
    # The fleet provisioning MQTT API's own code (not in the HTTP API's model).
    return ServiceError("InvalidCertificateOwnershipToken", message, status_code=400)


def _status(resource: Resource) -> str:
    status = str(resource.properties.get("Status") or "ACTIVE").upper()
    if status not in ("ACTIVE", "INACTIVE"):
        raise failure(resource, f"Status is {status}; a template sets ACTIVE or INACTIVE.")
    return status


class _Applier:
    """Makes evaluated resources real, undoing every step already taken if one fails."""

    def __init__(self, scope: Scope, prepared: dict[str, Certificate]) -> None:
        self._scope = scope
        self._prepared = prepared
        self._undo: list[Callable[[], Any]] = []
        self.result = Provisioned()

    def apply(self, evaluation: Evaluation) -> Provisioned:
        steps = [(r, self._certificate) for r in evaluation.of_type(CERTIFICATE)]
        steps += [(r, self._policy) for r in evaluation.of_type(POLICY)]
        steps += [(r, self._thing) for r in evaluation.of_type(THING)]
        try:
            for resource, step in steps:
                try:
                    step(resource)
                except ServiceError as error:
                    if error.code == "ResourceRegistrationFailureException":
                        raise
                    raise failure(resource, error.message) from None
            self._attach()
        except ServiceError:
            for undo in reversed(self._undo):
                undo()
            raise
        self.result.device_configuration = evaluation.device_configuration
        return self.result

    def _certificate(self, resource: Resource) -> None:
        issued = self._prepared.get(resource.logical_name)
        if issued is not None:
            certificate = Certificates(self._scope).hold(issued)
            self._undo.append(lambda: self._scope.store.remove_certificate(issued))
        else:
            certificate = self._existing_certificate(resource)
            self._set_status(resource, certificate)
        self.result.certificate = certificate
        self.result.resource_arns[resource.logical_name] = certificate.arn

    def _existing_certificate(self, resource: Resource) -> Certificate:
        properties = resource.properties
        if "CertificateId" in properties:
            return self._scope.certificate(str(properties["CertificateId"]))
        pem = str(properties["CertificatePem"])
        known = self._scope.state.certificates.get(
            crypto.certificate_id(input_rules.load_certificate(pem, "CertificatePem"))
        )
        if known is not None:
            return known
        certificate = Registration(self._scope).register(
            pem, status=_status(resource), ca_certificate_pem=properties.get("CACertificatePem")
        )
        self._undo.append(lambda: self._scope.store.remove_certificate(certificate))
        return certificate

    def _set_status(self, resource: Resource, certificate: Certificate) -> None:
        # Status is optional and defaults to ACTIVE (AWS's guide): a fleet-provisioned or JITP
        # certificate, PENDING_ACTIVATION until now, becomes ACTIVE.
        action, status = resource.override("Status", "REPLACE"), _status(resource)
        if action == "FAIL":
            raise failure(resource, f"the certificate {certificate.certificate_id} exists.")
        if action == "REPLACE" and certificate.status != status:
            before = certificate.status
            if before in ("REVOKED", "PENDING_TRANSFER"):
                raise failure(resource, f"the certificate is {before}.")
            certificate.status = status
            self._undo.append(lambda: setattr(certificate, "status", before))

    def _policy(self, resource: Resource) -> None:
        policies = Policies(self._scope)
        document = resource.properties.get("PolicyDocument")
        if document is None:
            policy = policies.get(str(resource.properties["PolicyName"]))
        else:
            text = document if isinstance(document, str) else json.dumps(document)
            name = hashlib.sha1(text.encode()).hexdigest().upper()  # AWS names it by a hash
            if policies.exists(name):
                policy = policies.get(name)
            else:
                policy = policies.create(name, text)
                self._undo.append(lambda: policies.delete(name))
        self.result.policies.append(policy)
        self.result.resource_arns[resource.logical_name] = policy.arn

    def _thing(self, resource: Resource) -> None:
        properties = resource.properties
        name = str(properties["ThingName"])
        existing = self._scope.state.things.get(name)
        if existing is None:
            thing = self._create_thing(name, properties)
        else:
            thing = self._override_thing(resource, existing)
        self._join_groups(resource, thing, existing is not None)
        self.result.thing = thing
        self.result.resource_arns[resource.logical_name] = thing.arn

    def _create_thing(self, name: str, properties: dict[str, Any]) -> Thing:
        things = Things(self._scope)
        thing = things.create(
            name,
            thing_type_name=properties.get("ThingTypeName"),
            attributes=_attributes(properties),
        )
        self._undo.append(lambda: _forget_thing(self._scope, name))
        billing = properties.get("BillingGroup")
        if billing:
            BillingGroups(self._scope).add_thing(str(billing), name)
        return thing

    def _override_thing(self, resource: Resource, thing: Thing) -> Thing:
        properties = resource.properties
        saved = (dict(thing.attributes), thing.thing_type_name, thing.version)
        changes: dict[str, Any] = {}
        if "AttributePayload" in properties:
            action = resource.override("AttributePayload")
            if action == "FAIL":
                raise failure(resource, f"the thing {thing.name} exists (AttributePayload FAIL).")
            if action in ("REPLACE", "MERGE"):
                changes.update(attributes=_attributes(properties), merge=action == "MERGE")
        if "ThingTypeName" in properties:
            action = resource.override("ThingTypeName")
            if action == "FAIL":
                raise failure(resource, f"the thing {thing.name} exists (ThingTypeName FAIL).")
            if action == "REPLACE":
                changes["thing_type_name"] = str(properties["ThingTypeName"])
        if changes:
            Things(self._scope).update(thing.name, **changes)
            self._undo.append(lambda: _restore_thing(self._scope, thing, saved))
        return thing

    def _join_groups(self, resource: Resource, thing: Thing, existed: bool) -> None:
        wanted = [str(g) for g in resource.properties.get("ThingGroups") or []]
        action = resource.override("ThingGroups") if existed else "MERGE"
        if not wanted or action == "DO_NOTHING":
            return
        if action == "FAIL":
            raise failure(resource, f"the thing {thing.name} exists (ThingGroups FAIL).")
        groups = ThingGroups(self._scope)
        current = list(thing.thing_groups)
        if action == "REPLACE":
            for group in current:
                if group not in wanted:
                    groups.remove_thing(group, thing.name)
                    self._undo.append(partial(groups.add_thing, group, thing.name))
        for group in wanted:
            if group not in thing.thing_groups:
                groups.add_thing(group, thing.name)
                self._undo.append(partial(groups.remove_thing, group, thing.name))

    def _attach(self) -> None:
        certificate, thing = self.result.certificate, self.result.thing
        if certificate is None:
            return
        if thing is not None and thing.name not in certificate.things:
            things = Things(self._scope)
            things.attach_principal(thing.name, certificate.arn)
            self._undo.append(partial(things.detach_principal, thing.name, certificate.arn))
        policies = Policies(self._scope)
        for policy in self.result.policies:
            if policy.name not in certificate.policies:
                policies.attach(policy.name, certificate.arn)
                self._undo.append(partial(policies.detach, policy.name, certificate.arn))


def _attributes(properties: dict[str, Any]) -> dict[str, str]:
    payload = properties.get("AttributePayload") or {}
    if not isinstance(payload, dict):
        raise invalid_request("AttributePayload must be an object of attribute names and values.")
    return {str(name): str(value) for name, value in payload.items()}


def _forget_thing(scope: Scope, name: str) -> None:
    scope.links.drop_thing(name)
    scope.state.things.pop(name, None)


def _restore_thing(
    scope: Scope, thing: Thing, saved: tuple[dict[str, str], str | None, int]
) -> None:
    thing.attributes, thing.thing_type_name, thing.version = saved
    scope.state.things.reindex(thing)
