"""Listing and describing with many certificates and things held, and the memory each
certificate takes.

Run: python benchmarks/scale.py [--sizes 100 20000] [--calls 200]

Certificates are issued through the service layer (from one CSR, so only signing is paid), then
timed through a boto3 client: the first ``ListCertificates`` page of 25 (newest first, AWS's
default; full at every size measured, so the pages compare), a page further on (with the marker
the first page returned), and ``DescribeCertificate``. As many things are created, then the first
``ListThings`` page of 25 and a whole walk with botocore's paginator (milliseconds per thing).
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import boto3

from pytest_iotcerts import IotCerts, mock_iot
from pytest_iotcerts._service import IotService

try:
    from bench import make_csr, timed
except ImportError:  # run from elsewhere than benchmarks/
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


def things_at_size(iot: IotCerts, size: int, calls: int) -> dict[str, float]:
    things = iot.service().things
    for index in range(size):
        things.create(f"thing-{index:06d}", attributes={"k": str(index % 100)})
    client = boto3.client("iot", region_name="us-east-1")
    start = time.perf_counter()
    walked = sum(len(page["things"]) for page in client.get_paginator("list_things").paginate())
    per_thing = (time.perf_counter() - start) * 1000 / walked
    return {
        "ListThings, first page of 25": timed(lambda: client.list_things(maxResults=25), calls),
        "ListThings, whole walk, per thing": per_thing,
    }


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
    parser.add_argument("--calls", type=int, default=200)
    options = parser.parse_args()
    csr = make_csr()
    results = {}
    for size in options.sizes:
        with mock_iot() as iot:
            results[size] = at_size(iot, size, csr, options.calls)
            results[size].update(things_at_size(iot, size, options.calls))
    print(f"{'median ms per call':40}" + "".join(f"{size:>10} each" for size in results))
    for name in results[options.sizes[0]]:
        print(f"{name:40}" + "".join(f"{r[name]:12.2f} ms" for r in results.values()))
    print(f"memory per certificate: {memory_per_certificate(csr):.1f} KiB")


if __name__ == "__main__":
    main()
