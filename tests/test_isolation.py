"""Nothing escapes, nothing leaks: credential providers never run for IoT calls, and every
order of starting and stopping mocks (ours, several, in threads, beside moto's) leaves the
environment exactly as it was."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from pytest_iotcerts import IotCerts, mock_iot

REAL = {"AWS_ACCESS_KEY_ID": "AKIAREALKEY000000000", "AWS_PROFILE": "role"}


@pytest.fixture
def assume_role_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real-world set-up: AWS_PROFILE names a profile that assumes a role through STS."""
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        "aws_access_key_id = AKIABASEPROFILE00000\n"
        "aws_secret_access_key = base-profile-secret\n"
        "[profile role]\n"
        "role_arn = arn:aws:iam::111122223333:role/deployer\n"
        "source_profile = base\n"
        "region = us-east-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "role")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return config


def test_an_assume_role_client_made_before_the_mock_never_calls_sts(
    assume_role_profile: Path,
) -> None:
    client = boto3.Session().client("iot")  # a deferred assume-role credential, no call yet

    with mock_iot() as iot:
        created = client.create_keys_and_certificate()
        listed = client.list_certificates()

    # The network guard fails this test on any lookup of sts.amazonaws.com.
    assert iot.get(created["certificateId"]).account_id == "123456789012"
    assert [c["certificateId"] for c in listed["certificates"]] == [created["certificateId"]]


def test_a_refreshing_credential_process_is_not_run_for_iot_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    script = tmp_path / "credentials.py"
    expiring = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)).isoformat()
    script.write_text(
        "import json, pathlib\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "runs.write_text(runs.read_text() + 'x' if runs.exists() else 'x')\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPROCESS000000000', "
        f"'SecretAccessKey': 's', 'SessionToken': 't', 'Expiration': {expiring!r}}}))\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {script}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.Session().client("iot", region_name="us-east-1")
    assert runs.read_text() == "x"  # once, to build the client, before any mock

    with mock_iot():
        client.list_certificates()  # its credential expires within botocore's refresh window

    assert runs.read_text() == "x"


def test_a_client_with_static_credentials_keeps_its_account(iot_certs: IotCerts) -> None:
    client = boto3.client("iot", **iot_certs.credentials_for("210987654321"))

    arn = client.create_keys_and_certificate()["certificateArn"]

    assert ":210987654321:cert/" in arn


def aws_variables() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("AWS_")}


@pytest.fixture
def real_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in REAL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    return aws_variables()


def test_overlapping_mocks_restore_the_environment_in_any_stop_order(
    real_environment: dict[str, str],
) -> None:
    a = mock_iot(region="eu-west-1").start()
    b = mock_iot(region="ap-south-1").start()

    a.stop()
    while_b = aws_variables()
    b.stop()

    assert while_b["AWS_REGION"] == "ap-south-1"
    assert while_b["AWS_ACCESS_KEY_ID"] != REAL["AWS_ACCESS_KEY_ID"]
    assert "AWS_PROFILE" not in while_b
    assert aws_variables() == real_environment


@pytest.mark.parametrize(
    "order",
    [
        "iot moto -iot -moto",
        "moto iot -moto -iot",
        "iot moto -moto -iot",
        "moto iot -iot -moto",
    ],
)
@pytest.mark.parametrize("other", ["mock_aws", "patch.dict"])
def test_mocks_interleaved_with_others_restore_the_environment(
    real_environment: dict[str, str], order: str, other: str
) -> None:
    fake = {"AWS_ACCESS_KEY_ID": "OTHERKEY", "AWS_SECRET_ACCESS_KEY": "OTHERSECRET"}
    mocks: dict[str, Any] = {
        "iot": mock_iot(),
        "moto": mock_aws() if other == "mock_aws" else mock.patch.dict(os.environ, fake),
    }

    for step in order.split():
        name = step.lstrip("-")
        if step.startswith("-"):
            mocks[name].stop()
        else:
            mocks[name].start()

    assert aws_variables() == real_environment


def test_each_thread_reaches_the_mock_it_started() -> None:
    both_active = threading.Barrier(2, timeout=10)
    done = threading.Barrier(2, timeout=10)
    seen: dict[str, tuple[IotCerts, str]] = {}

    def run(name: str, account_id: str) -> None:
        with mock_iot(account_id=account_id) as iot:
            both_active.wait()
            issued = boto3.client("iot", region_name="us-east-1").create_keys_and_certificate()
            seen[name] = (iot, issued["certificateId"])
            done.wait()

    threads = [
        threading.Thread(target=run, args=("a", "111111111111")),
        threading.Thread(target=run, args=("b", "222222222222")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    for iot, certificate_id in seen.values():
        assert [c.certificate_id for c in iot.certificates] == [certificate_id]


def test_a_thread_that_started_no_mock_reaches_the_latest_one(iot_certs: IotCerts) -> None:
    issued: list[str] = []
    worker = threading.Thread(
        target=lambda: issued.append(
            boto3.client("iot").create_keys_and_certificate()["certificateId"]
        )
    )

    worker.start()
    worker.join(timeout=30)

    assert [c.certificate_id for c in iot_certs.certificates] == issued


def test_the_network_guard_fails_a_test_that_looks_up_a_host(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(
        """
        import socket

        def test_swallows_the_error():
            try:
                socket.getaddrinfo("sts.amazonaws.com", 443)
            except OSError:
                pass
        """
    )

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*reached for the network*sts.amazonaws.com*"])
