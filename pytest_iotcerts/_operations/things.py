"""Wire adapters for things and the principals attached to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.resources import Thing
from .._service import IotService
from ._common import operation, page_by_token


@operation("CreateThing")
def create_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    payload = params.get("attributePayload") or {}
    thing = service.things.create(
        params["thingName"],
        thing_type_name=params.get("thingTypeName"),
        attributes=payload.get("attributes"),
        billing_group_name=params.get("billingGroupName"),
    )
    return {"thingName": thing.name, "thingArn": thing.arn, "thingId": thing.thing_id}


@operation("DescribeThing")
def describe_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    thing = service.things.get(params["thingName"])
    return {
        "defaultClientId": thing.name,
        "thingName": thing.name,
        "thingId": thing.thing_id,
        "thingArn": thing.arn,
        "thingTypeName": thing.thing_type_name,
        "attributes": dict(thing.attributes),
        "version": thing.version,
        "billingGroupName": thing.billing_group_name,
    }


@operation("DeleteThing")
def delete_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.things.delete(params["thingName"], expected_version=params.get("expectedVersion"))
    return {}


@operation("AttachThingPrincipal")
def attach_thing_principal(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    exclusive = params.get("thingPrincipalType") == "EXCLUSIVE_THING"
    service.things.attach_principal(params["thingName"], params["principal"], exclusive=exclusive)
    return {}


@operation("DetachThingPrincipal")
def detach_thing_principal(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.things.detach_principal(params["thingName"], params["principal"])
    return {}


@operation("ListPrincipalThings")
def list_principal_things(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page_by_token(service.things.of_principal(params["principal"]), params)
    return {"things": [link.left for link in chosen], "nextToken": token}


@operation("ListThingPrincipals")
def list_thing_principals(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page_by_token(service.things.principals(params["thingName"]), params)
    return {"principals": [link.right for link in chosen], "nextToken": token}


@operation("ListThingPrincipalsV2")
def list_thing_principals_v2(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    links = service.things.principals(params["thingName"], params.get("thingPrincipalType"))
    chosen, token = page_by_token(links, params)
    objects = [{"principal": link.right, "thingPrincipalType": link.kind} for link in chosen]
    return {"thingPrincipalObjects": objects, "nextToken": token}


@operation("ListPrincipalThingsV2")
def list_principal_things_v2(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    links = service.things.of_principal(params["principal"], params.get("thingPrincipalType"))
    chosen, token = page_by_token(links, params)
    objects = [{"thingName": link.left, "thingPrincipalType": link.kind} for link in chosen]
    return {"principalThingObjects": objects, "nextToken": token}


@operation("ListThings")
def list_things(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    things = service.things.select(
        attribute_name=params.get("attributeName"),
        attribute_value=params.get("attributeValue"),
        prefix=bool(params.get("usePrefixAttributeValue")),
        thing_type_name=params.get("thingTypeName"),
    )
    chosen, token = page_by_token(things, params)
    return {"things": [thing_attribute(thing) for thing in chosen], "nextToken": token}


def thing_attribute(thing: Thing) -> dict[str, Any]:
    """The ThingAttribute shape of ListThings (and of the group listings)."""
    return {
        "thingName": thing.name,
        "thingTypeName": thing.thing_type_name,
        "thingArn": thing.arn,
        "attributes": dict(thing.attributes),
        "version": thing.version,
    }


@operation("UpdateThing")
def update_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    payload = params.get("attributePayload")
    service.things.update(
        params["thingName"],
        attributes=None if payload is None else dict(payload.get("attributes") or {}),
        merge=bool((payload or {}).get("merge")),
        thing_type_name=params.get("thingTypeName"),
        remove_thing_type=bool(params.get("removeThingType")),
        expected_version=params.get("expectedVersion"),
    )
    return {}
