"""Wire adapters for fleet indexing and dynamic thing groups."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from .._aws import index_fields
from .._core.ordered import Ordered
from .._core.resources import Thing, ThingGroup
from .._core.store import Connectivity
from .._engines.shadows import Shadow
from .._service import IotService
from .._service.indexing import GROUPS_INDEX, THINGS_INDEX
from ._common import operation, page_by_token
from .tags import tag_on_create

QUERY_MEMBERS = ("indexName", "queryString", "queryVersion")
T = TypeVar("T", Thing, ThingGroup)


def _query(params: Mapping[str, Any]) -> dict[str, str]:
    return {name: params[name] for name in QUERY_MEMBERS if params.get(name) is not None}


@operation("UpdateIndexingConfiguration")
def update_indexing_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    members = ("thingIndexingConfiguration", "thingGroupIndexingConfiguration")
    changes = {name: params[name] for name in members if name in params}
    service.fleet_metrics.check_reconfiguration(changes)
    service.indexing.configure(changes)
    return {}


@operation("GetIndexingConfiguration")
def get_indexing_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    """The configuration as set, with the managed fields its data sources give each index."""
    config = service.indexing.configuration()
    things, groups = config["thingIndexingConfiguration"], config["thingGroupIndexingConfiguration"]
    for section, managed in (
        (things, index_fields.managed_things(things)),
        (groups, index_fields.managed_groups(groups)),
    ):
        section.pop("managedFields", None)  # not the caller's to set
        if managed:
            section["managedFields"] = index_fields.as_fields(managed)
    return config


@operation("DescribeIndex")
def describe_index(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    name = params["indexName"]
    service.indexing.check_index(name)
    return {"indexName": name, "indexStatus": "ACTIVE", "schema": service.indexing.indices()[name]}


@operation("ListIndices")
def list_indices(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"indexNames": list(service.indexing.indices())}


def _thing_document(service: IotService, thing: Thing) -> dict[str, Any]:
    document = {
        "thingName": thing.name,
        "thingId": thing.thing_id,
        "thingTypeName": thing.thing_type_name,
        "thingGroupNames": thing.thing_groups,
        "attributes": dict(thing.attributes),
        "connectivity": _connectivity(service.indexing.connectivity(thing)),
    }
    shadows = service.indexing.indexed_shadows(thing)
    if shadows:  # the indexed shadow documents, as a JSON string
        classic = shadows.get("")
        shown: dict[str, Any] = _shadow_shown(classic) if classic is not None else {}
        named = {name: _shadow_shown(s) for name, s in shadows.items() if name}
        if named:
            shown["name"] = named
        document["shadow"] = json.dumps(shown, separators=(",", ":"))
    return document


def _shadow_shown(shadow: Shadow) -> dict[str, Any]:
    """As SearchIndex shows a shadow: its desired and reported state, metadata, version and
    whether it has a delta."""
    document = shadow.document()
    return {
        **document.get("state", {}),
        "metadata": document.get("metadata", {}),
        "version": shadow.version,
        "hasDelta": shadow.delta() is not None,
    }


def _connectivity(connectivity: Connectivity) -> dict[str, Any]:
    shown: dict[str, Any] = {"connected": connectivity.connected}
    if connectivity.timestamp:
        shown["timestamp"] = connectivity.timestamp
    if connectivity.disconnect_reason:
        shown["disconnectReason"] = connectivity.disconnect_reason
    return shown


@operation("GetThingConnectivityData")
def get_thing_connectivity_data(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    thing = service.things.get(params["thingName"])
    connectivity = service.indexing.connectivity(thing)
    answer: dict[str, Any] = {"thingName": thing.name, "connected": connectivity.connected}
    if connectivity.timestamp:
        answer["timestamp"] = dt.datetime.fromtimestamp(
            connectivity.timestamp / 1000, dt.timezone.utc
        )
    if connectivity.disconnect_reason:
        answer["disconnectReason"] = connectivity.disconnect_reason
    return answer


def _group_document(group: ThingGroup) -> dict[str, Any]:
    attributes = (group.properties.get("attributePayload") or {}).get("attributes") or {}
    return {
        "thingGroupName": group.name,
        "thingGroupId": group.group_id,
        "thingGroupDescription": group.properties.get("thingGroupDescription"),
        "attributes": dict(attributes),
        "parentGroupNames": [group.parent_name] if group.parent_name else [],
    }


@operation("SearchIndex")
def search_index(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    index = params.get("indexName") or THINGS_INDEX
    if index == GROUPS_INDEX:
        groups, token = _paged(service.indexing.search_groups(params["queryString"]), params)
        return {"thingGroups": [_group_document(g) for g in groups], "nextToken": token}
    service.indexing.check_index(index)
    things, token = _paged(service.indexing.searched_things(params["queryString"]), params)
    return {"things": [_thing_document(service, t) for t in things], "nextToken": token}


def _paged(
    items: Sequence[T] | Ordered[T], params: Mapping[str, Any]
) -> tuple[list[T], str | None]:
    return page_by_token(items, params)


@operation("GetCardinality")
def get_cardinality(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    index = params.get("indexName") or THINGS_INDEX
    count = service.index_aggregations.cardinality(
        params["queryString"], params.get("aggregationField"), index
    )
    return {"cardinality": count}


@operation("GetStatistics")
def get_statistics(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    index = params.get("indexName") or THINGS_INDEX
    statistics = service.index_aggregations.statistics(
        params["queryString"], params.get("aggregationField"), index
    )
    return {"statistics": statistics}


@operation("GetPercentiles")
def get_percentiles(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    index = params.get("indexName") or THINGS_INDEX
    pairs = service.index_aggregations.percentiles(
        params["queryString"], params.get("aggregationField"), index, params.get("percents")
    )
    return {"percentiles": pairs}


@operation("GetBucketsAggregation")
def get_buckets_aggregation(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    index = params.get("indexName") or THINGS_INDEX
    terms = params["bucketsAggregationType"].get("termsAggregation") or {}
    total, buckets = service.index_aggregations.buckets(
        params["queryString"], params["aggregationField"], index, terms.get("maxBuckets")
    )
    return {"totalCount": total, "buckets": buckets}


@operation("CreateDynamicThingGroup")
def create_dynamic_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    group = service.thing_groups.create_dynamic(
        params["thingGroupName"], _query(params), params.get("thingGroupProperties")
    )
    tag_on_create(service, group.arn, params)
    return {
        "thingGroupName": group.name,
        "thingGroupArn": group.arn,
        "thingGroupId": group.group_id,
        **(group.query or {}),
    }


@operation("UpdateDynamicThingGroup")
def update_dynamic_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    version = service.thing_groups.update_dynamic(
        params["thingGroupName"],
        params["thingGroupProperties"],
        _query(params),
        expected_version=params.get("expectedVersion"),
    )
    return {"version": version}


@operation("DeleteDynamicThingGroup")
def delete_dynamic_thing_group(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.thing_groups.delete_dynamic(
        params["thingGroupName"], expected_version=params.get("expectedVersion")
    )
    return {}
