"""Whole-suite wall time: a generated suite of provisioning tests under pytest-iotcerts and moto.

Run: python benchmarks/suite.py [--tests 200] [--rounds 3] [--workers 0]

Each generated test does what a typical provisioning test does, with a fresh ``boto3.client``:
issue a certificate from a CSR, issue one with generated keys (``CreateKeysAndCertificate``),
activate it, and describe the first. The suites run as separate pytest processes, side by side
in each round (timings on a shared machine drift, so only ratios within a round mean much):

- ``iotcerts``: the suite under the ``iot_certs`` fixture, key bank warm (a previous run filled it);
- ``iotcerts, no keys``: the same suite without the ``CreateKeysAndCertificate`` call;
- ``iotcerts, cold bank``: the first suite, with an empty key bank (first run on a machine);
- ``moto``: the suite under moto's ``mock_aws`` (``-p no:iotcerts``), when moto is installed.

It also measures what the plugin adds to a pytest run that does not use it: ``pytest`` on a
trivial test, with the plugin and with ``-p no:iotcerts``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = '''
import boto3
import pytest

CSR = """{csr}"""
'''

MOTO_FIXTURE = """
@pytest.fixture
def iot_mock(monkeypatch):
    from moto import mock_aws
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield
"""

TEST = """
def test_provision_{index}({fixture}):
    client = boto3.client("iot", region_name="us-east-1")
    from_csr = client.create_certificate_from_csr(certificateSigningRequest=CSR, setAsActive=True)
{keys}    client.describe_certificate(certificateId=from_csr["certificateId"])
"""

KEYS = """    keys = client.create_keys_and_certificate(setAsActive=False)
    client.update_certificate(certificateId=keys["certificateId"], newStatus="ACTIVE")
"""


def make_csr() -> str:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509 import CertificateSigningRequestBuilder, Name, NameAttribute
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = Name([NameAttribute(NameOID.COMMON_NAME, "bench")])
    csr = CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def write_suite(path: Path, tests: int, *, moto: bool, keys: bool) -> Path:
    fixture = "iot_mock" if moto else "iot_certs"
    parts = [HEADER.format(csr=make_csr())]
    if moto:
        parts.append(MOTO_FIXTURE)
    body = KEYS if keys else ""
    parts.extend(TEST.format(index=i, fixture=fixture, keys=body) for i in range(tests))
    path.mkdir(parents=True)
    (path / "test_suite.py").write_text("".join(parts))
    return path


def run_pytest(directory: Path, *args: str, env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{directory.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed


def environment(bank: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    env["PYTEST_IOTCERTS_KEY_BANK"] = str(bank)
    return env


def suites(root: Path, tests: int, workers: int) -> dict[str, tuple[Path, list[str]]]:
    """name -> (directory, extra pytest arguments)."""
    parallel = ["-n", str(workers)] if workers else []
    chosen = {
        "iotcerts": (write_suite(root / "keys", tests, moto=False, keys=True), parallel),
        "iotcerts, no keys": (
            write_suite(root / "nokeys", tests, moto=False, keys=False),
            parallel,
        ),
    }
    if importlib.util.find_spec("moto") is not None:
        moto = write_suite(root / "moto", tests, moto=True, keys=True)
        chosen["moto"] = (moto, [*parallel, "-p", "no:iotcerts"])
    return chosen


def startup(root: Path, rounds: int, env: dict[str, str]) -> tuple[float, float]:
    """Median seconds of a trivial pytest run with the plugin installed, and without it."""
    trivial = root / "trivial"
    trivial.mkdir()
    (trivial / "test_trivial.py").write_text("def test_nothing():\n    pass\n")
    with_plugin, without = [], []
    for _ in range(rounds):
        with_plugin.append(run_pytest(trivial, env=env))
        without.append(run_pytest(trivial, "-p", "no:iotcerts", env=env))
    return statistics.median(with_plugin), statistics.median(without)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="pytest-xdist workers (-n)")
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="iotcerts-suite-"))
    try:
        report(root, options.tests, options.rounds, options.workers)
    finally:
        shutil.rmtree(root)


def report(root: Path, tests: int, rounds: int, workers: int) -> None:
    warm, cold = environment(root / "bank"), environment(root / "cold-bank")
    chosen = suites(root, tests, workers)
    keys_dir, extra = chosen["iotcerts"]
    run_pytest(keys_dir, *extra, env=warm)  # fills the warm bank
    times: dict[str, list[float]] = {name: [] for name in [*chosen, "iotcerts, cold bank"]}
    for _ in range(rounds):
        shutil.rmtree(root / "cold-bank", ignore_errors=True)
        times["iotcerts, cold bank"].append(run_pytest(keys_dir, *extra, env=cold))
        for name, (directory, arguments) in chosen.items():
            times[name].append(run_pytest(directory, *arguments, env=warm))
    medians = {name: statistics.median(samples) for name, samples in times.items()}
    print(
        f"{tests} tests, {'-n ' + str(workers) if workers else 'one process'}, "
        f"median of {rounds} rounds (wall seconds, pytest start included)"
    )
    base, no_keys = medians["iotcerts"], medians["iotcerts, no keys"]
    for name, seconds in medians.items():
        print(f"  {name:<22} {seconds:6.2f} s   {seconds / base:5.2f}x iotcerts")
    print(f"  CreateKeysAndCertificate costs {base / no_keys:.2f}x the suite without it")
    if "moto" in medians:
        print(f"  moto / iotcerts = {medians['moto'] / base:.1f}x")
    with_plugin, without = startup(root, max(rounds, 7), warm)
    print(
        f"startup: pytest {with_plugin * 1000:.0f} ms with the plugin, "
        f"{without * 1000:.0f} ms with -p no:iotcerts: "
        f"{(with_plugin - without) * 1000:+.0f} ms"
    )


if __name__ == "__main__":
    main()
