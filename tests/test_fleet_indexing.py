"""Fleet indexing through boto3: configuration, indices, search with AWS's query syntax (parsed
by a Lucene query parser), and dynamic thing groups over the same queries."""

from __future__ import annotations

from typing import Any

import pytest

ON = {"thingIndexingConfiguration": {"thingIndexingMode": "REGISTRY"}}


@pytest.fixture
def registry(client: Any) -> Any:
    client.create_thing_type(thingTypeName="lamp")
    client.create_thing_group(thingGroupName="fleet")
    things = {
        "lamp-1": ({"floor": "2", "temp": "25"}, "lamp"),
        "lamp-2": ({"floor": "3", "temp": "31"}, "lamp"),
        "fan-1": ({"floor": "2", "temp": "9"}, None),
    }
    for name, (attributes, thing_type) in things.items():
        extra = {"thingTypeName": thing_type} if thing_type else {}
        client.create_thing(thingName=name, attributePayload={"attributes": attributes}, **extra)
    client.add_thing_to_thing_group(thingGroupName="fleet", thingName="fan-1")
    client.update_indexing_configuration(**ON)
    return client


def search(client: Any, query: str) -> list[str]:
    return [t["thingName"] for t in client.search_index(queryString=query)["things"]]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("thingName:lamp*", ["lamp-1", "lamp-2"]),
        ("thingName:lamp-?", ["lamp-1", "lamp-2"]),
        ("attributes.floor:2", ["lamp-1", "fan-1"]),
        ("attributes.floor:2 AND thingTypeName:lamp", ["lamp-1"]),
        ("attributes.floor:2 AND NOT thingTypeName:lamp", ["fan-1"]),
        ("thingTypeName:lamp OR thingGroupNames:fleet", ["lamp-1", "lamp-2", "fan-1"]),
        ("attributes.temp:[10 TO 30]", ["lamp-1"]),
        ("attributes.temp:{9 TO 31}", ["lamp-1"]),
        ("attributes.temp>25", ["lamp-2"]),
        ("attributes.temp>=25", ["lamp-1", "lamp-2"]),
        ("attributes.temp<10", ["fan-1"]),
        ('thingName:"fan-1"', ["fan-1"]),
        ("(thingName:fan* OR attributes.floor:3) AND attributes.temp>5", ["lamp-2", "fan-1"]),
        ("thingGroupNames:fleet", ["fan-1"]),
        ("attributes.colour:*", []),
    ],
)
def test_search_index_with_aws_query_syntax(registry: Any, query: str, found: list[str]) -> None:
    assert search(registry, query) == found


def test_search_documents_and_paging(registry: Any) -> None:
    first = registry.search_index(queryString="thingName:*", maxResults=2)
    rest = registry.search_index(queryString="thingName:*", nextToken=first["nextToken"])

    [lamp] = [t for t in first["things"] if t["thingName"] == "lamp-1"]
    assert lamp["attributes"] == {"floor": "2", "temp": "25"}
    assert (lamp["thingTypeName"], lamp["connectivity"]) == ("lamp", {"connected": False})
    assert [t["thingName"] for t in first["things"] + rest["things"]] == [
        "lamp-1",
        "lamp-2",
        "fan-1",
    ]
    assert "nextToken" not in rest


@pytest.mark.parametrize("query", ["thingName:", "AND lamp", "(thingName:a", "attributes.x:[1 TO"])
def test_a_malformed_query_is_invalid_query_exception(registry: Any, query: str) -> None:
    with pytest.raises(registry.exceptions.InvalidQueryException):
        registry.search_index(queryString=query)


def test_indexing_off_means_no_index(client: Any) -> None:
    configuration = client.get_indexing_configuration()

    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.search_index(queryString="thingName:*")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_index(indexName="AWS_Things")
    assert configuration["thingIndexingConfiguration"]["thingIndexingMode"] == "OFF"
    assert client.list_indices()["indexNames"] == []


def test_indices_follow_the_configuration(client: Any) -> None:
    client.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY_AND_SHADOW",
            "thingConnectivityIndexingMode": "STATUS",
        },
        thingGroupIndexingConfiguration={"thingGroupIndexingMode": "ON"},
    )
    client.create_thing_group(
        thingGroupName="north",
        thingGroupProperties={"thingGroupDescription": "north wing"},
    )

    described = client.describe_index(indexName="AWS_Things")
    groups = client.search_index(indexName="AWS_ThingGroups", queryString="thingGroupName:nor*")

    assert client.list_indices()["indexNames"] == ["AWS_Things", "AWS_ThingGroups"]
    assert (described["indexStatus"], described["schema"]) == (
        "ACTIVE",
        "REGISTRY_AND_SHADOW_AND_CONNECTIVITY_STATUS",
    )
    assert [g["thingGroupDescription"] for g in groups["thingGroups"]] == ["north wing"]
    assert (
        client.get_indexing_configuration()["thingIndexingConfiguration"][
            "thingConnectivityIndexingMode"
        ]
        == "STATUS"
    )


