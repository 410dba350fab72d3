"""Authentication as AWS answers it: unsigned requests are refused at every door, signatures
can be verified, and the common authentication errors can be injected."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from sigv4 import signed, signed_headers

from pytest_iotcerts import FAKE_ACCESS_KEY_ID, HttpRequest, IotCerts

ENDPOINT = "https://iot.us-east-1.amazonaws.com"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def client_signing_with(access_key_id: str, secret: str) -> Any:
    return boto3.client(
        "iot", aws_access_key_id=access_key_id, aws_secret_access_key=secret, config=NO_RETRIES
    )


def test_an_unsigned_request_is_refused_by_the_router(iot_certs: IotCerts) -> None:
    response = iot_certs.handle(HttpRequest("POST", ENDPOINT + "/keys-and-certificate", {}))

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert json.loads(response.body) == {"message": "Missing Authentication Token"}
    assert iot_certs.certificates == []
    assert iot_certs.calls[-1].operation == "CreateKeysAndCertificate"


def test_an_unsigned_request_is_refused_at_the_loopback_endpoint(iot_certs: IotCerts) -> None:
    request = urllib.request.Request(
        iot_certs.endpoint_url + "/keys-and-certificate", b"", method="POST"
    )

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()

    assert refused.value.code == 403
    assert refused.value.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert iot_certs.certificates == []


def test_an_unsigned_request_is_refused_through_responses(iot_certs: IotCerts) -> None:
    with iot_certs.mock_requests():
        refused = requests.get(ENDPOINT + "/certificates", timeout=5)

    assert refused.status_code == 403
    assert refused.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_malformed_authorization_header_is_an_incomplete_signature(iot_certs: IotCerts) -> None:
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/iot"}

    response = iot_certs.handle(HttpRequest("GET", ENDPOINT + "/certificates", headers))

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "IncompleteSignatureException"
    assert "'Signature'" in json.loads(response.body)["message"]


@pytest.mark.iot_certs(verify_signatures=True)
def test_verified_signatures_from_boto3_and_handed_out_credentials_pass(
    iot_certs: IotCerts,
) -> None:
    mine = boto3.client("iot").create_keys_and_certificate()
    theirs = boto3.client("iot", **iot_certs.credentials_for("210987654321"))

    listed = theirs.list_certificates()

    assert iot_certs.get(mine["certificateId"]).account_id == "123456789012"
    assert listed["certificates"] == []


@pytest.mark.iot_certs(verify_signatures=True)
def test_a_wrong_secret_is_an_invalid_signature(iot_certs: IotCerts) -> None:
    client = client_signing_with(FAKE_ACCESS_KEY_ID, "not-the-secret")

    with pytest.raises(ClientError) as refused:
        client.create_keys_and_certificate()

    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert iot_certs.certificates == []


@pytest.mark.iot_certs(verify_signatures=True)
def test_an_unknown_access_key_is_an_unrecognized_client(iot_certs: IotCerts) -> None:
    client = client_signing_with("AKIANOTHANDEDOUT0000", "whatever")

    with pytest.raises(ClientError) as refused:
        client.list_certificates()

    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_signature_older_than_five_minutes_is_expired(iot_certs: IotCerts) -> None:
    iot_certs.verify_signatures = True
    stale = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(minutes=6)

    response = iot_certs.handle(signed("GET", ENDPOINT + "/certificates", at=stale))
    fresh = iot_certs.handle(signed("GET", ENDPOINT + "/certificates"))

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert json.loads(response.body)["message"].startswith("Signature expired: ")
    assert fresh.status_code == 200


def test_a_tampered_request_fails_verification(iot_certs: IotCerts) -> None:
    iot_certs.verify_signatures = True
    url = ENDPOINT + "/certificates?pageSize=5"
    headers = signed_headers("GET", url)

    response = iot_certs.handle(HttpRequest("GET", url.replace("5", "6"), headers))

    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


@pytest.mark.iot_certs(verify_signatures=True)
def test_the_aws_cli_signs_verifiably_at_the_loopback_endpoint(iot_certs: IotCerts) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "awscli", "iot", "create-keys-and-certificate", "--output", "json"],
        env=iot_certs.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    assert iot_certs.get(json.loads(run.stdout)["certificateId"]).status == "INACTIVE"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("UnrecognizedClientException", "The security token included in the request is invalid."),
        ("InvalidSignatureException", "The request signature we calculated does not match"),
        ("ExpiredTokenException", "The security token included in the request is expired"),
        ("AccessDeniedException", "is not authorized to perform: iot:DescribeEndpoint"),
    ],
)
@pytest.mark.parametrize("mode", ["legacy", "standard"])
def test_authentication_faults_reach_botocore_as_aws_sends_them(
    iot_certs: IotCerts, code: str, message: str, mode: str
) -> None:
    rule = iot_certs.add_fault(code, operation="DescribeEndpoint", times=1)
    client = boto3.client("iot", config=Config(retries={"mode": mode}))

    with pytest.raises(ClientError) as refused:
        client.describe_endpoint(endpointType="iot:Data-ATS")

    error = refused.value.response
    assert error["Error"]["Code"] == code
    assert message in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    # botocore 1.44 retries none of them, ExpiredTokenException included (no refresh either).
    assert error["ResponseMetadata"]["RetryAttempts"] == 0
    assert rule.fired == 1
