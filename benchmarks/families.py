"""Every list of the registry at 1,000, 10,000 and 50,000 resources: the first page, a whole
walk with botocore's paginator (milliseconds per item), and the memory each resource takes.
ListPrincipalThings lists the things one certificate is attached to, ListTargetsForPolicy the
thing groups one policy is attached to, ListJobExecutionsForThing the jobs of one thing.

Run through ``scale.py`` (``--family-sizes``), or alone: python benchmarks/families.py [--sizes
1000 10000] [--calls 100]. Resources are created through the service layer (the requests that
would create them are not what is measured), then listed through a boto3 client.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from pytest_iotcerts import IotCerts, mock_iot
from pytest_iotcerts._service import IotService

try:
    from bench import timed
except ImportError:  # run from elsewhere than benchmarks/
    from benchmarks.bench import timed

ROLE = "arn:aws:iam::123456789012:role/provisioning"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:authorize"
POLICY = (
    '{"Version": "2012-10-17", '
    '"Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}'
)
TEMPLATE = (
    '{"Parameters": {"SerialNumber": {"Type": "String"}}, "Resources": {"thing": '
    '{"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "SerialNumber"}}}}}'
)


@dataclass
class Family:
    """A list operation, and how to create the ``index``-th resource it lists."""

    operation: str
    key: str
    create: Callable[[IotService, int], Any]
    arguments: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[IotCerts], None] = lambda iot: None


def _rule(service: IotService, index: int) -> Any:
    topic = "fleet/telemetry" if index % 100 == 7 else f"fleet/{index}"
    return service.topic_rules.create(
        f"r{index:06d}", {"sql": f"SELECT * FROM '{topic}'", "actions": []}
    )


def _holder(iot: IotCerts) -> None:
    """A thing that every job targets, and a certificate attached to every thing made."""
    iot.create_thing("holder")
    iot.service().policies.create("everyone", POLICY)


def _job(service: IotService, index: int) -> Any:
    """A job over the holder, which the holder runs at once (so what AWS tells a device of
    its pending jobs stays short, as it does for a device that keeps up)."""
    arn = service.things.get("holder").arn
    service.jobs.create(f"j{index:06d}", {"targets": [arn], "document": "{}"})
    service.job_executions.report(f"j{index:06d}", "holder", "SUCCEEDED")


def _attached_thing(service: IotService, index: int) -> Any:
    name = f"x{index:06d}"
    service.things.create(name)
    service.things.attach_principal(name, _certificate_arn(service))


def _policy_target(service: IotService, index: int) -> Any:
    service.thing_groups.create(f"target{index:06d}")
    service.policies.attach("everyone", service.thing_groups.get(f"target{index:06d}").arn)


def _certificate_arn(service: IotService) -> str:
    return next(iter(service.scope.state.certificates.values())).arn


FAMILIES = {
    "ListPolicies": Family(
        "list_policies", "policies", lambda s, i: s.policies.create(f"p{i:06d}", POLICY)
    ),
    "ListThingGroups": Family(
        "list_thing_groups", "thingGroups", lambda s, i: s.thing_groups.create(f"g{i:06d}")
    ),
    "ListBillingGroups": Family(
        "list_billing_groups", "billingGroups", lambda s, i: s.billing_groups.create(f"b{i:06d}")
    ),
    "ListThingTypes": Family(
        "list_thing_types", "thingTypes", lambda s, i: s.thing_types.create(f"t{i:06d}")
    ),
    "ListTopicRules": Family("list_topic_rules", "rules", _rule),
    "ListTopicRules by topic (1%)": Family(
        "list_topic_rules", "rules", _rule, {"topic": "fleet/telemetry"}
    ),
    "ListRoleAliases": Family(
        "list_role_aliases", "roleAliases", lambda s, i: s.role_aliases.create(f"a{i:06d}", ROLE)
    ),
    "ListAuthorizers": Family(
        "list_authorizers",
        "authorizers",
        lambda s, i: s.authorizers.create(
            f"z{i:06d}", {"authorizerFunctionArn": FUNCTION, "signingDisabled": True}
        ),
    ),
    "ListJobs": Family("list_jobs", "jobs", _job, prepare=_holder),
    "ListJobExecutionsForThing": Family(
        "list_job_executions_for_thing",
        "executionSummaries",
        _job,
        {"thingName": "holder"},
        prepare=_holder,
    ),
    "ListJobTemplates": Family(
        "list_job_templates",
        "jobTemplates",
        lambda s, i: s.job_templates.create(f"jt{i:06d}", {"document": "{}", "description": "d"}),
    ),
    "ListProvisioningTemplates": Family(
        "list_provisioning_templates",
        "templates",
        lambda s, i: s.provisioning_templates.create(
            f"pt{i:06d}", TEMPLATE, {"provisioningRoleArn": ROLE}
        ),
    ),
    "ListPrincipalThings": Family(
        "list_principal_things", "things", _attached_thing, prepare=_holder
    ),
    "ListTargetsForPolicy": Family(
        "list_targets_for_policy",
        "targets",
        _policy_target,
        {"policyName": "everyone"},
        prepare=_holder,
    ),
}


def seeded(iot: IotCerts, family: Family, count: int) -> None:
    family.prepare(iot)
    if family.operation == "list_principal_things":
        iot.issue_certificate()
    service = iot.service()
    for index in range(count):
        family.create(service, index)


def family_at_size(name: str, size: int, calls: int) -> dict[str, float]:
    family = FAMILIES[name]
    with mock_iot(key_bank="off") as iot:
        seeded(iot, family, size)
        client = boto3.client("iot", region_name="us-east-1")
        arguments = dict(family.arguments)
        if family.operation == "list_principal_things":
            arguments["principal"] = iot.certificates[0].arn
        operation = getattr(client, family.operation)
        first = timed(lambda: operation(**arguments), calls)
        start, walked = time.perf_counter(), 0
        for page in client.get_paginator(family.operation).paginate(**arguments):
            walked += len(page[family.key])
        return {
            f"{name}, first page": first,
            f"{name}, whole walk, per item": (time.perf_counter() - start) * 1000 / walked,
        }


def memory_per_item(name: str, count: int = 2000) -> float:
    """KiB held per resource created (tracemalloc, after a warm-up one)."""
    family = FAMILIES[name]
    with mock_iot(key_bank="off") as iot:
        seeded(iot, family, 1)
        service = iot.service()
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for index in range(1, count + 1):
            family.create(service, index)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    return (after - before) / count / 1024


def measure(sizes: list[int], calls: int) -> dict[int, dict[str, float]]:
    results: dict[int, dict[str, float]] = {size: {} for size in sizes}
    for name in FAMILIES:
        for size in sizes:
            results[size].update(family_at_size(name, size, calls))
    return results


def memory_report() -> None:
    print(f"{'memory per resource':48}{'KiB':>10}")
    measured: set[object] = set()
    for name, family in FAMILIES.items():
        if family.create not in measured:  # a filtered list creates what another row does
            measured.add(family.create)
            print(f"{name:48}{memory_per_item(name):10.2f}")


def main() -> None:
    from scale import report  # the same table as scale.py's

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--calls", type=int, default=100)
    options = parser.parse_args()
    report(measure(options.sizes, options.calls))
    memory_report()


if __name__ == "__main__":
    main()