def test_a_dynamic_group_holds_what_its_query_matches_now(registry: Any) -> None:
    created = registry.create_dynamic_thing_group(
        thingGroupName="warm", queryString="attributes.temp>20"
    )
    before = registry.list_things_in_thing_group(thingGroupName="warm")["things"]
    registry.update_thing(
        thingName="fan-1", attributePayload={"attributes": {"temp": "40"}, "merge": True}
    )
    after = registry.list_things_in_thing_group(thingGroupName="warm")["things"]
    described = registry.describe_thing_group(thingGroupName="warm")

    assert created["queryString"] == "attributes.temp>20"
    assert created["indexName"] == "AWS_Things"
    assert before == ["lamp-1", "lamp-2"]
    assert after == ["lamp-1", "lamp-2", "fan-1"]
    assert (described["queryString"], described["status"]) == ("attributes.temp>20", "ACTIVE")
    with pytest.raises(registry.exceptions.InvalidRequestException, match="dynamic"):
        registry.add_thing_to_thing_group(thingGroupName="warm", thingName="fan-1")


def test_a_dynamic_groups_members_page_with_botocores_paginator(registry: Any) -> None:
    for index in range(6):
        registry.create_thing(
            thingName=f"lamp-x{index}", attributePayload={"attributes": {"temp": "30"}}
        )
    registry.create_dynamic_thing_group(thingGroupName="warm", queryString="attributes.temp>20")

    pages = registry.get_paginator("list_things_in_thing_group").paginate(
        thingGroupName="warm", PaginationConfig={"PageSize": 3}
    )

    assert [page["things"] for page in pages] == [
        ["lamp-1", "lamp-2", "lamp-x0"],
        ["lamp-x1", "lamp-x2", "lamp-x3"],
        ["lamp-x4", "lamp-x5"],
    ]


def test_dynamic_group_update_delete_and_errors(registry: Any) -> None:
    registry.create_dynamic_thing_group(thingGroupName="warm", queryString="attributes.temp>20")

    version = registry.update_dynamic_thing_group(
        thingGroupName="warm", thingGroupProperties={}, queryString="attributes.temp>30"
    )["version"]
    narrowed = registry.list_things_in_thing_group(thingGroupName="warm")["things"]

    assert (version, narrowed) == (2, ["lamp-2"])
    with pytest.raises(registry.exceptions.InvalidQueryException):
        registry.create_dynamic_thing_group(thingGroupName="bad", queryString="attributes.temp>")
    with pytest.raises(registry.exceptions.VersionConflictException):
        registry.delete_dynamic_thing_group(thingGroupName="warm", expectedVersion=1)
    with pytest.raises(registry.exceptions.InvalidRequestException, match="static"):
        registry.delete_dynamic_thing_group(thingGroupName="fleet")
    registry.delete_dynamic_thing_group(thingGroupName="warm")
    assert [g["groupName"] for g in registry.list_thing_groups()["thingGroups"]] == ["fleet"]


def test_a_dynamic_group_needs_indexing_on(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_dynamic_thing_group(thingGroupName="warm", queryString="thingName:*")


def test_a_job_can_target_a_dynamic_group(registry: Any) -> None:
    arn = registry.create_dynamic_thing_group(
        thingGroupName="lamps", queryString="thingTypeName:lamp"
    )["thingGroupArn"]

    registry.create_job(jobId="dim", targets=[arn], document="{}")

    summaries = registry.list_job_executions_for_job(jobId="dim")["executionSummaries"]
    assert [s["thingArn"].rsplit("/", 1)[-1] for s in summaries] == ["lamp-1", "lamp-2"]


def test_a_continuous_job_on_a_dynamic_group_picks_up_things_that_start_matching(
    registry: Any,
) -> None:
    arn = registry.create_dynamic_thing_group(
        thingGroupName="hot", queryString="attributes.temp>30"
    )["thingGroupArn"]
    registry.create_job(jobId="cool", targets=[arn], document="{}", targetSelection="CONTINUOUS")

    registry.update_thing(
        thingName="fan-1", attributePayload={"attributes": {"temp": "45"}, "merge": True}
    )
    registry.create_thing(thingName="heater", attributePayload={"attributes": {"temp": "80"}})

    summaries = registry.list_job_executions_for_job(jobId="cool")["executionSummaries"]
    assert [s["thingArn"].rsplit("/", 1)[-1] for s in summaries] == ["lamp-2", "fan-1", "heater"]


def test_shadows_are_searched_when_indexed(client: Any) -> None:
    import json as _json

    import boto3

    client.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY_AND_SHADOW",
            "namedShadowIndexingMode": "ON",
            "filter": {"namedShadowNames": ["battery"]},
        }
    )
    data = boto3.client("iot-data", region_name="us-east-1")
    for name, temperature in (("oven", 230), ("fridge", 4)):
        client.create_thing(thingName=name)
        state = {"state": {"reported": {"temp": temperature, "door": {"open": False}}}}
        data.update_thing_shadow(thingName=name, payload=_json.dumps(state).encode())
    desired = {"state": {"desired": {"temp": 200}}}
    data.update_thing_shadow(thingName="oven", payload=_json.dumps(desired).encode())
    battery = {"state": {"reported": {"level": 15}}}
    data.update_thing_shadow(
        thingName="fridge", shadowName="battery", payload=_json.dumps(battery).encode()
    )

    def names(query: str) -> list[str]:
        return [t["thingName"] for t in client.search_index(queryString=query)["things"]]

    assert names("shadow.reported.temp>100") == ["oven"]
    assert names("shadow.reported.door.open:false") == ["oven", "fridge"]
    assert names("shadow.hasDelta:true") == ["oven"]
    assert names("shadow.name.battery.reported.level<20") == ["fridge"]
    [oven] = client.search_index(queryString="thingName:oven")["things"]
    shown = _json.loads(oven["shadow"])
    assert (shown["reported"]["temp"], shown["desired"]["temp"], shown["hasDelta"]) == (
        230,
        200,
        True,
    )
