"""Fleet metrics: a query and an aggregation over a fleet index, whose values AWS IoT emits to
CloudWatch every period, as the AWS IoT Developer Guide's "Fleet metrics" pages describe them:
namespace ``IoTFleetMetrics``, the metric's name, an ``AggregationType`` dimension per value
(``count``, ``sum``, ...). A ``count`` is emitted even when nothing matches (as 0); other values
only when there is something to aggregate (the guide's troubleshooting page).

The mock emits a metric's first data points when it is created or updated (AWS's first period),
and the next ones when a test asks (``IotCerts.emit_fleet_metrics``); with moto's
``mock_aws()`` active they land in moto's CloudWatch, and always in ``fleet_metric_data``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, already_exists, invalid_request, not_found
from .._aws.moto import moto_active, moto_client
from .._core.ordered import Ordered
from .._core.resources import FleetMetric, FleetMetricDatum
from .._engines import aggregations
from ._scope import Scope
from .index_aggregations import Aggregations
from .indexing import THINGS_INDEX, Indexing

NAMESPACE = "IoTFleetMetrics"
QUERY_VERSION = "2017-09-30"
DEFAULT_PERCENTILES = tuple(f"p{int(p)}" for p in aggregations.DEFAULT_PERCENTS)


class FleetMetrics:
    def __init__(self, scope: Scope, indexing: Indexing, index_aggregations: Aggregations) -> None:
        self._scope = scope
        self._indexing = indexing
        self._aggregations = index_aggregations

    def create(self, name: str, settings: Mapping[str, Any]) -> FleetMetric:
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.fleet_metrics.get(name)
            if existing is not None:
                raise already_exists(f"The fleet metric {name} already exists.", name, existing.arn)
            checked = self._checked(settings)
            metric = FleetMetric(name, **self._scope.placement, settings=checked)
            state.fleet_metrics[name] = metric
        self.emit([metric])
        return metric

    def get(self, name: str) -> FleetMetric:
        with self._scope.store.lock:
            metric = self._scope.state.fleet_metrics.get(name)
            if metric is None:
                raise not_found(f"The fleet metric {name} does not exist.")
            return metric

    def in_order(self) -> Ordered[FleetMetric]:
        return self._scope.state.fleet_metrics.in_order

    def update(
        self, name: str, changes: Mapping[str, Any], expected_version: int | None
    ) -> FleetMetric:
        """The members given replace the metric's; its version moves on by one."""
        with self._scope.store.lock:
            metric = self.get(name)
            _check_version(metric, expected_version)
            metric.settings = self._checked({**metric.settings, **changes})
            metric.version += 1
            metric.last_modified_date = timestamp()
        self.emit([metric])
        return metric

    def delete(self, name: str, expected_version: int | None) -> None:
        """Deleting a fleet metric that does not exist is no error (the guide says so)."""
        state = self._scope.state
        with self._scope.store.lock:
            metric = state.fleet_metrics.get(name)
            if metric is None:
                return
            _check_version(metric, expected_version)
            state.tags.pop(metric.arn, None)
            del state.fleet_metrics[name]

    def check_reconfiguration(self, changes: Mapping[str, Any]) -> None:
        """A custom field a fleet metric aggregates is neither changed nor removed (the
        guide's troubleshooting page: "Modifying custom fields used by existing fleet metrics
        is not supported")."""
        section = changes.get("thingIndexingConfiguration")
        if section is None:
            return
        config = self._indexing.configuration()["thingIndexingConfiguration"]
        before, after = _custom_types(config), _custom_types(section)
        with self._scope.store.lock:
            metrics = list(self._scope.state.fleet_metrics.values())
        for metric in metrics:
            field = metric.settings["aggregationField"]
            used = metric.settings["indexName"] == THINGS_INDEX and field in before
            if used and after.get(field) != before[field]:
                raise invalid_request(
                    f"The custom field {field} is used by the fleet metric {metric.name}; "
                    "delete the fleet metric before you change or remove the field."
                )

    def emit(self, metrics: Iterable[FleetMetric] | None = None) -> list[FleetMetricDatum]:
        """Evaluate the metrics (all of them by default) now: their data points, kept in
        ``fleet_metric_data`` and, with moto active, put in moto's CloudWatch."""
        with self._scope.store.lock:
            chosen = list(self._scope.state.fleet_metrics.values() if metrics is None else metrics)
            data = [datum for metric in chosen for datum in self._data_of(metric)]
            self._scope.state.fleet_metric_data.extend(data)
        if data and moto_active():
            _to_cloudwatch(self._scope.region, data)
        return data

    def _checked(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """The settings as kept, once the period, index, field, query and aggregation are
        known to be ones AWS accepts; the modeled error otherwise."""
        if settings["period"] % 60:
            raise invalid_request(
                f"The period {settings['period']} is not a multiple of 60 seconds."
            )
        index = settings.get("indexName") or THINGS_INDEX
        field = settings["aggregationField"]
        kind = self._aggregations.type_of(field, index)
        self._aggregations.check_query(settings["queryString"], index)
        _check_aggregation(settings["aggregationType"], field, kind)
        return {
            **settings,
            "indexName": index,
            "queryVersion": settings.get("queryVersion") or QUERY_VERSION,
        }

    def _data_of(self, metric: FleetMetric) -> list[FleetMetricDatum]:
        settings = metric.settings
        try:
            values = self._evaluated(settings)
        except ServiceError:  # its index turned off since: nothing to emit
            return []
        now, unit = timestamp(), settings.get("unit") or "None"
        return [
            FleetMetricDatum(metric.name, name, float(value), unit, now)
            for name, value in values
            if value is not None
        ]

    def _evaluated(self, settings: Mapping[str, Any]) -> list[tuple[str, float | None]]:
        """Each value the aggregation type names, with what it is now (None: not emitted)."""
        query, field, index = (
            settings["queryString"],
            settings["aggregationField"],
            settings["indexName"],
        )
        kind = settings["aggregationType"]["name"]
        names = _value_names(settings["aggregationType"], self._aggregations.type_of(field, index))
        if kind == "Cardinality":
            found = self._aggregations.cardinality(query, field, index)
            return [(name, found or None) for name in names]
        if kind == "Percentiles":
            percents = [aggregations.percent_named(name) or 0.0 for name in names]
            pairs = self._aggregations.percentiles(query, field, index, percents)
            return [(name, pair.get("value")) for name, pair in zip(names, pairs, strict=True)]
        statistics = self._aggregations.statistics(query, field, index)
        return [(name, statistics.get(name)) for name in names]


def _check_version(metric: FleetMetric, expected: int | None) -> None:
    if expected is not None and expected != metric.version:
        raise ServiceError(
            "VersionConflictException",
            f"The fleet metric {metric.name} is at version {metric.version}, not {expected}.",
        )


def _custom_types(section: Mapping[str, Any]) -> dict[str, str]:
    return {
        field["name"]: field.get("type", "String") for field in section.get("customFields") or ()
    }


def _value_names(aggregation_type: Mapping[str, Any], kind: str) -> tuple[str, ...]:
    """The values an aggregation type emits: those it names, or (naming none) all of them."""
    given = tuple(aggregation_type.get("values") or ())
    if given:
        return given
    name = aggregation_type["name"]
    if name == "Cardinality":
        return ("cardinality",)
    return DEFAULT_PERCENTILES if name == "Percentiles" else aggregations.STATISTICS[kind]


def _check_aggregation(aggregation_type: Mapping[str, Any], field: str, kind: str) -> None:
    """Statistics give what the field's type allows; percentiles need a Number field and name
    percents (``p50`` or ``50``); cardinality gives ``cardinality``."""
    name = aggregation_type["name"]
    if name == "Percentiles" and kind != "Number":
        raise ServiceError(
            "InvalidAggregationException",
            f"A Percentiles fleet metric aggregates a Number field; {field} is a {kind} field.",
        )
    for value in _value_names(aggregation_type, kind):
        if name == "Percentiles":
            allowed = aggregations.percent_named(value) is not None
        elif name == "Cardinality":
            allowed = value == "cardinality"
        else:
            allowed = value in aggregations.STATISTICS[kind]
        if not allowed:
            raise ServiceError(
                "InvalidAggregationException",
                f"{value} is not a value of a {name} fleet metric on the {kind} field {field}.",
            )


def _to_cloudwatch(region: str, data: list[FleetMetricDatum]) -> None:
    """The data points in moto's CloudWatch, as AWS IoT puts them in CloudWatch."""
    moto_client("cloudwatch", region).put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": datum.metric_name,
                "Dimensions": [{"Name": "AggregationType", "Value": datum.aggregation_type}],
                "Value": datum.value,
                "Unit": datum.unit,
                "Timestamp": datum.timestamp,
            }
            for datum in data
        ],
    )
