"""The registry through boto3: listing and updating things, principals v2, thing types, tags."""

from __future__ import annotations

from typing import Any

import pytest
from models import needs

from pytest_iotcerts import IotCerts


def names(things: list[dict[str, Any]]) -> list[str]:
    return [thing["thingName"] for thing in things]


def test_list_things_filters_by_attribute_prefix_and_type(client: Any) -> None:
    client.create_thing_type(thingTypeName="lamp")
    client.create_thing(thingName="hall", attributePayload={"attributes": {"floor": "12"}})
    client.create_thing(
        thingName="desk", thingTypeName="lamp", attributePayload={"attributes": {"floor": "1"}}
    )
    client.create_thing(thingName="bare")

    exact = client.list_things(attributeName="floor", attributeValue="1")["things"]
    prefix = client.list_things(
        attributeName="floor", attributeValue="1", usePrefixAttributeValue=True
    )["things"]
    typed = client.list_things(thingTypeName="lamp")["things"]

    assert names(exact) == ["desk"]
    assert names(prefix) == ["hall", "desk"]
    assert typed == [
        {
            "thingName": "desk",
            "thingTypeName": "lamp",
            "thingArn": "arn:aws:iot:us-east-1:123456789012:thing/desk",
            "attributes": {"floor": "1"},
            "version": 1,
        }
    ]


def test_list_things_pages_with_real_tokens(client: Any) -> None:
    for index in range(7):
        client.create_thing(thingName=f"sensor-{index}")

    first = client.list_things(maxResults=3)
    pages = client.get_paginator("list_things").paginate(PaginationConfig={"PageSize": 3})

    assert names(first["things"]) == ["sensor-0", "sensor-1", "sensor-2"]
    assert isinstance(first["nextToken"], str)
    assert [names(page["things"]) for page in pages] == [
        ["sensor-0", "sensor-1", "sensor-2"],
        ["sensor-3", "sensor-4", "sensor-5"],
        ["sensor-6"],
    ]


def test_update_thing_replaces_or_merges_and_an_empty_value_removes(client: Any) -> None:
    client.create_thing(thingName="t", attributePayload={"attributes": {"a": "1", "b": "2"}})

    client.update_thing(
        thingName="t", attributePayload={"attributes": {"b": "", "c": "3"}, "merge": True}
    )
    merged = client.describe_thing(thingName="t")
    client.update_thing(thingName="t", attributePayload={"attributes": {"z": "9"}})
    replaced = client.describe_thing(thingName="t")

    assert (merged["attributes"], merged["version"]) == ({"a": "1", "c": "3"}, 2)
    assert (replaced["attributes"], replaced["version"]) == ({"z": "9"}, 3)


def test_update_thing_with_a_stale_version_is_a_conflict(client: Any) -> None:
    client.create_thing(thingName="t")
    client.update_thing(thingName="t", expectedVersion=1, attributePayload={"attributes": {}})

    with pytest.raises(client.exceptions.VersionConflictException) as raised:
        client.update_thing(thingName="t", expectedVersion=1, removeThingType=True)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert client.describe_thing(thingName="t")["version"] == 2


def test_update_thing_sets_and_removes_the_type(client: Any) -> None:
    client.create_thing_type(thingTypeName="lamp")
    client.create_thing(thingName="t")

    client.update_thing(thingName="t", thingTypeName="lamp")
    typed = client.describe_thing(thingName="t")["thingTypeName"]
    client.update_thing(thingName="t", removeThingType=True)

    assert typed == "lamp"
    assert "thingTypeName" not in client.describe_thing(thingName="t")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.update_thing(thingName="t", thingTypeName="no-such-type")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.update_thing(thingName="nobody", attributePayload={"attributes": {}})


def test_attribute_limits_depend_on_the_thing_type(client: Any) -> None:
    four = {f"k{i}": "v" for i in range(4)}
    client.create_thing_type(thingTypeName="rich")

    with pytest.raises(client.exceptions.InvalidRequestException, match="at most 3 attributes"):
        client.create_thing(thingName="plain", attributePayload={"attributes": four})
    client.create_thing(
        thingName="typed", thingTypeName="rich", attributePayload={"attributes": four}
    )
    with pytest.raises(client.exceptions.InvalidRequestException, match="at most 3 attributes"):
        client.update_thing(thingName="typed", removeThingType=True)

    assert client.describe_thing(thingName="typed")["thingTypeName"] == "rich"
    assert names(client.list_things()["things"]) == ["typed"]


