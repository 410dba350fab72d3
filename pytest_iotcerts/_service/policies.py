"""IoT policies and what they are attached to."""

from __future__ import annotations

import json

from .._errors import ServiceError
from .._links import Link
from .._resources import Policy
from ._scope import Scope

# AWS IoT's quota: policies attached to one certificate or Cognito identity.
MAX_POLICIES_PER_TARGET = 10


def check_document(document: str) -> None:
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise ServiceError(
            "MalformedPolicyException",
            "The policyDocument must be a JSON object with a Statement.",
        )


class Policies:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, document: str) -> Policy:
        check_document(document)
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.policies.get(name)
            if existing is not None:
                raise ServiceError(
                    "ResourceAlreadyExistsException",
                    f"The policy {name} already exists.",
                    resourceId=name,
                    resourceArn=existing.arn,
                )
            policy = state.policies[name] = Policy(
                name,
                document,
                account_id=self._scope.account_id,
                region=self._scope.region,
                links=state.links,
            )
            return policy

    def get(self, name: str) -> Policy:
        with self._scope.store.lock:
            return self._scope.policy(name)

    def exists(self, name: str) -> bool:
        return name in self._scope.state.policies

    def delete(self, name: str) -> None:
        with self._scope.store.lock:
            policy = self._scope.policy(name)
            if policy.targets:
                raise ServiceError(
                    "DeleteConflictException",
                    "The policy cannot be deleted as the policy is attached to one or more "
                    f"principals (name={name})",
                )
            del self._scope.state.policies[name]

    def attach(self, name: str, target: str) -> None:
        relation = self._scope.links.policy_targets
        with self._scope.store.lock:
            self._scope.policy(name)
            self._scope.certificate_for_principal(target)
            if relation.get(name, target) is not None:
                return
            attached = len(relation.of_right(target))
            if attached >= MAX_POLICIES_PER_TARGET:
                raise ServiceError(
                    "LimitExceededException",
                    f"The target {target} already has {attached} policies attached; the limit "
                    f"is {MAX_POLICIES_PER_TARGET}.",
                )
            relation.link(name, target)

    def detach(self, name: str, target: str) -> None:
        with self._scope.store.lock:
            self._scope.policy(name)
            self._scope.certificate_for_principal(target)
            self._scope.links.policy_targets.unlink(name, target)

    def attached_to(self, target: str) -> list[Link[str, str]]:
        """The policies attached to a target (``link.left``), in attachment order."""
        with self._scope.store.lock:
            self._scope.certificate_for_principal(target)
            return self._scope.links.policy_targets.of_right(target)

    def targets(self, name: str) -> list[Link[str, str]]:
        """A policy's targets (``link.right``), in attachment order."""
        with self._scope.store.lock:
            self._scope.policy(name)
            return self._scope.links.policy_targets.of_left(name)
