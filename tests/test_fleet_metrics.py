"""Fleet metrics through boto3, as the AWS IoT Developer Guide's "Fleet metrics" pages (the
getting-started tutorial, "Managing fleet metrics", the troubleshooting page) describe them: an
aggregation query over a fleet index, managed like any resource, whose values are emitted to
CloudWatch (namespace IoTFleetMetrics, dimension AggregationType) every period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pytest_iotcerts import IotCerts

TEMPERATURES = (70, 71, 72, 73, 74, 75, 47, 97, 98, 99)  # the tutorial's ten sensors
HIGH_TEMP = "thingName:TempSensor* AND attributes.temperature > 80"


@pytest.fixture
def sensors(client: Any) -> Any:
    """The tutorial's set-up: indexing with three custom fields, and ten sensors."""
    client.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY_AND_SHADOW",
            "thingConnectivityIndexingMode": "STATUS",
            "customFields": [
                {"name": "attributes.temperature", "type": "Number"},
                {"name": "attributes.rackId", "type": "String"},
                {"name": "attributes.stateNormal", "type": "Boolean"},
            ],
        }
    )
    for n, temperature in enumerate(TEMPERATURES):
        attributes = {"temperature": str(temperature), "stateNormal": str(temperature < 80)}
        client.create_thing(
            thingName=f"TempSensor{n}",
            attributePayload={"attributes": {**attributes, "rackId": f"Rack{n // 2}"}},
        )
    return client


def create(client: Any, name: str = "high_temp_FM", **changes: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "queryString": HIGH_TEMP,
        "period": 60,
        "aggregationField": "attributes.temperature",
        "aggregationType": {"name": "Statistics", "values": ["count"]},
        **changes,
    }
    return client.create_fleet_metric(metricName=name, **settings)  # type: ignore[no-any-return]


def emitted(iot_certs: IotCerts, name: str = "high_temp_FM") -> dict[str, float]:
    """The latest value of each aggregation type the metric emitted."""
    return {d.aggregation_type: d.value for d in iot_certs.fleet_metric_data(name)}


# -- managing a fleet metric ------------------------------------------------------------------


def test_the_tutorial_metric_is_created_and_described(sensors: Any) -> None:
    created = create(sensors)

    described = sensors.describe_fleet_metric(metricName="high_temp_FM")

    arn = "arn:aws:iot:us-east-1:123456789012:fleetmetric/high_temp_FM"
    assert (created["metricName"], created["metricArn"]) == ("high_temp_FM", arn)
    assert described == {
        **described,
        "metricArn": arn,
        "queryString": HIGH_TEMP,
        "period": 60,
        "aggregationField": "attributes.temperature",
        "aggregationType": {"name": "Statistics", "values": ["count"]},
        "indexName": "AWS_Things",
        "queryVersion": "2017-09-30",
        "version": 1,
    }
    assert described["creationDate"] == described["lastModifiedDate"]


def test_an_update_replaces_what_it_names_and_moves_the_version_on(sensors: Any) -> None:
    create(sensors, description="hot sensors", unit="Count")

    sensors.update_fleet_metric(
        metricName="high_temp_FM",
        queryString="*",
        period=120,
        aggregationField="registry.version",
        aggregationType={"name": "Statistics", "values": ["sum", "count"]},
        indexName="AWS_Things",
    )

    described = sensors.describe_fleet_metric(metricName="high_temp_FM")
    assert (described["version"], described["period"], described["queryString"]) == (2, 120, "*")
    assert described["aggregationType"]["values"] == ["sum", "count"]
    assert (described["description"], described["unit"]) == ("hot sensors", "Count")
    assert described["lastModifiedDate"] >= described["creationDate"]


def test_expected_version_guards_update_and_delete(sensors: Any) -> None:
    create(sensors)

    for call in (
        lambda: sensors.update_fleet_metric(
            metricName="high_temp_FM", indexName="AWS_Things", period=300, expectedVersion=2
        ),
        lambda: sensors.delete_fleet_metric(metricName="high_temp_FM", expectedVersion=2),
    ):
        with pytest.raises(sensors.exceptions.VersionConflictException):
            call()

    described = sensors.describe_fleet_metric(metricName="high_temp_FM")
    assert (described["version"], described["period"]) == (1, 60)
    sensors.delete_fleet_metric(metricName="high_temp_FM", expectedVersion=1)
    with pytest.raises(sensors.exceptions.ResourceNotFoundException):
        sensors.describe_fleet_metric(metricName="high_temp_FM")


def test_deleting_a_metric_that_does_not_exist_is_no_error(sensors: Any) -> None:
    sensors.delete_fleet_metric(metricName="never_made")


def test_a_name_is_taken_once(sensors: Any) -> None:
    create(sensors)

    with pytest.raises(sensors.exceptions.ResourceAlreadyExistsException):
        create(sensors, queryString="*")


def test_metrics_list_page_by_page_and_carry_tags(sensors: Any) -> None:
    for n in range(5):
        create(sensors, f"metric_{n}", tags=[{"Key": "team", "Value": f"t{n}"}])

    pages = sensors.get_paginator("list_fleet_metrics").paginate(PaginationConfig={"PageSize": 2})
    names = [m["metricName"] for page in pages for m in page["fleetMetrics"]]

    assert names == [f"metric_{n}" for n in range(5)]
    arn = sensors.describe_fleet_metric(metricName="metric_3")["metricArn"]
    assert sensors.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"Key": "team", "Value": "t3"}
    ]


