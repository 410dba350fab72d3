"""Registry and jobs events: published on AWS's topics with AWS's payloads while their type is
enabled, read from the controller and by an MQTT subscriber."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from devices import PahoDevice, files_for

from pytest_iotcerts import IotCerts

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def enable(client: Any, *kinds: str) -> None:
    client.update_event_configurations(
        eventConfigurations={kind: {"Enabled": True} for kind in kinds}
    )


def test_nothing_is_published_until_enabled(iot_certs: IotCerts, client: Any) -> None:
    client.create_thing(thingName="quiet")
    client.create_thing_group(thingGroupName="quiet-group")

    assert iot_certs.events == []


def test_thing_created_updated_deleted(iot_certs: IotCerts, client: Any) -> None:
    enable(client, "THING")

    created = client.create_thing(thingName="pump-1", attributePayload={"attributes": {"a": "1"}})
    client.update_thing(
        thingName="pump-1", attributePayload={"attributes": {"b": "2"}, "merge": True}
    )
    client.delete_thing(thingName="pump-1")

    events = iot_certs.events_on("$aws/events/thing/pump-1/+")
    assert [e.topic.rsplit("/", 1)[1] for e in events] == ["created", "updated", "deleted"]
    first = events[0].json()
    assert UUID.match(first.pop("eventId"))
    assert isinstance(first.pop("timestamp"), int)
    assert first == {
        "eventType": "THING_EVENT",
        "operation": "CREATED",
        "accountId": iot_certs.account_id,
        "thingId": created["thingId"],
        "thingName": "pump-1",
        "versionNumber": 1,
        "thingTypeName": None,
        "attributes": {"a": "1"},
    }
    assert events[1].json()["versionNumber"] == 2
    assert events[1].json()["attributes"] == {"a": "1", "b": "2"}
    assert events[2].json()["operation"] == "DELETED"


def test_thing_type_events_and_associations(iot_certs: IotCerts, client: Any) -> None:
    enable(client, "THING_TYPE", "THING_TYPE_ASSOCIATION")
    client.create_thing_type(
        thingTypeName="meter",
        thingTypeProperties={"thingTypeDescription": "a meter", "searchableAttributes": ["serial"]},
    )

    client.create_thing(thingName="m-1", thingTypeName="meter")
    client.update_thing(thingName="m-1", removeThingType=True)
    client.deprecate_thing_type(thingTypeName="meter")

    created = iot_certs.events_on("$aws/events/thingType/meter/created")[0].json()
    assert created["eventType"] == "THING_TYPE_EVENT"
    assert (created["thingTypeName"], created["isDeprecated"]) == ("meter", False)
    assert (created["description"], created["searchableAttributes"]) == ("a meter", ["serial"])
    deprecated = iot_certs.events_on("$aws/events/thingType/meter/updated")[-1].json()
    assert deprecated["isDeprecated"] is True and isinstance(deprecated["deprecationDate"], int)
    associations = [e.json() for e in iot_certs.events_on("$aws/events/thingTypeAssociation/#")]
    assert [(a["operation"], a["thingName"], a["thingTypeName"]) for a in associations] == [
        ("ADDED", "m-1", "meter"),
        ("REMOVED", "m-1", "meter"),
    ]
    topic = iot_certs.events_on("$aws/events/thingTypeAssociation/#")[0].topic
    assert topic == "$aws/events/thingTypeAssociation/thing/m-1/meter"


def test_thing_group_events_membership_and_hierarchy(iot_certs: IotCerts, client: Any) -> None:
    enable(client, "THING_GROUP", "THING_GROUP_MEMBERSHIP", "THING_GROUP_HIERARCHY")
    root = client.create_thing_group(thingGroupName="site")
    child = client.create_thing_group(
        thingGroupName="floor-1",
        parentGroupName="site",
        thingGroupProperties={"thingGroupDescription": "first floor"},
    )
    thing = client.create_thing(thingName="lamp")

    client.add_thing_to_thing_group(thingGroupName="floor-1", thingName="lamp")
    client.remove_thing_from_thing_group(thingGroupName="floor-1", thingName="lamp")
    client.delete_thing_group(thingGroupName="floor-1")

    created = iot_certs.events_on("$aws/events/thingGroup/floor-1/created")[0].json()
    assert created["eventType"] == "THING_GROUP_EVENT"
    assert (created["parentGroupName"], created["parentGroupId"]) == ("site", root["thingGroupId"])
    assert created["rootToParentThingGroups"] == [
        {"groupArn": root["thingGroupArn"], "groupId": root["thingGroupId"]}
    ]
    assert (created["thingGroupId"], created["description"]) == (
        child["thingGroupId"],
        "first floor",
    )
    membership = iot_certs.events_on("$aws/events/thingGroupMembership/#")
    assert [e.topic for e in membership] == [
        "$aws/events/thingGroupMembership/thingGroup/floor-1/thing/lamp/added",
        "$aws/events/thingGroupMembership/thingGroup/floor-1/thing/lamp/removed",
    ]
    added = membership[0].json()
    assert (added["groupArn"], added["thingArn"], added["thingId"]) == (
        child["thingGroupArn"],
        thing["thingArn"],
        thing["thingId"],
    )
    hierarchy = iot_certs.events_on("$aws/events/thingGroupHierarchy/#")
    assert [e.topic for e in hierarchy] == [
        "$aws/events/thingGroupHierarchy/thingGroup/site/childThingGroup/floor-1/added",
        "$aws/events/thingGroupHierarchy/thingGroup/site/childThingGroup/floor-1/removed",
    ]
    assert hierarchy[0].json()["childGroupId"] == child["thingGroupId"]
    assert iot_certs.events_on("$aws/events/thingGroup/floor-1/deleted")


def test_job_and_job_execution_events(iot_certs: IotCerts, client: Any) -> None:
    enable(client, "JOB", "JOB_EXECUTION")
    thing_arn = client.create_thing(thingName="gateway")["thingArn"]
    client.create_job(jobId="firmware", targets=[thing_arn], document=json.dumps({"v": 2}))
    jobs_data = iot_certs_data_client(iot_certs)

    jobs_data.update_job_execution(jobId="firmware", thingName="gateway", status="SUCCEEDED")

    execution = iot_certs.events_on("$aws/events/jobExecution/firmware/succeeded")[0].json()
    assert (execution["eventType"], execution["thingArn"], execution["status"]) == (
        "JOB_EXECUTION",
        thing_arn,
        "SUCCEEDED",
    )
    completed = iot_certs.events_on("$aws/events/job/firmware/completed")[0].json()
    assert (completed["eventType"], completed["status"]) == ("JOB", "COMPLETED")
    assert completed["jobProcessDetails"]["numberOfSucceededThings"] == 1
    assert completed["targets"] == [thing_arn]
    assert isinstance(completed["completedAt"], int)

    client.delete_job(jobId="firmware")
    assert iot_certs.events_on("$aws/events/job/firmware/deleted")


def test_a_canceled_job_publishes_its_canceled_executions(iot_certs: IotCerts, client: Any) -> None:
    enable(client, "JOB", "JOB_EXECUTION")
    thing_arn = client.create_thing(thingName="gateway")["thingArn"]
    client.create_job(jobId="rollback", targets=[thing_arn], document="{}")

    client.cancel_job(jobId="rollback", comment="bad build")

    topics = [e.topic for e in iot_certs.events_on("$aws/events/#")]
    assert topics == [
        "$aws/events/jobExecution/rollback/canceled",
        "$aws/events/job/rollback/canceled",
    ]
    assert iot_certs.events_on("$aws/events/#")[-1].json()["comment"] == "bad build"


def iot_certs_data_client(iot_certs: IotCerts) -> Any:
    import boto3

    return boto3.client("iot-jobs-data", region_name=iot_certs.region)


def test_an_mqtt_subscriber_receives_the_events(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    back_end = PahoDevice(
        iot_certs, files_for(iot_certs, iot_certs.issue_certificate(), tmp_path), "back-end"
    )
    assert back_end.connect()
    back_end.subscribe("$aws/events/thing/+/created")
    enable(client, "THING")

    client.create_thing(thingName="valve-9")

    received = back_end.next_message()
    assert received.topic == "$aws/events/thing/valve-9/created"
    assert json.loads(received.payload)["thingName"] == "valve-9"
    back_end.close()


@pytest.mark.parametrize("kind", ["POLICY", "CERTIFICATE", "CA_CERTIFICATE"])
def test_types_without_documented_messages_publish_none(
    iot_certs: IotCerts, client: Any, kind: str
) -> None:
    enable(client, kind)

    client.create_policy(policyName="p", policyDocument='{"Version":"2012-10-17","Statement":[]}')
    client.create_keys_and_certificate(setAsActive=True)

    assert iot_certs.events == []
