"""What a connected device may do, by the policies attached to its certificate (and to the thing
groups of its thing), with the policy variables AWS IoT fills for an MQTT connection.

``iot:Connection.Thing.*`` resolve when the client id is the name of a thing attached to the
certificate (AWS's rule); then the policies of that thing's groups, and their parents', apply too.
"""

from __future__ import annotations

from typing import Any

from .._aws.errors import invalid_request, not_found
from .._aws.partitions import partition_of
from .._core.resources import Certificate, Policy, Thing
from .._engines.policies import Request, allowed, decision
from ._scope import Scope
from .provisioning import certificate_parameters

# MQTT actions and the kind of resource each names: ...:client/ID, ...:topic/T, ...:topicfilter/F
RESOURCE_KINDS = {
    "iot:Connect": "client",
    "iot:Publish": "topic",
    "iot:Receive": "topic",
    "iot:Subscribe": "topicfilter",
}


# TestAuthorization's action types -> the MQTT actions they name
ACTION_TYPES = {
    "CONNECT": "iot:Connect",
    "PUBLISH": "iot:Publish",
    "SUBSCRIBE": "iot:Subscribe",
    "RECEIVE": "iot:Receive",
}


class Authorization:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def effective(self, principal: str, thing_name: str | None = None) -> list[Policy]:
        """GetEffectivePolicies: the policies a certificate's connection is judged by (its own,
        and those of the thing's groups and their parents, when ``thing_name`` is attached)."""
        with self._scope.store.lock:
            certificate = self._certificate(principal)
            thing = self._thing(certificate, thing_name) if thing_name else None
            return self._policies(certificate, thing)

    def test(
        self,
        principal: str,
        auth_infos: list[dict[str, Any]],
        *,
        client_id: str | None = None,
        add: list[str] | None = None,
        skip: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """TestAuthorization: each (action type, resources) judged by the same engine as the
        MQTT endpoint, with the policies that allowed or denied it."""
        state = self._scope.state
        with self._scope.store.lock:
            certificate = self._certificate(principal)
            thing = self._thing(certificate, client_id) if client_id else None
            policies = [p for p in self._policies(certificate, thing) if p.name not in (skip or [])]
            for name in add or []:
                extra = state.policies.get(name)
                if extra is None:
                    raise not_found(f"The policy {name} does not exist.")
                policies.append(extra)
            context = _context(certificate, client_id or "", thing)
        return [self._judge(info, policies, context) for info in auth_infos]

    def _judge(
        self, info: dict[str, Any], policies: list[Policy], context: dict[str, str]
    ) -> dict[str, Any]:
        action = ACTION_TYPES.get(info.get("actionType", ""))
        if action is None:
            raise invalid_request(f"actionType must be one of {', '.join(ACTION_TYPES)}.")
        said: dict[str, list[Policy]] = {"Allow": [], "Deny": []}
        for policy in policies:
            for resource in info.get("resources") or ["*"]:
                verdict = decision(policy.document, Request(action, resource, context))
                if verdict is not None and policy not in said[verdict]:
                    said[verdict].append(policy)
        if said["Deny"]:
            outcome = "EXPLICIT_DENY"
        elif said["Allow"]:
            outcome = "ALLOWED"
        else:
            outcome = "IMPLICIT_DENY"
        return {
            "authInfo": info,
            "allowed": {"policies": _named(said["Allow"] if outcome == "ALLOWED" else [])},
            "denied": {
                "explicitDeny": {"policies": _named(said["Deny"])},
                "implicitDeny": {
                    "policies": _named(policies if outcome == "IMPLICIT_DENY" else [])
                },
            },
            "authDecision": outcome,
            "missingContextValues": [],
        }

    def _certificate(self, principal: str) -> Certificate:
        certificate = self._scope.certificate_for_principal(principal)
        if certificate is None:
            raise invalid_request(
                f"{principal} is not a certificate ARN; the emulator judges certificates' "
                "policies (Cognito identities are not emulated)."
            )
        return certificate

    def _policies(self, certificate: Certificate, thing: Thing | None) -> list[Policy]:
        state = self._scope.state
        targets = [certificate.arn]
        if thing is not None:
            for group_name in thing.thing_groups:
                group = state.thing_groups.get(group_name)
                while group is not None:
                    targets.append(group.arn)
                    group = state.thing_groups.get(group.parent_name or "")
        names = {
            link.left for target in targets for link in state.links.policy_targets.of_right(target)
        }
        return [state.policies[name] for name in sorted(names) if name in state.policies]

    def allows(self, certificate_id: str, client_id: str, action: str, name: str) -> bool:
        """Whether the certificate's policies allow ``action`` on ``name`` (a client id, a
        topic or a topic filter) for a connection with ``client_id``."""
        with self._scope.store.lock:
            certificate = self._scope.state.certificates.get(certificate_id)
            if certificate is None:
                return False
            thing = self._thing(certificate, client_id)
            documents = self._documents(certificate, thing)
            context = _context(certificate, client_id, thing)
        resource = f"{_prefix(certificate)}:{RESOURCE_KINDS[action]}/{name}"
        return allowed(documents, Request(action, resource, context))

    def allows_by(self, documents: list[str], client_id: str, action: str, name: str) -> bool:
        """Whether ``documents`` (a custom authorizer's policies for a connection) allow
        ``action`` on ``name``."""
        scope = self._scope
        prefix = f"arn:{partition_of(scope.region).name}:iot:{scope.region}:{scope.account_id}"
        resource = f"{prefix}:{RESOURCE_KINDS[action]}/{name}"
        return allowed(documents, Request(action, resource, {"iot:ClientId": client_id}))

    def _thing(self, certificate: Certificate, client_id: str) -> Thing | None:
        if client_id not in certificate.things:
            return None
        return self._scope.state.things.get(client_id)

    def _documents(self, certificate: Certificate, thing: Thing | None) -> list[str]:
        return [policy.document for policy in self._policies(certificate, thing)]


def _named(policies: list[Policy]) -> list[dict[str, str]]:
    return [{"policyName": p.name, "policyArn": p.arn} for p in policies]


def _prefix(certificate: Certificate) -> str:
    """``arn:PARTITION:iot:REGION:ACCOUNT``."""
    return certificate.arn.rsplit(":", 1)[0]


def _context(certificate: Certificate, client_id: str, thing: Thing | None) -> dict[str, str]:
    context = {
        "iot:ClientId": client_id,
        "iot:Connection.Thing.IsAttached": "true" if thing is not None else "false",
    }
    for name, value in certificate_parameters(certificate).items():
        field = name.removeprefix("AWS::IoT::Certificate::")
        if field != "Id":  # the template's StateName is the policy variable's State
            field = "State" if field == "StateName" else field
            context[f"iot:Certificate.Subject.{field}"] = value
    if thing is not None:
        context["iot:Connection.Thing.ThingName"] = thing.name
        if thing.thing_type_name is not None:
            context["iot:Connection.Thing.ThingTypeName"] = thing.thing_type_name
        for key, value in thing.attributes.items():
            context[f"iot:Connection.Thing.Attributes[{key}]"] = value
    return context
