"""Wire adapters for static thing groups and billing groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.links import Link
from .._core.ordered import Ordered
from .._core.resources import ThingGroup
from .._service import IotService
from ._common import operation, page_by_position, page_by_token
from .tags import tag_on_create


def _named(params: Mapping[str, Any], kind: str) -> str:
    """A resource named by ``{kind}Name`` or by ``{kind}Arn`` (its last path segment)."""
    name = params.get(f"{kind}Name")
    if name is None and params.get(f"{kind}Arn"):
        name = str(params[f"{kind}Arn"]).rsplit("/", 1)[-1]
    return str(name or "")


def _name_and_arn(group: ThingGroup) -> dict[str, str]:
    return {"groupName": group.name, "groupArn": group.arn}


@operation("CreateThingGroup")
def create_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    group = service.thing_groups.create(
        params["thingGroupName"],
        parent_name=params.get("parentGroupName"),
        properties=params.get("thingGroupProperties"),
    )
    tag_on_create(service, group.arn, params)
    return {
        "thingGroupName": group.name,
        "thingGroupArn": group.arn,
        "thingGroupId": group.group_id,
    }


@operation("DescribeThingGroup")
def describe_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        group = service.thing_groups.get(params["thingGroupName"])
        ancestors = service.thing_groups.ancestors(group.name)
        return {
            "thingGroupName": group.name,
            "thingGroupId": group.group_id,
            "thingGroupArn": group.arn,
            "version": group.version,
            "thingGroupProperties": dict(group.properties),
            "thingGroupMetadata": {
                "parentGroupName": group.parent_name,
                "rootToParentThingGroups": [_name_and_arn(g) for g in ancestors],
                "creationDate": group.creation_date,
            },
            **({} if group.query is None else {**group.query, "status": "ACTIVE"}),
        }


@operation("UpdateThingGroup")
def update_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    version = service.thing_groups.update(
        params["thingGroupName"],
        params["thingGroupProperties"],
        expected_version=params.get("expectedVersion"),
    )
    return {"version": version}


@operation("DeleteThingGroup")
def delete_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_groups.delete(
        params["thingGroupName"], expected_version=params.get("expectedVersion")
    )
    return {}


@operation("ListThingGroups")
def list_thing_groups(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    parent, prefix = params.get("parentGroup"), params.get("namePrefixFilter")
    groups = (
        service.thing_groups.in_order()
        if parent is None and prefix is None
        else service.thing_groups.select(
            parent=parent, prefix=prefix, recursive=bool(params.get("recursive"))
        )
    )
    chosen, token = page_by_token(groups, params)
    return {"thingGroups": [_name_and_arn(g) for g in chosen], "nextToken": token}


@operation("AddThingToThingGroup")
def add_thing_to_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_groups.add_thing(_named(params, "thingGroup"), _named(params, "thing"))
    return {}


@operation("RemoveThingFromThingGroup")
def remove_thing_from_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_groups.remove_thing(_named(params, "thingGroup"), _named(params, "thing"))
    return {}


@operation("ListThingsInThingGroup")
def list_things_in_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    name, recursive = params["thingGroupName"], bool(params.get("recursive"))
    matching = None if recursive else service.thing_groups.dynamic_members(name)
    if matching is not None:
        things, token = page_by_token(matching, params)
        return {"things": [thing.name for thing in things], "nextToken": token}
    members = service.thing_groups.members(name, recursive=recursive)
    if isinstance(members, list):
        chosen, token = page_by_position(members, params)
        return {"things": chosen, "nextToken": token}
    return _member_page(members, params)


def _member_page(members: Ordered[Link[str, str]], params: dict[str, Any]) -> dict[str, Any]:
    links, token = page_by_token(members, params)
    return {"things": [link.right for link in links], "nextToken": token}


@operation("ListThingGroupsForThing")
def list_thing_groups_for_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page_by_position(service.thing_groups.of_thing(params["thingName"]), params)
    return {"thingGroups": [_name_and_arn(g) for g in chosen], "nextToken": token}


@operation("UpdateThingGroupsForThing")
def update_thing_groups_for_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_groups.update_for_thing(
        params.get("thingName") or "",
        list(params.get("thingGroupsToAdd") or []),
        list(params.get("thingGroupsToRemove") or []),
    )
    return {}


@operation("CreateBillingGroup")
def create_billing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    group = service.billing_groups.create(
        params["billingGroupName"], params.get("billingGroupProperties")
    )
    tag_on_create(service, group.arn, params)
    return {
        "billingGroupName": group.name,
        "billingGroupArn": group.arn,
        "billingGroupId": group.group_id,
    }


@operation("DescribeBillingGroup")
def describe_billing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    group = service.billing_groups.get(params["billingGroupName"])
    return {
        "billingGroupName": group.name,
        "billingGroupId": group.group_id,
        "billingGroupArn": group.arn,
        "version": group.version,
        "billingGroupProperties": dict(group.properties),
        "billingGroupMetadata": {"creationDate": group.creation_date},
    }


@operation("UpdateBillingGroup")
def update_billing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    version = service.billing_groups.update(
        params["billingGroupName"],
        params["billingGroupProperties"],
        expected_version=params.get("expectedVersion"),
    )
    return {"version": version}


@operation("DeleteBillingGroup")
def delete_billing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.billing_groups.delete(
        params["billingGroupName"], expected_version=params.get("expectedVersion")
    )
    return {}


@operation("ListBillingGroups")
def list_billing_groups(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    prefix = params.get("namePrefixFilter")
    billing_groups = service.billing_groups
    listed = billing_groups.in_order() if prefix is None else billing_groups.select(prefix)
    chosen, token = page_by_token(listed, params)
    groups = [{"groupName": g.name, "groupArn": g.arn} for g in chosen]
    return {"billingGroups": groups, "nextToken": token}


@operation("AddThingToBillingGroup")
def add_thing_to_billing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.billing_groups.add_thing(_named(params, "billingGroup"), _named(params, "thing"))
    return {}


@operation("RemoveThingFromBillingGroup")
def remove_thing_from_billing_group(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    service.billing_groups.remove_thing(_named(params, "billingGroup"), _named(params, "thing"))
    return {}


@operation("ListThingsInBillingGroup")
def list_things_in_billing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return _member_page(service.billing_groups.members(params["billingGroupName"]), params)
