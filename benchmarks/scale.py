"""Listing, describing and searching with many certificates and things held, and the memory
each certificate and each thing takes.

Run: python benchmarks/scale.py [--sizes 100 20000] [--thing-sizes 1000 10000 50000]
[--family-sizes 1000 10000 50000] [--calls 200]

Certificates are issued through the service layer (from one CSR, so only signing is paid), then
timed through a boto3 client: the first ``ListCertificates`` page of 25 (newest first, AWS's
default; full at every size measured, so the pages compare), a page further on (with the marker
the first page returned), and ``DescribeCertificate``. Things (each with an attribute ``k`` that
one in a hundred share, and one in a hundred of a thing type) are created through the service
layer, then timed: the first ``ListThings`` page of 25, unfiltered, by attribute (1% of the
fleet) and by type (1%), pages of 10 (1% of 1,000 things fills one); a whole walk with botocore's
paginator (milliseconds per thing); ``SearchIndex`` with a selective query (1%, a page of 10) and a
broad one (every thing, a page of 25); a job over every thing (its creation, per thing, and the
first page of its executions). Then every other list of the registry (``families.py``): its
first page and a whole walk at each of ``--family-sizes``, and the memory each resource takes.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from typing import Any

import boto3

from pytest_iotcerts import IotCerts, mock_iot
from pytest_iotcerts._service import IotService

try:
    import families
    from bench import make_csr, timed
except ImportError:  # run from elsewhere than benchmarks/
    from benchmarks import families
    from benchmarks.bench import make_csr, timed


def issue(service: IotService, csr: str, count: int) -> str:
    certificate_id = ""
    for _ in range(count):
        certificate_id = service.certificates.create_from_csr(csr, "ACTIVE").certificate_id
    return certificate_id


def at_size(iot: IotCerts, size: int, csr: str, calls: int) -> dict[str, float]:
    certificate_id = issue(iot.service(), csr, size)
    client = boto3.client("iot", region_name="us-east-1")
    marker = client.list_certificates(pageSize=5)["nextMarker"]
    return {
        "ListCertificates, first page of 25": timed(
            lambda: client.list_certificates(pageSize=25), calls
        ),
        "ListCertificates, page after a marker": timed(
            lambda: client.list_certificates(pageSize=25, marker=marker), calls
        ),
        "DescribeCertificate": timed(
            lambda: client.describe_certificate(certificateId=certificate_id), calls
        ),
    }


def seed_things(service: IotService, count: int, *, grouped: bool = False) -> None:
    service.thing_types.create("meter", {})
    if grouped:
        service.thing_groups.create("fleet")
    for index in range(count):
        name = f"thing-{index:06d}"
        service.things.create(
            name,
            attributes={"k": str(index % 100)},
            thing_type_name="meter" if index % 100 == 7 else None,
        )
        if grouped:
            service.thing_groups.add_thing("fleet", name)


def things_at_size(iot: IotCerts, size: int, calls: int) -> dict[str, float]:
    seed_things(iot.service(), size, grouped=True)
    client = boto3.client("iot", region_name="us-east-1")
    client.update_indexing_configuration(
        thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"}
    )
    client.create_dynamic_thing_group(thingGroupName="k7", queryString="attributes.k:7")
    start = time.perf_counter()
    walked = sum(len(page["things"]) for page in client.get_paginator("list_things").paginate())
    per_thing = (time.perf_counter() - start) * 1000 / walked
    return {
        "ListThings, first page of 25": timed(lambda: client.list_things(maxResults=25), calls),
        "ListThings by attribute (1%), first page of 10": timed(
            lambda: client.list_things(maxResults=10, attributeName="k", attributeValue="7"), calls
        ),
        "ListThings by type (1%), first page of 10": timed(
            lambda: client.list_things(maxResults=10, thingTypeName="meter"), calls
        ),
        "ListThings, whole walk, per thing": per_thing,
        "ListThingsInThingGroup (every thing), first page": timed(
            lambda: client.list_things_in_thing_group(thingGroupName="fleet", maxResults=25), calls
        ),
        "ListThingsInThingGroup, dynamic (1%), first page": timed(
            lambda: client.list_things_in_thing_group(thingGroupName="k7", maxResults=10), calls
        ),
        "SearchIndex attributes.k:7 (1%), first page of 10": timed(
            lambda: client.search_index(queryString="attributes.k:7", maxResults=10), calls
        ),
        "SearchIndex thingName:thing-* (all), first page": timed(
            lambda: client.search_index(queryString="thingName:thing-*", maxResults=25),
            max(calls // 20, 3),
        ),
        **jobs_at_size(client, size, calls),
    }


def jobs_at_size(client: Any, size: int, calls: int) -> dict[str, float]:
    """A job over the whole fleet (its thing group): creating it (every execution queued and
    every device told), then the first page of its executions, and describing it."""
    group = client.describe_thing_group(thingGroupName="fleet")["thingGroupArn"]
    start = time.perf_counter()
    client.create_job(jobId="everyone", targets=[group], document='{"op": "reboot"}')
    created_per_thing = (time.perf_counter() - start) * 1000 / size
    return {
        "CreateJob over every thing, per thing": created_per_thing,
        "ListJobExecutionsForJob, first page": timed(
            lambda: client.list_job_executions_for_job(jobId="everyone", maxResults=25), calls
        ),
        "DescribeJob (its counts of every execution)": timed(
            lambda: client.describe_job(jobId="everyone"), calls
        ),
    }


def memory_per_thing(count: int) -> float:
    """KiB held per thing created (tracemalloc), with ``count`` things already held."""
    with mock_iot() as iot:
        service = iot.service()
        seed_things(service, count)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        service.thing_types.create("other", {})
        for index in range(count, count + 2000):
            service.things.create(f"thing-{index:06d}", attributes={"k": str(index % 100)})
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    return (after - before) / 2000 / 1024


def memory_per_certificate(csr: str, count: int = 2000) -> float:
    """KiB held per certificate issued (tracemalloc, after a warm-up certificate)."""
    with mock_iot() as iot:
        service = iot.service()
        issue(service, csr, 1)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        issue(service, csr, count)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    return (after - before) / count / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 20000])
    parser.add_argument("--thing-sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--family-sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--calls", type=int, default=200)
    options = parser.parse_args()
    csr = make_csr()
    results = {}
    for size in options.sizes:
        with mock_iot() as iot:
            results[size] = at_size(iot, size, csr, options.calls)
    report(results)
    print(f"memory per certificate: {memory_per_certificate(csr):.1f} KiB\n")
    results = {}
    for size in options.thing_sizes:
        with mock_iot() as iot:
            results[size] = things_at_size(iot, size, options.calls)
    report(results)
    smallest, largest = options.thing_sizes[0], options.thing_sizes[-1]
    print(
        f"memory per thing: {memory_per_thing(smallest):.2f} KiB at {smallest} things, "
        f"{memory_per_thing(largest):.2f} KiB at {largest}\n"
    )
    report(families.measure(options.family_sizes, max(options.calls // 2, 10)))
    families.memory_report()


def report(results: dict[int, dict[str, float]]) -> None:
    sizes = list(results)
    first, last = results[sizes[0]], results[sizes[-1]]
    header = "".join(f"{size:>10} each" for size in sizes)
    print(f"{'median ms per call':56}{header}{'growth':>9}")
    for name in first:
        row = "".join(f"{r[name]:12.2f} ms" for r in results.values())
        print(f"{name:56}{row}{last[name] / first[name]:8.2f}x")


if __name__ == "__main__":
    main()
