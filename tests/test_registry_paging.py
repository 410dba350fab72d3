"""Every new listing walks its whole content, once, through botocore's own paginator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from models import needs

from pytest_iotcerts import IotCerts

COUNT = 7  # pages of 3: 3, 3 and the rest
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:authorize"
ROLE = "arn:aws:iam::123456789012:role/r"


def _things(iot: IotCerts) -> None:
    for index in range(COUNT):
        iot.create_thing(f"item-{index}")


def _group_members(iot: IotCerts) -> None:
    _things(iot)
    service = iot.service()
    service.thing_groups.create("group")
    service.billing_groups.create("billing")
    for index in range(COUNT):
        service.thing_groups.add_thing("group", f"item-{index}")
        service.billing_groups.add_thing("billing", f"item-{index}")


def _principals(iot: IotCerts) -> None:
    certificate = iot.issue_certificate()
    iot.create_thing("holder", principals=[certificate])
    for index in range(COUNT):
        iot.create_thing(f"item-{index}", principals=[certificate])


def _each(create: Callable[[Any, str], None]) -> Callable[[IotCerts], None]:
    def seed(iot: IotCerts) -> None:
        for index in range(COUNT):
            create(iot.service(), f"item-{index}")

    return seed


def _job_over_things(iot: IotCerts) -> None:
    _things(iot)
    arns = [iot.service().things.get(f"item-{index}").arn for index in range(COUNT)]
    iot.service().jobs.create("job", {"targets": arns, "document": "{}"})


def _jobs_of_one_thing(iot: IotCerts) -> None:
    arn = iot.create_thing("holder").arn
    for index in range(COUNT):
        iot.service().jobs.create(f"item-{index}", {"targets": [arn], "document": "{}"})


def _policy_on_certificates(iot: IotCerts) -> None:
    service = iot.service()
    service.policies.create("policy", '{"Statement": []}')
    for _ in range(COUNT):
        service.policies.attach("policy", iot.issue_certificate().arn)


TEMPLATE = (
    '{"Parameters": {"SerialNumber": {"Type": "String"}}, "Resources": {"thing": '
    '{"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "SerialNumber"}}}}}'
)
RULE = {"sql": "SELECT * FROM 'a/b'", "actions": []}

CASES: dict[str, tuple[Callable[[IotCerts], None], dict[str, Any], str]] = {
    "list_things": (_things, {}, "things"),
    "list_thing_types": (_each(lambda s, n: s.thing_types.create(n)), {}, "thingTypes"),
    "list_thing_groups": (_each(lambda s, n: s.thing_groups.create(n)), {}, "thingGroups"),
    "list_billing_groups": (_each(lambda s, n: s.billing_groups.create(n)), {}, "billingGroups"),
    "list_policies": (
        _each(lambda s, n: s.policies.create(n, '{"Statement": []}')),
        {},
        "policies",
    ),
    "list_role_aliases": (_each(lambda s, n: s.role_aliases.create(n, ROLE)), {}, "roleAliases"),
    "list_authorizers": (
        _each(
            lambda s, n: s.authorizers.create(
                n, {"authorizerFunctionArn": FUNCTION, "signingDisabled": True}
            )
        ),
        {},
        "authorizers",
    ),
    "list_domain_configurations": (
        _each(lambda s, n: s.domain_configurations.create(n, {})),
        {},
        "domainConfigurations",
    ),
    "list_things_in_thing_group": (_group_members, {"thingGroupName": "group"}, "things"),
    "list_things_in_billing_group": (_group_members, {"billingGroupName": "billing"}, "things"),
    "list_principal_things_v2": (_principals, {}, "principalThingObjects"),
    "list_job_executions_for_job": (_job_over_things, {"jobId": "job"}, "executionSummaries"),
    "list_jobs": (_jobs_of_one_thing, {}, "jobs"),
    "list_job_templates": (
        _each(lambda s, n: s.job_templates.create(n, {"document": "{}", "description": "d"})),
        {},
        "jobTemplates",
    ),
    "list_provisioning_templates": (
        _each(
            lambda s, n: s.provisioning_templates.create(n, TEMPLATE, {"provisioningRoleArn": ROLE})
        ),
        {},
        "templates",
    ),
    "list_topic_rules": (
        _each(lambda s, n: s.topic_rules.create(n, RULE)),
        {"topic": "a/b"},
        "rules",
    ),
    "list_targets_for_policy": (_policy_on_certificates, {"policyName": "policy"}, "targets"),
    "list_principal_things": (_principals, {}, "things"),
    "list_job_executions_for_thing": (
        _jobs_of_one_thing,
        {"thingName": "holder"},
        "executionSummaries",
    ),
}


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(name, marks=needs("ListPrincipalThingsV2"))
        if name == "list_principal_things_v2"
        else name
        for name in sorted(CASES)
    ],
)
def test_the_paginator_walks_every_item_once(
    iot_certs: IotCerts, client: Any, operation: str
) -> None:
    seed, arguments, key = CASES[operation]
    seed(iot_certs)
    if operation.startswith("list_principal_things"):
        arguments = {"principal": iot_certs.certificates[0].arn}
    expected = COUNT + operation.startswith("list_principal_things")

    pages = list(
        client.get_paginator(operation).paginate(**arguments, PaginationConfig={"PageSize": 3})
    )
    items = [item for page in pages for item in page[key]]

    assert [len(page[key]) for page in pages] == [3, 3, expected - 6]
    assert len(items) == expected
    assert len({repr(item) for item in items}) == expected


@pytest.mark.parametrize(
    ("operation", "group_argument"),
    [
        ("list_things_in_thing_group", "thingGroupName"),
        ("list_things_in_billing_group", "billingGroupName"),
    ],
)
def test_a_groups_next_token_survives_members_added_and_removed(
    iot_certs: IotCerts, client: Any, operation: str, group_argument: str
) -> None:
    _group_members(iot_certs)
    group = "group" if "thing_group" in operation else "billing"
    remove = (
        iot_certs.service().thing_groups.remove_thing
        if "thing_group" in operation
        else iot_certs.service().billing_groups.remove_thing
    )
    first = getattr(client, operation)(**{group_argument: group}, maxResults=3)
    assert first["things"] == ["item-0", "item-1", "item-2"]

    remove(group, "item-1")  # before the token
    remove(group, "item-3")  # the first thing the next page would have held

    rest = getattr(client, operation)(
        **{group_argument: group}, maxResults=10, nextToken=first["nextToken"]
    )
    assert rest["things"] == ["item-4", "item-5", "item-6"]


def test_a_list_jobs_token_survives_jobs_deleted_and_created(
    iot_certs: IotCerts, client: Any
) -> None:
    _jobs_of_one_thing(iot_certs)
    first = client.list_jobs(maxResults=3)
    assert [job["jobId"] for job in first["jobs"]] == ["item-0", "item-1", "item-2"]

    client.delete_job(jobId="item-1", force=True)  # before the token
    client.delete_job(jobId="item-3", force=True)  # the first job the next page would have held
    client.create_job(jobId="late", targets=[iot_certs.things[0].arn], document="{}")

    rest = client.list_jobs(maxResults=10, nextToken=first["nextToken"])
    assert [job["jobId"] for job in rest["jobs"]] == ["item-4", "item-5", "item-6", "late"]
    assert [
        s["jobId"]
        for s in client.list_job_executions_for_thing(thingName="holder")["executionSummaries"]
    ] == ["item-0", "item-2", "item-4", "item-5", "item-6", "late"]
