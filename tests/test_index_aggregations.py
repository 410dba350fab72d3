"""Fleet indexing's aggregation queries through boto3, as the AWS IoT Developer Guide's
"Querying for aggregate data" describes them: GetStatistics by the field's type, GetCardinality,
GetPercentiles and GetBucketsAggregation, on managed fields and on the custom fields a
configuration declares (and on nothing else)."""

from __future__ import annotations

import statistics as stats
from typing import Any

import pytest

NUMBER, STRING, BOOLEAN = "Number", "String", "Boolean"


def configure(client: Any, mode: str = "REGISTRY", **custom: str) -> None:
    fields = [{"name": f"attributes.{name}", "type": kind} for name, kind in custom.items()]
    client.update_indexing_configuration(
        thingIndexingConfiguration={"thingIndexingMode": mode, "customFields": fields}
    )


@pytest.fixture
def lamps(client: Any) -> Any:
    """Three lamps and a fan: a temperature (one unreadable), a floor, and whether it is on."""
    things = {
        "lamp-1": {"temp": "25", "floor": "2", "on": "true"},
        "lamp-2": {"temp": "31", "floor": "3", "on": "false"},
        "lamp-3": {"temp": "warm", "floor": "2", "on": "true"},
        "fan-1": {"temp": "9", "floor": "2"},
    }
    for name, attributes in things.items():
        client.create_thing(thingName=name, attributePayload={"attributes": attributes})
    configure(client, temp=NUMBER, floor=STRING, on=BOOLEAN)
    return client


# -- the fields an index knows ----------------------------------------------------------------


def test_the_configuration_lists_the_managed_fields_of_each_data_source(client: Any) -> None:
    client.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY_AND_SHADOW",
            "thingConnectivityIndexingMode": "STATUS",
            "customFields": [{"name": "attributes.temp", "type": NUMBER}],
        },
        thingGroupIndexingConfiguration={"thingGroupIndexingMode": "ON"},
    )

    config = client.get_indexing_configuration()

    things = config["thingIndexingConfiguration"]
    managed = {field["name"]: field["type"] for field in things["managedFields"]}
    assert managed["thingName"] == STRING
    assert managed["registry.version"] == NUMBER
    assert managed["shadow.hasDelta"] == BOOLEAN
    assert managed["connectivity.connected"] == BOOLEAN
    assert "shadow.name.*.version" not in managed  # named shadows are not indexed
    assert things["customFields"] == [{"name": "attributes.temp", "type": NUMBER}]
    groups = config["thingGroupIndexingConfiguration"]
    assert {field["name"] for field in groups["managedFields"]} >= {"thingGroupName", "version"}


def test_a_registry_index_has_registry_fields_only(client: Any) -> None:
    configure(client)

    things = client.get_indexing_configuration()["thingIndexingConfiguration"]

    assert sorted(field["name"] for field in things["managedFields"]) == [
        "registry.thingGroupNames",
        "registry.thingTypeName",
        "registry.version",
        "thingId",
        "thingName",
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_statistics(queryString="*", aggregationField="attributes.colour"),
        lambda c: c.get_cardinality(queryString="*", aggregationField="attributes.colour"),
        lambda c: c.get_percentiles(queryString="*", aggregationField="attributes.colour"),
        lambda c: c.get_buckets_aggregation(
            queryString="*",
            aggregationField="attributes.colour",
            bucketsAggregationType={"termsAggregation": {}},
        ),
    ],
)
def test_a_field_neither_managed_nor_custom_is_not_aggregated(lamps: Any, call: Any) -> None:
    with pytest.raises(lamps.exceptions.InvalidAggregationException, match="customFields"):
        call(lamps)


