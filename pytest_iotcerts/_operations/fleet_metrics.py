"""Wire adapters for fleet metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.resources import FleetMetric
from .._service import IotService
from ._common import chosen, operation, page_by_token
from .tags import tag_on_create

SETTINGS = (
    "queryString",
    "aggregationType",
    "period",
    "aggregationField",
    "description",
    "queryVersion",
    "indexName",
    "unit",
)


def _named(metric: FleetMetric) -> dict[str, Any]:
    return {"metricName": metric.name, "metricArn": metric.arn}


@operation("CreateFleetMetric")
def create_fleet_metric(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    metric = service.fleet_metrics.create(params["metricName"], chosen(params, SETTINGS))
    tag_on_create(service, metric.arn, params)
    return _named(metric)


@operation("DescribeFleetMetric")
def describe_fleet_metric(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    metric = service.fleet_metrics.get(params["metricName"])
    return {
        **_named(metric),
        **metric.settings,
        "creationDate": metric.creation_date,
        "lastModifiedDate": metric.last_modified_date,
        "version": metric.version,
    }


@operation("ListFleetMetrics")
def list_fleet_metrics(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    picked, token = page_by_token(service.fleet_metrics.in_order(), params)
    return {"fleetMetrics": [_named(metric) for metric in picked], "nextToken": token}


@operation("UpdateFleetMetric")
def update_fleet_metric(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.fleet_metrics.update(
        params["metricName"], chosen(params, SETTINGS), params.get("expectedVersion")
    )
    return {}


@operation("DeleteFleetMetric")
def delete_fleet_metric(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.fleet_metrics.delete(params["metricName"], params.get("expectedVersion"))
    return {}
