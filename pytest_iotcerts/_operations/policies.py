"""Wire adapters for policies and what they are attached to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._aws.errors import invalid_request
from .._core.links import Link
from .._core.ordered import Ordered
from .._service import IotService
from ._common import operation, page
from .tags import tag_on_create


@operation("CreatePolicy")
def create_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    policy = service.policies.create(params["policyName"], params["policyDocument"])
    tag_on_create(service, policy.arn, params)
    return {
        "policyName": policy.name,
        "policyArn": policy.arn,
        "policyDocument": policy.document,
        "policyVersionId": policy.default_version_id,
    }


@operation("GetPolicy")
def get_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    policy = service.policies.get(params["policyName"])
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
def delete_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.policies.delete(params["policyName"])
    return {}


@operation("AttachPolicy")
def attach_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.policies.attach(params["policyName"], params["target"])
    return {}


@operation("AttachPrincipalPolicy")
def attach_principal_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of AttachPolicy."""
    service.policies.attach(params["policyName"], params["principal"])
    return {}


@operation("DetachPolicy")
def detach_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    name = params["policyName"]
    with service.scope.store.lock:
        if not service.policies.exists(name):
            # DetachPolicy's model has no ResourceNotFoundException.
            raise invalid_request(f"The policy {name} does not exist.")
        service.policies.detach(name, params["target"])
    return {}


@operation("DetachPrincipalPolicy")
def detach_principal_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of DetachPolicy."""
    service.policies.detach(params["policyName"], params["principal"])
    return {}


def _page(
    links: list[Link[str, str]] | Ordered[Link[str, str]],
    params: Mapping[str, Any],
    ascending: bool,
) -> tuple[list[Link[str, str]], str | None]:
    return page(
        links,
        key=lambda link: link.sequence,
        marker=params.get("marker"),
        size=params.get("pageSize"),
        ascending=ascending,
    )


@operation("ListAttachedPolicies")
def list_attached_policies(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return _policies_page(service, params["target"], params, ascending=True)


@operation("ListPrincipalPolicies")
def list_principal_policies(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of ListAttachedPolicies."""
    ascending = bool(params.get("ascendingOrder", False))
    return _policies_page(service, params["principal"], params, ascending=ascending)


def _policies_page(
    service: IotService, target: str, params: Mapping[str, Any], *, ascending: bool
) -> Mapping[str, Any]:
    with service.scope.store.lock:
        chosen, next_marker = _page(service.policies.attached_to(target), params, ascending)
        policies = [service.policies.get(link.left) for link in chosen]
    return {
        "policies": [{"policyName": p.name, "policyArn": p.arn} for p in policies],
        "nextMarker": next_marker,
    }


@operation("ListTargetsForPolicy")
def list_targets_for_policy(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, next_marker = _page(service.policies.targets(params["policyName"]), params, True)
    return {"targets": [link.right for link in chosen], "nextMarker": next_marker}


@operation("ListPolicyPrincipals")
def list_policy_principals(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    """The deprecated form of ListTargetsForPolicy."""
    ascending = bool(params.get("ascendingOrder", False))
    chosen, next_marker = _page(service.policies.targets(params["policyName"]), params, ascending)
    return {"principals": [link.right for link in chosen], "nextMarker": next_marker}


@operation("ListPolicies")
def list_policies(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, next_marker = page(
        service.policies.in_order(),
        key=lambda policy: policy.sequence,
        marker=params.get("marker"),
        size=params.get("pageSize"),
        ascending=bool(params.get("ascendingOrder", False)),
    )
    policies = [{"policyName": p.name, "policyArn": p.arn} for p in chosen]
    return {"policies": policies, "nextMarker": next_marker}


@operation("CreatePolicyVersion")
def create_policy_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    name, document = params["policyName"], params["policyDocument"]
    with service.scope.store.lock:
        version_id = service.policies.create_version(
            name, document, set_as_default=bool(params.get("setAsDefault"))
        )
        policy = service.policies.get(name)
        return {
            "policyArn": policy.arn,
            "policyDocument": document,
            "policyVersionId": version_id,
            "isDefaultVersion": policy.default_version_id == version_id,
        }


@operation("GetPolicyVersion")
def get_policy_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        policy = service.policies.get(params["policyName"])
        version = service.policies.version(policy.name, params["policyVersionId"])
        return {
            "policyArn": policy.arn,
            "policyName": policy.name,
            "policyDocument": version.document,
            "policyVersionId": version.version_id,
            "isDefaultVersion": policy.default_version_id == version.version_id,
            "creationDate": version.created,
            "lastModifiedDate": version.created,
            "generationId": policy.generation_id,
        }


@operation("ListPolicyVersions")
def list_policy_versions(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        policy = service.policies.get(params["policyName"])
        versions = service.policies.versions(policy.name)
        default = policy.default_version_id
    return {
        "policyVersions": [
            {
                "versionId": v.version_id,
                "isDefaultVersion": v.version_id == default,
                "createDate": v.created,
            }
            for v in versions
        ]
    }


@operation("SetDefaultPolicyVersion")
def set_default_policy_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.policies.set_default_version(params["policyName"], params["policyVersionId"])
    return {}


@operation("DeletePolicyVersion")
def delete_policy_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.policies.delete_version(params["policyName"], params["policyVersionId"])
    return {}


@operation("TestAuthorization")
def test_authorization(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    results = service.authorization.test(
        params["principal"] if "principal" in params else _no_principal(),
        list(params["authInfos"]),
        client_id=params.get("clientId"),
        add=params.get("policyNamesToAdd"),
        skip=params.get("policyNamesToSkip"),
    )
    return {"authResults": results}


@operation("GetEffectivePolicies")
def get_effective_policies(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    policies = service.authorization.effective(
        params["principal"] if "principal" in params else _no_principal(),
        params.get("thingName"),
    )
    return {
        "effectivePolicies": [
            {"policyName": p.name, "policyArn": p.arn, "policyDocument": p.document}
            for p in policies
        ]
    }


def _no_principal() -> str:
    raise invalid_request(
        "Name the principal (a certificate ARN) whose policies to judge; Cognito identities "
        "are not emulated."
    )
