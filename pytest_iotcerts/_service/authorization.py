"""What a connected device may do, by the policies attached to its certificate (and to the thing
groups of its thing), with the policy variables AWS IoT fills for an MQTT connection.

``iot:Connection.Thing.*`` resolve when the client id is the name of a thing attached to the
certificate (AWS's rule); then the policies of that thing's groups, and their parents', apply too.
"""

from __future__ import annotations

from .._aws.partitions import partition_of
from .._core.resources import Certificate, Thing
from .._engines.policies import Request, allowed
from ._scope import Scope
from .provisioning import certificate_parameters

# MQTT actions and the kind of resource each names: ...:client/ID, ...:topic/T, ...:topicfilter/F
RESOURCE_KINDS = {
    "iot:Connect": "client",
    "iot:Publish": "topic",
    "iot:Receive": "topic",
    "iot:Subscribe": "topicfilter",
}


class Authorization:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

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
        return [state.policies[name].document for name in sorted(names) if name in state.policies]


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
