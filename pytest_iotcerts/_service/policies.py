"""IoT policies and what they are attached to."""

from __future__ import annotations

import json

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, already_exists, not_found
from .._aws.nesting import MAX_JSON_DEPTH, json_depth, too_deep
from .._core.links import Link
from .._core.ordered import Ordered
from .._core.resources import Policy, PolicyVersion
from ._scope import Scope

# AWS IoT's quotas: policies attached to one certificate or Cognito identity; versions of a policy.
MAX_POLICIES_PER_TARGET = 10
MAX_POLICY_VERSIONS = 5


def check_document(document: str) -> None:
    deep = too_deep(json_depth(document), MAX_JSON_DEPTH, "The policyDocument")
    if deep:
        raise ServiceError("MalformedPolicyException", deep)
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
                raise already_exists(
                    f"The policy {name} already exists.",
                    name,
                    existing.arn,
                )
            policy = state.policies[name] = Policy(
                name,
                document,
                **self._scope.placement,
            )
            return policy

    def get(self, name: str) -> Policy:
        with self._scope.store.lock:
            return self._scope.policy(name)

    def exists(self, name: str) -> bool:
        return name in self._scope.state.policies

    def select(self) -> list[Policy]:
        with self._scope.store.lock:
            return list(self._scope.state.policies.values())

    def in_order(self) -> Ordered[Policy]:
        """The policies by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.policies.in_order

    def delete(self, name: str) -> None:
        """Only a policy attached to nothing, with no version but its default, is deleted."""
        with self._scope.store.lock:
            policy = self._scope.policy(name)
            if policy.targets:
                raise ServiceError(
                    "DeleteConflictException",
                    "The policy cannot be deleted as the policy is attached to one or more "
                    f"principals (name={name})",
                )
            if len(policy.versions) > 1:
                # AWS's own wording, its repeated word included.
                raise ServiceError(
                    "DeleteConflictException",
                    "The policy cannot be deleted as versions other than than default version "
                    f"exist (name={name})",
                )
            del self._scope.state.policies[name]
            self._scope.state.tags.pop(policy.arn, None)

    def create_version(self, name: str, document: str, *, set_as_default: bool = False) -> str:
        """A new version (its id: one more than the last ever made); five versions at most."""
        check_document(document)
        with self._scope.store.lock:
            policy = self._scope.policy(name)
            if len(policy.versions) >= MAX_POLICY_VERSIONS:
                raise ServiceError(
                    "VersionsLimitExceededException",
                    f"The policy {name} already has the maximum number of versions "
                    f"({MAX_POLICY_VERSIONS}); delete one (DeletePolicyVersion) first.",
                )
            policy.last_version_number += 1
            version_id = str(policy.last_version_number)
            policy.versions[version_id] = PolicyVersion(version_id, document)
            if set_as_default:
                policy.default_version_id = version_id
            policy.last_modified_date = timestamp()
            return version_id

    def version(self, name: str, version_id: str) -> PolicyVersion:
        with self._scope.store.lock:
            policy = self._scope.policy(name)
            found = policy.versions.get(version_id)
            if found is None:
                raise not_found(f"The policy {name} has no version {version_id}.")
            return found

    def versions(self, name: str) -> list[PolicyVersion]:
        """Newest first, as AWS lists them."""
        with self._scope.store.lock:
            policy = self._scope.policy(name)
            return sorted(policy.versions.values(), key=lambda v: -int(v.version_id))

    def set_default_version(self, name: str, version_id: str) -> None:
        with self._scope.store.lock:
            policy = self._scope.policy(name)
            self.version(name, version_id)
            policy.default_version_id = version_id
            policy.last_modified_date = timestamp()

    def delete_version(self, name: str, version_id: str) -> None:
        """Any version but the default one (which goes only with the policy)."""
        with self._scope.store.lock:
            policy = self._scope.policy(name)
            self.version(name, version_id)
            if version_id == policy.default_version_id:
                raise ServiceError(
                    "DeleteConflictException",
                    f"Cannot delete the default version {version_id} of policy {name}; make "
                    "another version the default (SetDefaultPolicyVersion) or delete the policy.",
                )
            del policy.versions[version_id]

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

    def targets(self, name: str) -> Ordered[Link[str, str]]:
        """A policy's targets (``link.right``), in attachment order, to page from (a policy
        may be attached to every certificate of a fleet)."""
        with self._scope.store.lock:
            self._scope.policy(name)
            return self._scope.links.policy_targets.ordered_of_left(name)
