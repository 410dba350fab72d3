"""The other doors over the same router: the loopback endpoint (raw HTTP, the aws CLI, the AWS
SDK for JavaScript) and ``requests`` through ``responses``. One state behind all of them."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from cryptography import x509
from requests_aws4auth import AWS4Auth
from sigv4 import signed_headers

from pytest_iotcerts import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, IotCerts, mock_iot


def aws(iot_certs: IotCerts, *args: str) -> subprocess.CompletedProcess[str]:
    """The real aws CLI, in a subprocess, pointed at the emulator by environment only."""
    command = [sys.executable, "-m", "awscli", "iot", *args, "--output", "json"]
    return subprocess.run(
        command, env=iot_certs.subprocess_env(), capture_output=True, text=True, timeout=120
    )


def test_the_loopback_endpoint_answers_raw_http(iot_certs: IotCerts) -> None:
    url = iot_certs.endpoint_url
    assert url.startswith("http://127.0.0.1:")

    create = url + "/keys-and-certificate?setAsActive=true"
    request = urllib.request.Request(
        create, b"", headers=signed_headers("POST", create), method="POST"
    )
    with urllib.request.urlopen(request) as created:
        status, body = created.status, json.loads(created.read())
    describe = url + "/certificates/" + "0" * 64
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(
            urllib.request.Request(describe, headers=signed_headers("GET", describe))
        )
    missing.value.close()

    assert status == 200
    assert iot_certs.get(body["certificateId"]).status == "ACTIVE"
    assert missing.value.code == 404
    assert missing.value.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert "x-amzn-RequestId" in missing.value.headers


def test_a_transport_fault_drops_the_loopback_connection(iot_certs: IotCerts) -> None:
    iot_certs.connection_error("ListCertificates", times=1)

    url = iot_certs.endpoint_url + "/certificates"

    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
        urllib.request.urlopen(
            urllib.request.Request(url, headers=signed_headers("GET", url)), timeout=5
        )
    with urllib.request.urlopen(
        urllib.request.Request(url, headers=signed_headers("GET", url))
    ) as listed:
        assert json.loads(listed.read()) == {"certificates": []}


def test_the_loopback_endpoint_stops_with_the_emulator() -> None:
    with mock_iot() as iot:
        url = iot.endpoint_url
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/certificates", timeout=2)
    with pytest.raises(RuntimeError, match="not active"):
        _ = iot.endpoint_url


def test_the_aws_cli_shares_state_with_boto3(iot_certs: IotCerts) -> None:
    created = aws(
        iot_certs, "create-keys-and-certificate", "--set-as-active", "--region", "eu-west-1"
    )
    assert created.returncode == 0, created.stderr
    certificate_id = json.loads(created.stdout)["certificateId"]

    described = boto3.client("iot", region_name="eu-west-1").describe_certificate(
        certificateId=certificate_id
    )
    missing = aws(iot_certs, "describe-certificate", "--certificate-id", "0" * 64)

    assert described["certificateDescription"]["status"] == "ACTIVE"
    assert missing.returncode == 254 or missing.returncode == 255
    assert "(ResourceNotFoundException)" in missing.stderr
    assert [c.operation for c in iot_certs.calls] == [
        "CreateKeysAndCertificate",
        "DescribeCertificate",
        "DescribeCertificate",
    ]


def test_the_aws_cli_meets_injected_faults(iot_certs: IotCerts) -> None:
    iot_certs.unauthorized("ListCertificates")

    listed = aws(iot_certs, "list-certificates")

    assert listed.returncode != 0
    assert "(UnauthorizedException)" in listed.stderr
    assert iot_certs.calls[-1].status_code == 401


def test_the_js_sdk_shares_state_and_errors(iot_certs: IotCerts, node_sdk: Path) -> None:
    existing = iot_certs.issue_certificate()

    run = subprocess.run(
        ["node", "provision.mjs"],
        cwd=node_sdk,
        env=iot_certs.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout)
    created = iot_certs.get(result["created"]["id"])
    assert created.arn == result["created"]["arn"]
    x509.load_pem_x509_certificate(result["created"]["pem"].encode()).verify_directly_issued_by(
        iot_certs.ca_certificate
    )
    assert sorted(result["listed"]) == sorted([existing.certificate_id, created.certificate_id])
    assert result["error"]["name"] == "ResourceNotFoundException"
    assert result["error"]["status"] == 404


def sigv4(region: str = "us-east-1") -> AWS4Auth:
    """What requests-based IoT code signs with (requests-aws4auth)."""
    return AWS4Auth(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, region, "iot")


def test_requests_callers_are_answered_through_responses(iot_certs: IotCerts) -> None:
    with iot_certs.mock_requests():
        created = requests.post(
            "https://iot.eu-north-1.amazonaws.com/keys-and-certificate?setAsActive=true",
            auth=sigv4("eu-north-1"),
            timeout=5,
        )
        missing = requests.get(
            "https://iot.eu-north-1.amazonaws.com/certificates/" + "0" * 64,
            auth=sigv4("eu-north-1"),
            timeout=5,
        )
        # Everything that is not the IoT control plane passes through untouched.
        passed = requests.get(iot_certs.endpoint_url + "/certificates", auth=sigv4(), timeout=5)

    assert created.status_code == 200
    certificate = iot_certs.get(created.json()["certificateId"])
    assert certificate.region == "eu-north-1"
    assert missing.status_code == 404
    assert missing.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert passed.status_code == 200


def test_requests_to_the_jobs_data_plane_are_answered_too(iot_certs: IotCerts) -> None:
    thing = iot_certs.create_thing("sensor-1")
    iot_certs.service().jobs.create("j", {"targets": [thing.arn], "document": "{}"})
    auth = AWS4Auth(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, "us-east-1", "iot-jobs-data")

    with iot_certs.mock_requests():
        pending = requests.get(
            "https://data.jobs.iot.us-east-1.amazonaws.com/things/sensor-1/jobs",
            auth=auth,
            timeout=5,
        )

    assert [job["jobId"] for job in pending.json()["queuedJobs"]] == ["j"]
    assert iot_certs.calls[-1].service == "iot-jobs-data"


def test_requests_meet_transport_faults_as_requests_exceptions(iot_certs: IotCerts) -> None:
    iot_certs.read_timeout("ListCertificates", times=1)
    iot_certs.connection_error("CreateKeysAndCertificate", times=1)

    with iot_certs.mock_requests():
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(
                "https://iot.us-east-1.amazonaws.com/certificates", auth=sigv4(), timeout=5
            )
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(
                "https://iot.us-east-1.amazonaws.com/keys-and-certificate", auth=sigv4(), timeout=5
            )


def test_an_existing_responses_mock_can_host_the_emulator(iot_certs: IotCerts) -> None:
    import responses

    with responses.RequestsMock() as rsps:
        rsps.get("https://example.invalid/health", json={"ok": True})
        iot_certs.add_to_responses(rsps)

        assert requests.get("https://example.invalid/health", timeout=5).json() == {"ok": True}
        listed = requests.get(
            "https://iot.us-east-1.amazonaws.com/certificates", auth=sigv4(), timeout=5
        )

    assert listed.json() == {"certificates": []}