# -- what AWS refuses, changing nothing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"period": 90}, "InvalidRequestException"),  # a multiple of 60
        ({"queryString": "attributes.temperature >"}, "InvalidQueryException"),
        ({"aggregationField": "attributes.colour"}, "InvalidAggregationException"),
        (
            {"aggregationField": "attributes.rackId", "aggregationType": {"name": "Percentiles"}},
            "InvalidAggregationException",
        ),
        (
            {"aggregationType": {"name": "Statistics", "values": ["median"]}},
            "InvalidAggregationException",
        ),
        (
            {
                "aggregationField": "attributes.rackId",
                "aggregationType": {"name": "Statistics", "values": ["sum"]},
            },
            "InvalidAggregationException",
        ),
        (
            {"aggregationType": {"name": "Percentiles", "values": ["p101"]}},
            "InvalidAggregationException",
        ),
        ({"indexName": "AWS_ThingGroups"}, "ResourceNotFoundException"),
    ],
)
def test_a_metric_aws_would_refuse_is_not_made(
    sensors: Any, changes: dict[str, Any], error: str
) -> None:
    with pytest.raises(getattr(sensors.exceptions, error)):
        create(sensors, **changes)

    assert sensors.list_fleet_metrics()["fleetMetrics"] == []


def test_a_refused_update_leaves_the_metric_as_it_was(sensors: Any) -> None:
    create(sensors)

    with pytest.raises(sensors.exceptions.InvalidQueryException):
        sensors.update_fleet_metric(
            metricName="high_temp_FM", indexName="AWS_Things", queryString="(unclosed"
        )

    described = sensors.describe_fleet_metric(metricName="high_temp_FM")
    assert (described["version"], described["queryString"]) == (1, HIGH_TEMP)


def test_a_custom_field_a_metric_uses_is_not_changed(sensors: Any) -> None:
    create(sensors)
    config = sensors.get_indexing_configuration()["thingIndexingConfiguration"]
    config.pop("managedFields")
    kept = [f for f in config["customFields"] if f["name"] != "attributes.temperature"]

    for fields in (kept, [*kept, {"name": "attributes.temperature", "type": "String"}]):
        with pytest.raises(sensors.exceptions.InvalidRequestException, match="high_temp_FM"):
            sensors.update_indexing_configuration(
                thingIndexingConfiguration={**config, "customFields": fields}
            )

    sensors.delete_fleet_metric(metricName="high_temp_FM")
    sensors.update_indexing_configuration(
        thingIndexingConfiguration={**config, "customFields": kept}
    )


# -- what a metric emits ------------------------------------------------------------------------


def test_a_new_metric_emits_its_first_data_point(iot_certs: IotCerts, sensors: Any) -> None:
    create(sensors)

    assert emitted(iot_certs) == {"count": 3.0}  # 97, 98, 99


def test_each_emission_reads_the_fleet_as_it_is_then(iot_certs: IotCerts, sensors: Any) -> None:
    create(sensors)
    sensors.update_thing(
        thingName="TempSensor0", attributePayload={"attributes": {"temperature": "85"}}
    )

    data = iot_certs.emit_fleet_metrics()

    assert [(d.metric_name, d.aggregation_type, d.value) for d in data] == [
        ("high_temp_FM", "count", 4.0)
    ]
    assert [d.value for d in iot_certs.fleet_metric_data("high_temp_FM")] == [3.0, 4.0]


def test_statistics_emit_each_value_asked_for(iot_certs: IotCerts, sensors: Any) -> None:
    values = ["count", "sum", "average", "minimum", "maximum"]
    create(sensors, aggregationType={"name": "Statistics", "values": values}, unit="None")

    assert emitted(iot_certs) == {
        "count": 3.0,
        "sum": 294.0,
        "average": 98.0,
        "minimum": 97.0,
        "maximum": 99.0,
    }


def test_percentiles_and_cardinality_emit_their_values(iot_certs: IotCerts, sensors: Any) -> None:
    create(
        sensors,
        "temperature_spread",
        queryString="thingName:TempSensor*",
        aggregationType={"name": "Percentiles", "values": ["p50", "99"]},
    )
    create(
        sensors,
        "racks",
        queryString="thingName:TempSensor*",
        aggregationField="attributes.rackId",
        aggregationType={"name": "Cardinality", "values": ["cardinality"]},
    )

    spread = emitted(iot_certs, "temperature_spread")
    assert spread["p50"] == pytest.approx(73.5)
    assert spread["99"] == pytest.approx(98.91)
    assert emitted(iot_certs, "racks") == {"cardinality": 5.0}


def test_with_no_match_only_count_is_emitted_as_zero(iot_certs: IotCerts, sensors: Any) -> None:
    """The troubleshooting page: "The data points of the value count is always 0"; other
    values have no data points."""
    create(
        sensors,
        queryString="attributes.temperature > 200",
        aggregationType={"name": "Statistics", "values": ["count", "average"]},
    )

    assert emitted(iot_certs) == {"count": 0.0}


def test_data_points_land_in_motos_cloudwatch(iot_certs: IotCerts, sensors: Any) -> None:
    with mock_aws():
        create(sensors, aggregationType={"name": "Statistics", "values": ["count", "maximum"]})

        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        listed = cloudwatch.list_metrics(Namespace="IoTFleetMetrics")["Metrics"]
        found = cloudwatch.get_metric_statistics(
            Namespace="IoTFleetMetrics",
            MetricName="high_temp_FM",
            Dimensions=[{"Name": "AggregationType", "Value": "maximum"}],
            StartTime=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5),
            EndTime=dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5),
            Period=60,
            Statistics=["Maximum"],
        )

    dimensions = sorted(m["Dimensions"][0]["Value"] for m in listed)
    assert dimensions == ["count", "maximum"]
    assert [point["Maximum"] for point in found["Datapoints"]] == [99.0]