@needs("ListThingPrincipalsV2")
def test_principals_v2_report_the_attachment_type(iot_certs: IotCerts, client: Any) -> None:
    exclusive, shared = iot_certs.issue_certificate(), iot_certs.issue_certificate()
    for name in ("a", "b"):
        client.create_thing(thingName=name)
    client.attach_thing_principal(
        thingName="a", principal=exclusive.arn, thingPrincipalType="EXCLUSIVE_THING"
    )
    for name in ("a", "b"):
        client.attach_thing_principal(thingName=name, principal=shared.arn)

    of_a = client.list_thing_principals_v2(thingName="a")["thingPrincipalObjects"]
    only_exclusive = client.list_thing_principals_v2(
        thingName="a", thingPrincipalType="EXCLUSIVE_THING"
    )["thingPrincipalObjects"]
    of_shared = client.list_principal_things_v2(principal=shared.arn)["principalThingObjects"]

    assert of_a == [
        {"principal": exclusive.arn, "thingPrincipalType": "EXCLUSIVE_THING"},
        {"principal": shared.arn, "thingPrincipalType": "NON_EXCLUSIVE_THING"},
    ]
    assert only_exclusive == of_a[:1]
    assert of_shared == [
        {"thingName": "a", "thingPrincipalType": "NON_EXCLUSIVE_THING"},
        {"thingName": "b", "thingPrincipalType": "NON_EXCLUSIVE_THING"},
    ]
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.attach_thing_principal(thingName="b", principal=exclusive.arn)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_thing_principals_v2(thingName="nobody")


def test_thing_type_lifecycle(client: Any) -> None:
    created = client.create_thing_type(
        thingTypeName="lamp",
        thingTypeProperties={"thingTypeDescription": "a lamp", "searchableAttributes": ["room"]},
    )
    client.create_thing(thingName="desk", thingTypeName="lamp")

    with pytest.raises(client.exceptions.InvalidRequestException, match="must be deprecated"):
        client.delete_thing_type(thingTypeName="lamp")
    client.deprecate_thing_type(thingTypeName="lamp")
    deprecated = client.describe_thing_type(thingTypeName="lamp")
    with pytest.raises(client.exceptions.InvalidRequestException, match="deprecated"):
        client.create_thing(thingName="floor", thingTypeName="lamp")
    with pytest.raises(client.exceptions.InvalidRequestException, match="still used by 1"):
        client.delete_thing_type(thingTypeName="lamp")
    client.delete_thing(thingName="desk")
    client.delete_thing_type(thingTypeName="lamp")

    assert created["thingTypeArn"] == "arn:aws:iot:us-east-1:123456789012:thingtype/lamp"
    assert deprecated["thingTypeProperties"]["searchableAttributes"] == ["room"]
    assert deprecated["thingTypeMetadata"]["deprecated"] is True
    assert client.list_thing_types()["thingTypes"] == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_thing_type(thingTypeName="lamp")


@needs("UpdateThingType")
def test_undoing_a_deprecation_makes_the_type_usable(client: Any) -> None:
    client.create_thing_type(thingTypeName="lamp")
    client.deprecate_thing_type(thingTypeName="lamp")
    client.deprecate_thing_type(thingTypeName="lamp", undoDeprecate=True)

    client.create_thing(thingName="desk", thingTypeName="lamp")
    client.update_thing_type(
        thingTypeName="lamp", thingTypeProperties={"thingTypeDescription": "desk lamps"}
    )

    listed = client.list_thing_types(thingTypeName="lamp")["thingTypes"]
    assert [t["thingTypeMetadata"]["deprecated"] for t in listed] == [False]
    assert listed[0]["thingTypeProperties"]["thingTypeDescription"] == "desk lamps"
    with pytest.raises(client.exceptions.InvalidRequestException, match="at most 3 searchable"):
        client.create_thing_type(
            thingTypeName="wide", thingTypeProperties={"searchableAttributes": list("abcd")}
        )


def test_tags_on_create_and_by_arn(client: Any) -> None:
    arn = client.create_thing_type(thingTypeName="lamp", tags=[{"Key": "team", "Value": "a"}])[
        "thingTypeArn"
    ]
    policy_arn = client.create_policy(policyName="p", policyDocument='{"Statement": []}')[
        "policyArn"
    ]

    client.tag_resource(resourceArn=arn, tags=[{"Key": "env", "Value": "test"}])
    client.untag_resource(resourceArn=arn, tagKeys=["team"])
    client.tag_resource(resourceArn=policy_arn, tags=[{"Key": "owner", "Value": "ops"}])

    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"Key": "env", "Value": "test"}
    ]
    assert client.list_tags_for_resource(resourceArn=policy_arn)["tags"] == [
        {"Key": "owner", "Value": "ops"}
    ]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_tags_for_resource(resourceArn=arn.replace("lamp", "nothing"))
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.tag_resource(resourceArn="not-an-arn", tags=[{"Key": "k", "Value": "v"}])
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    with pytest.raises(client.exceptions.LimitExceededException):
        client.tag_resource(resourceArn=arn, tags=too_many)


def test_faults_reach_the_new_operations(iot_certs: IotCerts, client: Any) -> None:
    iot_certs.unauthorized("ListThings")

    with pytest.raises(client.exceptions.UnauthorizedException):
        client.list_things()

    iot_certs.assert_called("ListThings", error_code="UnauthorizedException", times=1)
