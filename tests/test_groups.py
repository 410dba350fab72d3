"""Static thing groups and billing groups through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_iotcerts import IotCerts


@pytest.fixture
def building(client: Any) -> Any:
    """building > floor-1 > room-101, and a second root, fleet."""
    client.create_thing_group(thingGroupName="building")
    client.create_thing_group(thingGroupName="floor-1", parentGroupName="building")
    client.create_thing_group(thingGroupName="room-101", parentGroupName="floor-1")
    client.create_thing_group(thingGroupName="fleet")
    for name in ("lamp", "fan"):
        client.create_thing(thingName=name)
    return client


def group_names(groups: list[dict[str, str]]) -> list[str]:
    return [group["groupName"] for group in groups]


def test_a_hierarchy_describes_its_ancestors(building: Any) -> None:
    room = building.describe_thing_group(thingGroupName="room-101")

    assert room["thingGroupArn"] == "arn:aws:iot:us-east-1:123456789012:thinggroup/room-101"
    assert room["thingGroupMetadata"]["parentGroupName"] == "floor-1"
    assert group_names(room["thingGroupMetadata"]["rootToParentThingGroups"]) == [
        "building",
        "floor-1",
    ]


def test_list_thing_groups_by_parent_prefix_and_recursion(building: Any) -> None:
    everything = building.list_thing_groups()["thingGroups"]
    children = building.list_thing_groups(parentGroup="building")["thingGroups"]
    descendants = building.list_thing_groups(parentGroup="building", recursive=True)["thingGroups"]
    prefixed = building.list_thing_groups(namePrefixFilter="f")["thingGroups"]

    assert group_names(everything) == ["building", "floor-1", "room-101", "fleet"]
    assert group_names(children) == ["floor-1"]
    assert group_names(descendants) == ["floor-1", "room-101"]
    assert group_names(prefixed) == ["floor-1", "fleet"]


def test_things_in_groups_recursively(building: Any) -> None:
    building.add_thing_to_thing_group(thingGroupName="room-101", thingName="lamp")
    building.add_thing_to_thing_group(thingGroupName="building", thingName="fan")
    building.add_thing_to_thing_group(thingGroupName="fleet", thingName="lamp")

    direct = building.list_things_in_thing_group(thingGroupName="building")["things"]
    recursive = building.list_things_in_thing_group(thingGroupName="building", recursive=True)
    of_lamp = building.list_thing_groups_for_thing(thingName="lamp")["thingGroups"]

    assert direct == ["fan"]
    assert recursive["things"] == ["lamp", "fan"]
    assert group_names(of_lamp) == ["room-101", "fleet"]


def test_a_thing_is_in_one_group_of_a_hierarchy(iot_certs: IotCerts, building: Any) -> None:
    building.add_thing_to_thing_group(thingGroupName="floor-1", thingName="lamp")

    with pytest.raises(building.exceptions.InvalidRequestException, match="same hierarchy"):
        building.add_thing_to_thing_group(thingGroupName="room-101", thingName="lamp")

    assert [t.thing_groups for t in iot_certs.things if t.name == "lamp"] == [["floor-1"]]


def test_a_thing_is_in_ten_groups_at_most(building: Any) -> None:
    for index in range(10):
        building.create_thing_group(thingGroupName=f"root-{index}")
        building.add_thing_to_thing_group(thingGroupName=f"root-{index}", thingName="fan")

    with pytest.raises(building.exceptions.InvalidRequestException, match="10 thing groups"):
        building.add_thing_to_thing_group(thingGroupName="fleet", thingName="fan")


def test_a_hierarchy_is_seven_levels_deep_at_most(client: Any) -> None:
    client.create_thing_group(thingGroupName="level-1")
    for level in range(2, 8):
        client.create_thing_group(
            thingGroupName=f"level-{level}", parentGroupName=f"level-{level - 1}"
        )

    with pytest.raises(client.exceptions.InvalidRequestException, match="7 levels"):
        client.create_thing_group(thingGroupName="level-8", parentGroupName="level-7")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_thing_group(thingGroupName="orphan", parentGroupName="nothing")


def test_update_thing_groups_for_thing_by_name_and_arn(building: Any) -> None:
    building.update_thing_groups_for_thing(thingName="lamp", thingGroupsToAdd=["fleet", "floor-1"])
    building.update_thing_groups_for_thing(
        thingName="lamp", thingGroupsToAdd=["room-101"], thingGroupsToRemove=["floor-1"]
    )
    fleet_arn = building.describe_thing_group(thingGroupName="fleet")["thingGroupArn"]
    building.remove_thing_from_thing_group(thingGroupArn=fleet_arn, thingName="lamp")

    assert group_names(building.list_thing_groups_for_thing(thingName="lamp")["thingGroups"]) == [
        "room-101"
    ]
    with pytest.raises(building.exceptions.ResourceNotFoundException):
        building.update_thing_groups_for_thing(thingName="lamp", thingGroupsToAdd=["nothing"])


def test_update_and_delete_with_expected_versions(building: Any) -> None:
    version = building.update_thing_group(
        thingGroupName="fleet",
        thingGroupProperties={"attributePayload": {"attributes": {"site": "north"}}},
    )["version"]

    with pytest.raises(building.exceptions.VersionConflictException):
        building.update_thing_group(
            thingGroupName="fleet", thingGroupProperties={}, expectedVersion=1
        )
    with pytest.raises(building.exceptions.InvalidRequestException, match="child groups"):
        building.delete_thing_group(thingGroupName="floor-1")
    building.add_thing_to_thing_group(thingGroupName="fleet", thingName="fan")
    building.delete_thing_group(thingGroupName="fleet", expectedVersion=2)
    building.delete_thing_group(thingGroupName="fleet")  # already gone: succeeds

    assert version == 2
    assert building.list_thing_groups_for_thing(thingName="fan")["thingGroups"] == []


def test_deleting_a_thing_takes_it_out_of_its_groups(building: Any) -> None:
    building.add_thing_to_thing_group(thingGroupName="fleet", thingName="fan")
    building.delete_thing(thingName="fan")

    assert building.list_things_in_thing_group(thingGroupName="fleet")["things"] == []


def test_billing_groups(client: Any) -> None:
    created = client.create_billing_group(
        billingGroupName="lab",
        billingGroupProperties={"billingGroupDescription": "lab devices"},
        tags=[{"Key": "cost-center", "Value": "42"}],
    )
    client.create_billing_group(billingGroupName="field")
    client.create_thing(thingName="scope", billingGroupName="lab")
    client.create_thing(thingName="probe")
    client.add_thing_to_billing_group(billingGroupName="lab", thingName="probe")

    with pytest.raises(client.exceptions.InvalidRequestException, match="one billing group"):
        client.add_thing_to_billing_group(billingGroupName="field", thingName="probe")
    client.remove_thing_from_billing_group(billingGroupName="lab", thingName="probe")
    client.add_thing_to_billing_group(billingGroupArn=created["billingGroupArn"], thingName="probe")
    described = client.describe_billing_group(billingGroupName="lab")

    assert client.list_things_in_billing_group(billingGroupName="lab")["things"] == [
        "scope",
        "probe",
    ]
    assert client.describe_thing(thingName="scope")["billingGroupName"] == "lab"
    assert described["billingGroupProperties"] == {"billingGroupDescription": "lab devices"}
    assert client.list_tags_for_resource(resourceArn=created["billingGroupArn"])["tags"] == [
        {"Key": "cost-center", "Value": "42"}
    ]
    assert group_names(client.list_billing_groups(namePrefixFilter="l")["billingGroups"]) == ["lab"]
    client.delete_billing_group(billingGroupName="lab")
    assert "billingGroupName" not in client.describe_thing(thingName="scope")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_thing(thingName="x", billingGroupName="nothing")


def test_group_listings_page(client: Any) -> None:
    for index in range(5):
        client.create_thing_group(thingGroupName=f"g{index}")

    pages = client.get_paginator("list_thing_groups").paginate(PaginationConfig={"PageSize": 2})

    assert [group_names(page["thingGroups"]) for page in pages] == [
        ["g0", "g1"],
        ["g2", "g3"],
        ["g4"],
    ]


def test_the_controller_seeds_and_inspects_groups(iot_certs: IotCerts, client: Any) -> None:
    service = iot_certs.service()
    service.thing_groups.create("site")
    service.thing_groups.create("line-1", parent_name="site")
    iot_certs.create_thing("robot")
    service.thing_groups.add_thing("line-1", "robot")
    service.billing_groups.create("plant")
    service.billing_groups.add_thing("plant", "robot")

    listed = client.list_things_in_thing_group(thingGroupName="site", recursive=True)["things"]

    assert listed == ["robot"]
    assert [(g.name, g.parent_name, g.things) for g in iot_certs.thing_groups] == [
        ("site", None, []),
        ("line-1", "site", ["robot"]),
    ]
    assert [t.billing_group_name for t in iot_certs.things] == ["plant"]
    assert [g.things for g in iot_certs.billing_groups] == [["robot"]]