def test_an_aggregation_without_the_index_is_resource_not_found(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_statistics(queryString="*")


# -- GetStatistics ----------------------------------------------------------------------------


def test_statistics_of_a_number_field_leave_out_values_that_are_not_numbers(lamps: Any) -> None:
    found = lamps.get_statistics(queryString="*", aggregationField="attributes.temp")["statistics"]

    temps = [25.0, 31.0, 9.0]  # lamp-3's "warm" is left out
    assert found["count"] == 3
    assert (found["minimum"], found["maximum"], found["sum"]) == (9.0, 31.0, 65.0)
    assert found["average"] == pytest.approx(stats.mean(temps))
    assert found["sumOfSquares"] == pytest.approx(sum(t * t for t in temps))
    assert found["variance"] == pytest.approx(stats.pvariance(temps))
    assert found["stdDeviation"] == pytest.approx(stats.pstdev(temps))


def test_statistics_of_a_string_field_count_the_things_that_have_it(lamps: Any) -> None:
    found = lamps.get_statistics(queryString="attributes.floor:2", aggregationField="thingName")

    assert found["statistics"] == {"count": 3}


def test_statistics_of_a_boolean_field_give_the_share_that_is_true(lamps: Any) -> None:
    found = lamps.get_statistics(queryString="*", aggregationField="attributes.on")["statistics"]

    assert found["count"] == 3  # the fan has no "on"
    assert found["average"] == pytest.approx(2 / 3)
    assert (found["minimum"], found["maximum"], found["sum"]) == (0.0, 1.0, 2.0)


def test_statistics_read_registry_version_when_no_field_is_named(lamps: Any) -> None:
    lamps.update_thing(thingName="lamp-2", attributePayload={"attributes": {"temp": "30"}})

    found = lamps.get_statistics(queryString="thingName:lamp*")["statistics"]

    assert found["count"] == 3
    assert (found["minimum"], found["maximum"], found["sum"]) == (1.0, 2.0, 4.0)


# -- GetCardinality ---------------------------------------------------------------------------


def test_cardinality_counts_distinct_values(lamps: Any) -> None:
    floors = lamps.get_cardinality(queryString="*", aggregationField="attributes.floor")
    names = lamps.get_cardinality(queryString="attributes.floor:2")

    assert (floors["cardinality"], names["cardinality"]) == (2, 3)


# -- GetPercentiles ---------------------------------------------------------------------------


@pytest.fixture
def hundred(client: Any) -> Any:
    """Things whose attributes.load is 0, 1, ..., 100: the p-th percentile is p."""
    for load in range(101):
        client.create_thing(
            thingName=f"meter-{load}", attributePayload={"attributes": {"load": str(load)}}
        )
    configure(client, load=NUMBER)
    return client


def test_percentiles_default_to_aws_groupings(hundred: Any) -> None:
    found = hundred.get_percentiles(queryString="*", aggregationField="attributes.load")

    assert found["percentiles"] == [
        {"percent": p, "value": p} for p in (1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0)
    ]


def test_percentiles_asked_for_and_between_values(hundred: Any) -> None:
    few = hundred.get_percentiles(
        queryString="thingName:meter-1*", aggregationField="attributes.load", percents=[0, 50]
    )  # 1, 10-19, 100: twelve values
    some = hundred.get_percentiles(
        queryString="*", aggregationField="attributes.load", percents=[12.5, 100]
    )

    assert few["percentiles"] == [{"percent": 0.0, "value": 1.0}, {"percent": 50.0, "value": 14.5}]
    assert some["percentiles"] == [
        {"percent": 12.5, "value": 12.5},
        {"percent": 100.0, "value": 100.0},
    ]


def test_percentiles_of_no_values_give_the_percents_alone(hundred: Any) -> None:
    found = hundred.get_percentiles(
        queryString="thingName:nothing", aggregationField="attributes.load", percents=[50]
    )

    assert found["percentiles"] == [{"percent": 50.0}]


def test_percentiles_of_a_field_that_is_not_a_number_are_refused(lamps: Any) -> None:
    with pytest.raises(lamps.exceptions.InvalidAggregationException, match="Number"):
        lamps.get_percentiles(queryString="*", aggregationField="attributes.floor")


def test_a_percent_past_100_is_a_validation_error(hundred: Any) -> None:
    with pytest.raises(hundred.exceptions.InvalidRequestException):
        hundred.get_percentiles(queryString="*", aggregationField="attributes.load", percents=[101])


# -- GetBucketsAggregation --------------------------------------------------------------------


def buckets(client: Any, field: str, query: str = "*", **terms: int) -> dict[str, Any]:
    return client.get_buckets_aggregation(  # type: ignore[no-any-return]
        queryString=query,
        aggregationField=field,
        bucketsAggregationType={"termsAggregation": terms},
    )


def test_buckets_rank_values_by_how_many_things_have_them(lamps: Any) -> None:
    found = buckets(lamps, "attributes.floor")

    assert found["totalCount"] == 4
    assert found["buckets"] == [{"keyValue": "2", "count": 3}, {"keyValue": "3", "count": 1}]


def test_max_buckets_keeps_the_most_frequent(lamps: Any) -> None:
    found = buckets(lamps, "attributes.on", maxBuckets=1)

    assert found["buckets"] == [{"keyValue": "true", "count": 2}]


def test_buckets_default_to_ten(client: Any) -> None:
    for n in range(12):
        client.create_thing(thingName=f"t{n}", attributePayload={"attributes": {"batch": f"b{n}"}})
    configure(client, batch=STRING)

    found = buckets(client, "attributes.batch")

    assert found["totalCount"] == 12
    assert len(found["buckets"]) == 10
    assert found["buckets"][0] == {"keyValue": "b0", "count": 1}  # equal counts: by value


def test_buckets_of_a_thing_s_groups_count_each_group(lamps: Any) -> None:
    for group, members in {"north": ["lamp-1", "lamp-2"], "south": ["lamp-2"]}.items():
        lamps.create_thing_group(thingGroupName=group)
        for thing in members:
            lamps.add_thing_to_thing_group(thingGroupName=group, thingName=thing)

    found = buckets(lamps, "registry.thingGroupNames", query="thingName:lamp*")

    assert found["totalCount"] == 3
    assert found["buckets"] == [
        {"keyValue": "north", "count": 2},
        {"keyValue": "south", "count": 1},
    ]


def test_the_thing_groups_index_aggregates_its_own_fields(client: Any) -> None:
    client.create_thing_group(thingGroupName="site")
    for name in ("floor-1", "floor-2"):
        client.create_thing_group(thingGroupName=name, parentGroupName="site")
    client.update_indexing_configuration(
        thingGroupIndexingConfiguration={"thingGroupIndexingMode": "ON"}
    )

    found = client.get_buckets_aggregation(
        indexName="AWS_ThingGroups",
        queryString="thingGroupName:*",
        aggregationField="parentGroupNames",
        bucketsAggregationType={"termsAggregation": {}},
    )
    versions = client.get_statistics(indexName="AWS_ThingGroups", queryString="*")

    assert found == {**found, "totalCount": 3, "buckets": [{"keyValue": "site", "count": 2}]}
    assert versions["statistics"]["count"] == 3
