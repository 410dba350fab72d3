"""The key bank: CreateKeysAndCertificate's keys kept between runs, each used at most once a run."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import boto3
import pytest
from cryptography.hazmat.primitives import serialization

from pytest_iotcerts import mock_iot
from pytest_iotcerts._x509.key_bank import MAX_KEYS, KeyBank, Worker, default_directory
from pytest_iotcerts._x509.keys import KeySource, generate, to_pem

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def pems() -> list[bytes]:
    """Twelve real keys (generated once: half a second of CPU)."""
    return [to_pem(generate()) for _ in range(12)]


def public_der(pem: bytes | str) -> bytes:
    data = pem.encode() if isinstance(pem, str) else pem
    key = serialization.load_pem_private_key(data, None, unsafe_skip_rsa_key_validation=True)
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_workers_of_one_run_take_disjoint_keys_that_cover_the_bank(
    tmp_path: Path, pems: list[bytes]
) -> None:
    KeyBank(tmp_path, Worker(run="aaaa")).add(pems[:5])
    KeyBank(tmp_path, Worker(run="bbbb")).add(pems[5:])
    shares = []
    for index in range(3):
        size, keys = KeyBank(tmp_path, Worker(index, 3, run="cccc")).share()
        taken = list(keys)
        assert len(taken) == size
        shares.append(set(taken))
    assert sum(len(share) for share in shares) == len(pems)
    assert set().union(*shares) == set(pems)


def test_a_run_does_not_read_the_keys_it_saved_itself(tmp_path: Path, pems: list[bytes]) -> None:
    """Keys generated in this run were handed out in this run (perhaps by another worker)."""
    KeyBank(tmp_path, Worker(0, 2, run="1234")).add(pems[:4])
    assert KeyBank(tmp_path, Worker(1, 2, run="1234")).share()[0] == 0
    assert KeyBank(tmp_path, Worker(run="5678")).share()[0] == 4


def test_keys_come_from_the_bank_once_each_then_fresh(tmp_path: Path, pems: list[bytes]) -> None:
    KeyBank(tmp_path, Worker(run="earlier")).add(pems[:3])
    source = KeySource(KeyBank(tmp_path, Worker(run="now")))
    try:
        taken = [to_pem(source.take()) for _ in range(5)]
    finally:
        source.stop()
    assert set(taken[:3]) == set(pems[:3])
    assert len(set(taken)) == 5
    assert source.counts == {"banked": 3, "generated": 2}
    later = KeyBank(tmp_path, Worker(run="later"))
    assert set(taken) <= set(later.share()[1])  # the fresh ones were saved for the next runs


def test_the_bank_is_private_to_the_user(tmp_path: Path, pems: list[bytes]) -> None:
    directory = tmp_path / "bank"
    KeyBank(directory, Worker(run="ab")).add(pems[:1])
    (chunk,) = directory.iterdir()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(chunk.stat().st_mode) == 0o600


def test_the_bank_stops_growing_at_its_limit(
    tmp_path: Path, pems: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pytest_iotcerts._x509.key_bank.MAX_KEYS", 7)
    bank = KeyBank(tmp_path, Worker(run="ab"))
    bank.add(pems[:5])
    bank.add(pems[5:])
    bank.add(pems[:1])
    assert bank.size() == 7
    assert MAX_KEYS >= 4096


def test_an_unusable_bank_costs_only_speed(tmp_path: Path, pems: list[bytes]) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    bank = KeyBank(not_a_directory / "keys", Worker(run="ab"))
    bank.add(pems[:2])
    assert bank.share()[0] == 0
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "keys-2-ab-00.pem").write_bytes(pems[0][:200] + b"\n" + pems[1])
    source = KeySource(KeyBank(corrupt, Worker(run="cd")))
    try:
        key = source.take()
    finally:
        source.stop()
    assert to_pem(key) == pems[1]


def test_create_keys_and_certificate_uses_the_configured_bank(
    tmp_path: Path, pems: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # the whole bank is this run's
    KeyBank(tmp_path, Worker(run="earlier")).add(pems)
    with mock_iot(key_bank=str(tmp_path)):
        client = boto3.client("iot")
        issued = [client.create_keys_and_certificate() for _ in range(len(pems))]
    private_keys = [response["keyPair"]["PrivateKey"].encode() for response in issued]
    assert set(private_keys) == set(pems)
    for response in issued:  # each certificate certifies the key handed out with it
        assert public_der(response["keyPair"]["PrivateKey"]) == public_der_of(response)


def public_der_of(response: dict[str, str]) -> bytes:
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(response["certificatePem"].encode())
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_key_bank_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_IOTCERTS_KEY_BANK", str(tmp_path))
    with mock_iot(key_bank="off"):
        boto3.client("iot").create_keys_and_certificate()
    from pytest_iotcerts._x509.keys import save_fresh_keys

    save_fresh_keys()
    assert list(tmp_path.iterdir()) == []


def test_the_default_bank_is_in_the_user_cache_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_IOTCERTS_KEY_BANK", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert default_directory() == Path("/somewhere/cache/pytest-iotcerts/keys")
    monkeypatch.setenv("PYTEST_IOTCERTS_KEY_BANK", "/elsewhere")
    assert default_directory() == Path("/elsewhere")


def test_a_bad_key_bank_setting_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="key_bank must be a directory"):
        mock_iot(key_bank=3)


SUITE = """
import hashlib, os
import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

@pytest.mark.parametrize("n", range(12))
def test_issue(iot_certs, n):
    response = boto3.client("iot").create_keys_and_certificate()
    pem = response["certificatePem"].encode()
    public = x509.load_pem_x509_certificate(pem).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(os.environ["KEYS_SEEN"], "a") as seen:
        seen.write(hashlib.sha256(public).hexdigest() + "\\n")
"""


def test_runs_reuse_the_bank_and_xdist_workers_never_share_a_key(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank, seen = tmp_path / "bank", tmp_path / "seen"
    monkeypatch.setenv("KEYS_SEEN", str(seen))
    pytester.makepyfile(SUITE)
    pytester.runpytest_subprocess("-o", f"iot_certs_key_bank={bank}").assert_outcomes(passed=12)
    first = seen.read_text().split()
    assert len(set(first)) == 12
    assert KeyBank(bank).size() >= 12  # what the first run generated, saved for the next

    seen.unlink()
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "-o", f"iot_certs_key_bank={bank}"
    )
    result.assert_outcomes(passed=12)
    second = seen.read_text().split()
    assert len(set(second)) == 12  # never the same key twice in a run, across workers
    assert len(set(second) & set(first)) >= 6  # mostly reused from the bank
