"""The key bank: CreateKeysAndCertificate's keys kept between runs, each used at most once a run."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import boto3
import pytest
from cryptography.hazmat.primitives import serialization

from pytest_iotcerts import IotCertsWarning, mock_iot
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
    KeyBank(corrupt, Worker(run="ab")).add(pems[:2])
    [chunk] = corrupt.iterdir()
    data = bytearray(chunk.read_bytes())
    data[100] = ord("A") if data[100] != ord("A") else ord("B")  # one flipped base64 character
    chunk.write_bytes(bytes(data))
    source = KeySource(KeyBank(corrupt, Worker(run="cd")))
    try:
        with pytest.warns(IotCertsWarning, match="do not match its digest"):
            key = source.take()
    finally:
        source.stop()
    assert to_pem(key) not in pems[:2]  # a fresh key: nothing of the damaged chunk is handed out


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


# -- a directory the bank does not trust blindly ---------------------------------------------


def _one_chunk(directory: Path, pems: list[bytes]) -> Path:
    KeyBank(directory, Worker(run="earlier")).add(pems)
    [chunk] = [p for p in directory.iterdir() if p.name.startswith("keys-")]
    return chunk


def _share(directory: Path) -> list[bytes]:
    return list(KeyBank(directory, Worker(run="now")).share()[1])


def test_a_chunk_that_is_a_link_is_skipped_with_a_warning(
    tmp_path: Path, pems: list[bytes]
) -> None:
    elsewhere = _one_chunk(tmp_path / "elsewhere", pems[:2])
    bank = tmp_path / "bank"
    bank.mkdir(mode=0o700)
    (bank / elsewhere.name).symlink_to(elsewhere)
    with pytest.warns(IotCertsWarning, match="a link"):
        assert _share(bank) == []


def test_a_chunk_others_can_write_is_skipped(tmp_path: Path, pems: list[bytes]) -> None:
    chunk = _one_chunk(tmp_path, pems[:2])
    tmp_path.chmod(0o777)
    chunk.chmod(0o666)
    with pytest.warns(IotCertsWarning, match="writable by others"):
        assert _share(tmp_path) == []
    chunk.chmod(0o600)
    assert len(_share(tmp_path)) == 2


def test_a_fifo_in_place_of_a_chunk_neither_blocks_nor_is_read(
    tmp_path: Path, pems: list[bytes]
) -> None:
    chunk = _one_chunk(tmp_path, pems[:2])
    chunk.unlink()
    os.mkfifo(chunk, 0o600)
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(_share_quietly(tmp_path)))
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading the bank blocked on a FIFO"
    assert outcome == [[]]


def _share_quietly(directory: Path) -> list[bytes]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IotCertsWarning)
        return _share(directory)


def test_a_full_disk_leaves_no_temporary_file(
    tmp_path: Path, pems: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    KeyBank(tmp_path, Worker(run="ab")).add(pems[:2])
    assert list(tmp_path.iterdir()) == []


def test_temporary_files_of_dead_writers_are_cleaned(tmp_path: Path, pems: list[bytes]) -> None:
    stale = tmp_path / ".keys-2-ab-0123456789abcdef0123456789abcdef.pem.dead.tmp"
    fresh = tmp_path / ".keys-2-ac-0123456789abcdef0123456789abcdef.pem.busy.tmp"
    for path in (stale, fresh):
        path.write_bytes(b"half a chunk")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    KeyBank(tmp_path, Worker(run="cd")).add(pems[:1])
    assert not stale.exists()
    assert fresh.exists()  # a writer may still be at work on it


def test_a_process_started_by_the_owner_takes_none_of_its_share(
    tmp_path: Path, pems: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subprocess (``serve`` from a fixture, say) inherits its parent's environment, xdist's
    worker variables included: it must not hand out the keys its parent hands out."""
    KeyBank(tmp_path, Worker(run="earlier")).add(pems[:4])
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "1")
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "abcdef")
    monkeypatch.delenv("PYTEST_IOTCERTS_KEY_BANK_OWNER", raising=False)
    parent = KeyBank(tmp_path)
    assert parent.share()[0] == 4
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            "from pytest_iotcerts._x509.key_bank import KeyBank;"
            "bank = KeyBank(Path(sys.argv[1]));"
            "print(bank.share()[0], bank.worker.run)",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert child.stdout.split() == ["0", parent.worker.run]
