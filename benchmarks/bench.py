"""Per-call latency of the emulator, next to botocore's own overhead and (if installed) moto.

Run: python benchmarks/bench.py [--calls N]
botocore's overhead (the floor) is measured per operation with a before-send handler that
returns a canned response, so it is everything botocore does (serialize, sign, parse) with no
service behind it; each operation's time is also given as a multiple of its floor.
``CreateKeysAndCertificate`` is timed back to back with the key bank an earlier run filled, and
with ``key_bank="off"`` (fresh keys: the background thread's, else generated during the call).
``CreateCertificateFromCsr less its crypto`` subtracts what reading the CSR and signing the
certificate with an RSA-2048 CA cost by themselves (timed in the same run): the share of the call
that is the emulator's own. For whole suites, see ``suite.py``; for many certificates held,
``scale.py``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import CertificateSigningRequestBuilder, Name, NameAttribute
from cryptography.x509.oid import NameOID

from pytest_iotcerts import mock_iot
from pytest_iotcerts._x509.crypto import CertificateAuthority
from pytest_iotcerts._x509.input_rules import load_csr
from pytest_iotcerts._x509.key_bank import KeyBank, Worker
from pytest_iotcerts._x509.keys import generate, to_pem


def timed(call: Callable[[], Any], n: int) -> float:
    """Median milliseconds per call after a warm-up."""
    for _ in range(min(5, n)):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def make_csr() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = Name([NameAttribute(NameOID.COMMON_NAME, "bench")])
    csr = CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self.body = self.body, b""
        return body


SHADOW = b'{"state": {"reported": {"temperature": 21.5, "on": true}}}'
CERTIFICATE = b'{"certificateArn": "arn", "certificateId": "x", "certificatePem": "pem"}'
DESCRIPTION = b'{"certificateDescription": {"certificateId": "x", "status": "ACTIVE"}}'


def floors(n: int, csr: str) -> dict[str, float]:
    """botocore alone, per operation: the same call answered by a canned response."""

    def client_for(service: str, answers: dict[str, bytes]) -> Any:
        client = boto3.client(
            service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        service_id = client.meta.service_model.service_id.hyphenize()
        for operation, body in answers.items():

            def canned(request: Any, body: bytes = body, **_: Any) -> AWSResponse:
                return AWSResponse(request.url, 200, {}, _Raw(body))

            client.meta.events.register(f"before-send.{service_id}.{operation}", canned)
        return client

    iot = client_for(
        "iot", {"DescribeCertificate": DESCRIPTION, "CreateCertificateFromCsr": CERTIFICATE}
    )
    data = client_for("iot-data", {"UpdateThingShadow": SHADOW, "GetThingShadow": SHADOW})
    return calls(iot, data, n, csr, "a" * 64)


def calls(iot: Any, data: Any, n: int, csr: str, certificate_id: str) -> dict[str, float]:
    return {
        "DescribeCertificate": timed(
            lambda: iot.describe_certificate(certificateId=certificate_id), n
        ),
        "CreateCertificateFromCsr": timed(
            lambda: iot.create_certificate_from_csr(certificateSigningRequest=csr), n
        ),
        "UpdateThingShadow": timed(
            lambda: data.update_thing_shadow(thingName="bench", payload=SHADOW)["payload"].read(), n
        ),
        "GetThingShadow": timed(
            lambda: data.get_thing_shadow(thingName="bench")["payload"].read(), n
        ),
    }


def measure(n: int, csr: str) -> dict[str, float]:
    """The same calls against whichever emulator is active."""
    iot = boto3.client("iot", region_name="us-east-1")
    data = boto3.client("iot-data", region_name="us-east-1")
    certificate_id = iot.create_certificate_from_csr(certificateSigningRequest=csr)
    iot.create_thing(thingName="bench")  # moto keeps shadows of registered things only
    data.update_thing_shadow(thingName="bench", payload=SHADOW)
    results = calls(iot, data, n, csr, certificate_id["certificateId"])
    results[KEYS] = timed(iot.create_keys_and_certificate, key_calls(n))
    return results


KEYS = "CreateKeysAndCertificate"
CSR = "CreateCertificateFromCsr"
LESS_CRYPTO = "CreateCertificateFromCsr less its crypto"


def crypto_of_csr_call(n: int, csr: str) -> float:
    """What CreateCertificateFromCsr spends on crypto alone, by any emulator that keeps AWS's
    profile: reading and verifying the CSR, and signing the certificate with an RSA-2048 CA."""
    ca = CertificateAuthority.create()

    def issue() -> None:
        request = load_csr(csr)
        ca.issue(request.subject, request.public_key())  # type: ignore[arg-type]

    return timed(issue, n)


FRESH = "CreateKeysAndCertificate, fresh keys"


def key_calls(n: int) -> int:
    return max(5, n // 5)


def ours(n: int, csr: str) -> dict[str, float]:
    """With a key bank an earlier run filled, and with ``key_bank="off"`` (every key generated
    during the call or by the background thread, back to back)."""
    with tempfile.TemporaryDirectory() as bank:
        earlier_run = KeyBank(Path(bank), Worker(run="earlier"))
        earlier_run.add([to_pem(generate()) for _ in range(key_calls(n) + 10)])
        with mock_iot(key_bank=bank):
            results = measure(n, csr)
    with mock_iot(key_bank="off"):
        client = boto3.client("iot", region_name="us-east-1")
        results[FRESH] = timed(client.create_keys_and_certificate, key_calls(n))
    results[LESS_CRYPTO] = results[CSR] - crypto_of_csr_call(n, csr)
    return results


def moto(n: int, csr: str) -> dict[str, float] | None:
    try:
        from moto import mock_aws
    except ImportError:
        return None
    with mock_aws():
        results = measure(n, csr)
    results[FRESH] = results[KEYS]  # moto generates every key during the call
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    csr = make_csr()
    floor = floors(args.calls, csr)
    floor[LESS_CRYPTO] = floor[CSR]
    mine = ours(args.calls, csr)
    theirs = moto(args.calls, csr)
    print(
        f"{'operation (median ms/call)':38} {'botocore alone':>15} {'pytest-iotcerts':>16} "
        f"{'x floor':>8} {'moto':>10}"
    )
    for name, value in mine.items():
        other = f"{theirs[name]:8.3f}" if theirs and name in theirs else "   (n/a)"
        alone = floor.get(name)
        shown = f"{alone:12.3f} ms" if alone else f"{'':15}"
        ratio = f"{value / alone:7.2f}x" if alone else f"{'':8}"
        print(f"{name:38} {shown} {value:13.3f} ms {ratio} {other} ms")


if __name__ == "__main__":
    main()
