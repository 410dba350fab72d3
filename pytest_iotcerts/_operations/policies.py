"""Policies, as far as certificates need them: create, get, delete, attach, detach, list."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._errors import ServiceError, invalid_request
from .._router import RequestContext
from .._state import Policy, next_sequence
from ._common import certificate_for_principal, find_policy, operation, page

# AWS IoT's quota: policies attached to one certificate or Cognito identity.
MAX_POLICIES_PER_TARGET = 10


@operation("CreatePolicy")
def create_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    name, document = params["policyName"], params["policyDocument"]
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise ServiceError(
            "MalformedPolicyException",
            "The policyDocument must be a JSON object with a Statement.",
        )
    with context.store.lock:
        existing = context.state.policies.get(name)
        if existing is not None:
            raise ServiceError(
                "ResourceAlreadyExistsException",
                f"The policy {name} already exists.",
                resourceId=name,
                resourceArn=existing.arn,
            )
        policy = Policy(
            name=name, document=document, account_id=context.account_id, region=context.region
        )
        context.state.policies[name] = policy
    return {
        "policyName": policy.name,
        "policyArn": policy.arn,
        "policyDocument": policy.document,
        "policyVersionId": policy.default_version_id,
    }


@operation("GetPolicy")
def get_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        policy = find_policy(context, params["policyName"])
        return {
            "policyName": policy.name,
            "policyArn": policy.arn,
            "policyDocument": policy.document,
            "defaultVersionId": policy.default_version_id,
            "creationDate": policy.creation_date,
            "lastModifiedDate": policy.last_modified_date,
            "generationId": policy.generation_id,
        }


@operation("DeletePolicy")
def delete_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        policy = find_policy(context, params["policyName"])
        if policy.targets:
            raise ServiceError(
                "DeleteConflictException",
                "The policy cannot be deleted as the policy is attached to one or more "
                f"principals (name={policy.name})",
            )
        del context.state.policies[policy.name]
    return {}


@operation("AttachPolicy")
def attach_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    return _attach(context, params["policyName"], params["target"])


@operation("AttachPrincipalPolicy")
def attach_principal_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of AttachPolicy."""
    return _attach(context, params["policyName"], params["principal"])


def _attach(context: RequestContext, policy_name: str, target: str) -> Mapping[str, Any]:
    with context.store.lock:
        policy = find_policy(context, policy_name)
        certificate = certificate_for_principal(context, target)
        if target in policy.targets:
            return {}
        attached = [p for p in context.state.policies.values() if target in p.targets]
        if len(attached) >= MAX_POLICIES_PER_TARGET:
            raise ServiceError(
                "LimitExceededException",
                f"The target {target} already has {len(attached)} policies attached; the limit "
                f"is {MAX_POLICIES_PER_TARGET}.",
            )
        policy.targets[target] = next_sequence()
        if certificate is not None:
            certificate.policies.add(policy.name)
    return {}


@operation("DetachPolicy")
def detach_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        policy = context.state.policies.get(params["policyName"])
        if policy is None:
            # DetachPolicy's model has no ResourceNotFoundException.
            raise invalid_request(f"The policy {params['policyName']} does not exist.")
        return _detach(context, policy, params["target"])


@operation("DetachPrincipalPolicy")
def detach_principal_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of DetachPolicy."""
    with context.store.lock:
        return _detach(context, find_policy(context, params["policyName"]), params["principal"])


def _detach(context: RequestContext, policy: Policy, target: str) -> Mapping[str, Any]:
    with context.store.lock:
        certificate = certificate_for_principal(context, target)
        policy.targets.pop(target, None)
        if certificate is not None:
            certificate.policies.discard(policy.name)
    return {}


@operation("ListAttachedPolicies")
def list_attached_policies(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    return _attached_to(context, params["target"], params, ascending=True)


@operation("ListPrincipalPolicies")
def list_principal_policies(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of ListAttachedPolicies."""
    ascending = bool(params.get("ascendingOrder", False))
    return _attached_to(context, params["principal"], params, ascending=ascending)


def _attached_to(
    context: RequestContext, target: str, params: Mapping[str, Any], *, ascending: bool
) -> Mapping[str, Any]:
    with context.store.lock:
        certificate_for_principal(context, target)
        attached = [p for p in context.state.policies.values() if target in p.targets]
        chosen, next_marker = page(
            attached,
            key=lambda p: p.targets[target],
            marker=params.get("marker"),
            size=params.get("pageSize"),
            ascending=ascending,
        )
        return {
            "policies": [{"policyName": p.name, "policyArn": p.arn} for p in chosen],
            "nextMarker": next_marker,
        }


@operation("ListTargetsForPolicy")
def list_targets_for_policy(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, next_marker = _targets_of(context, params, ascending=True)
    return {"targets": chosen, "nextMarker": next_marker}


@operation("ListPolicyPrincipals")
def list_policy_principals(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of ListTargetsForPolicy."""
    ascending = bool(params.get("ascendingOrder", False))
    chosen, next_marker = _targets_of(context, params, ascending=ascending)
    return {"principals": chosen, "nextMarker": next_marker}


def _targets_of(
    context: RequestContext, params: Mapping[str, Any], *, ascending: bool
) -> tuple[list[str], str | None]:
    with context.store.lock:
        policy = find_policy(context, params["policyName"])
        return page(
            list(policy.targets),
            key=policy.targets.__getitem__,
            marker=params.get("marker"),
            size=params.get("pageSize"),
            ascending=ascending,
        )
