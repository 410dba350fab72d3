"""Wire adapters for thing types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.resources import ThingType
from .._service import IotService
from ._common import operation, page_by_token
from .tags import tag_on_create


def _metadata(thing_type: ThingType) -> dict[str, Any]:
    return {
        "deprecated": thing_type.deprecated,
        "deprecationDate": thing_type.deprecation_date,
        "creationDate": thing_type.creation_date,
    }


@operation("CreateThingType")
def create_thing_type(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    thing_type = service.thing_types.create(
        params["thingTypeName"], params.get("thingTypeProperties")
    )
    tag_on_create(service, thing_type.arn, params)
    return {
        "thingTypeName": thing_type.name,
        "thingTypeArn": thing_type.arn,
        "thingTypeId": thing_type.thing_type_id,
    }


@operation("DescribeThingType")
def describe_thing_type(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    thing_type = service.thing_types.get(params["thingTypeName"])
    return {
        "thingTypeName": thing_type.name,
        "thingTypeId": thing_type.thing_type_id,
        "thingTypeArn": thing_type.arn,
        "thingTypeProperties": dict(thing_type.properties),
        "thingTypeMetadata": _metadata(thing_type),
    }


@operation("ListThingTypes")
def list_thing_types(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page_by_token(service.thing_types.select(params.get("thingTypeName")), params)
    definitions = [
        {
            "thingTypeName": t.name,
            "thingTypeArn": t.arn,
            "thingTypeProperties": dict(t.properties),
            "thingTypeMetadata": _metadata(t),
        }
        for t in chosen
    ]
    return {"thingTypes": definitions, "nextToken": token}


@operation("UpdateThingType")
def update_thing_type(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_types.update(params["thingTypeName"], params.get("thingTypeProperties") or {})
    return {}


@operation("DeprecateThingType")
def deprecate_thing_type(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_types.deprecate(params["thingTypeName"], undo=bool(params.get("undoDeprecate")))
    return {}


@operation("DeleteThingType")
def delete_thing_type(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_types.delete(params["thingTypeName"])
    return {}
