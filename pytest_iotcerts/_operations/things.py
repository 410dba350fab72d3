"""Wire adapters for things and the principals attached to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._service import IotService
from ._common import operation, page


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
    chosen, token = page(
        service.things.of_principal(params["principal"]),
        key=lambda link: link.sequence,
        marker=params.get("nextToken"),
        size=params.get("maxResults"),
    )
    return {"things": [link.left for link in chosen], "nextToken": token}


@operation("ListThingPrincipals")
def list_thing_principals(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page(
        service.things.principals(params["thingName"]),
        key=lambda link: link.sequence,
        marker=params.get("nextToken"),
        size=params.get("maxResults"),
    )
    return {"principals": [link.right for link in chosen], "nextToken": token}
