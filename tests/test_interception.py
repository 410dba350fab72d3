"""The botocore door: which calls are caught, and that exit undoes everything."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import boto3
import botocore.endpoint
import botocore.hooks
import botocore.session
import botocore.signers
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from sigv4 import signed

from pytest_iotcerts import IotCerts, mock_iot

# Made at import time, long before any test activates the emulator.
EARLY_CLIENT = boto3.client("iot", region_name="ap-southeast-2")
ORIGINAL_EMIT = botocore.hooks.HierarchicalEmitter.emit
ORIGINAL_NEEDS_RETRY = botocore.endpoint.Endpoint._needs_retry
ORIGINAL_GET_AUTH = botocore.signers.RequestSigner.get_auth_instance


def test_a_client_made_before_activation_is_answered(iot_certs: IotCerts) -> None:
    response = EARLY_CLIENT.create_keys_and_certificate()

    assert response["certificateArn"].startswith("arn:aws:iot:ap-southeast-2:")
    assert iot_certs.get(response["certificateId"]).region == "ap-southeast-2"


def test_any_endpoint_url_is_answered(iot_certs: IotCerts) -> None:
    client = boto3.client(
        "iot", region_name="us-west-2", endpoint_url="http://127.0.0.1:9/not-listening"
    )

    response = client.create_keys_and_certificate()

    assert iot_certs.get(response["certificateId"]).region == "us-west-2"


def test_a_client_without_credentials_still_reaches_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = botocore.session.get_session()
    client = session.create_client("iot", region_name="us-east-1")
    assert session.get_credentials() is None

    with mock_iot() as iot:
        response = client.create_keys_and_certificate()

    assert iot.get(response["certificateId"]).operation == "CreateKeysAndCertificate"


def test_other_services_pass_through_untouched(iot_certs: IotCerts) -> None:
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1),
    )

    with pytest.raises(EndpointConnectionError):
        s3.list_buckets()

    assert iot_certs.calls == []


@pytest.mark.filterwarnings("ignore::pytest_iotcerts.plugin.IotCertsWarning")
def test_an_operation_not_emulated_yet_is_a_clear_error_never_sent_to_aws(
    iot_certs: IotCerts, client: Any
) -> None:
    with pytest.raises(ClientError) as raised:
        client.list_audit_findings()

    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplementedException"
    assert "ListAuditFindings" in error["Message"]
    assert "does not emulate" in error["Message"]
    assert iot_certs.calls[-1].operation == "ListAuditFindings"
    assert iot_certs.calls[-1].status_code == 501


def test_fake_credentials_and_region_are_set_while_active(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALREALREALREAL")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    before = dict(os.environ)

    with mock_iot(region="eu-central-1"):
        assert "AWS_PROFILE" not in os.environ
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"] != "AKIAREALREALREALREAL"
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
        assert os.environ["AWS_CONFIG_FILE"] == os.devnull
        assert os.environ["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
        session = boto3.session.Session()
        assert session.region_name == "eu-central-1"
        assert session.get_credentials().access_key == os.environ["AWS_ACCESS_KEY_ID"]

    assert dict(os.environ) == before


def test_exit_restores_botocore_exactly_even_after_an_exception() -> None:
    with pytest.raises(RuntimeError), mock_iot():
        assert botocore.hooks.HierarchicalEmitter.emit is not ORIGINAL_EMIT
        raise RuntimeError("the test failed")

    assert botocore.hooks.HierarchicalEmitter.emit is ORIGINAL_EMIT
    assert botocore.endpoint.Endpoint._needs_retry is ORIGINAL_NEEDS_RETRY
    assert botocore.signers.RequestSigner.get_auth_instance is ORIGINAL_GET_AUTH
    assert botocore.endpoint.time is __import__("time")


def test_nested_mocks_answer_from_the_innermost_and_unpatch_at_the_last() -> None:
    with mock_iot() as outer:
        with mock_iot() as inner:
            boto3.client("iot").create_keys_and_certificate()
            assert len(inner.certificates) == 1
        assert botocore.hooks.HierarchicalEmitter.emit is not ORIGINAL_EMIT
        boto3.client("iot").create_keys_and_certificate()
        assert len(outer.certificates) == 1
    assert botocore.hooks.HierarchicalEmitter.emit is ORIGINAL_EMIT


def test_the_decorator_gives_each_call_fresh_state() -> None:
    seen = []

    @mock_iot(account_id="210987654321")
    def provision() -> str:
        return str(boto3.client("iot").create_keys_and_certificate()["certificateArn"])

    seen.append(provision())
    seen.append(provision())
    assert all(":210987654321:cert/" in arn for arn in seen)
    assert botocore.hooks.HierarchicalEmitter.emit is ORIGINAL_EMIT


def test_state_is_kept_per_account_via_the_access_key(iot_certs: IotCerts) -> None:
    other = boto3.client(
        "iot",
        region_name="us-east-1",
        aws_access_key_id="444455556666",
        aws_secret_access_key="x",
    )
    mine = boto3.client("iot", region_name="us-east-1")
    created = other.create_keys_and_certificate()

    assert created["certificateArn"].startswith("arn:aws:iot:us-east-1:444455556666:cert/")
    with pytest.raises(mine.exceptions.ResourceNotFoundException):
        mine.describe_certificate(certificateId=created["certificateId"])
    assert iot_certs.get(created["certificateId"]).account_id == "444455556666"


def test_the_account_can_be_set_per_test(iot_certs: IotCerts, client: Any) -> None:
    iot_certs.account_id = "999988887777"

    response = client.create_keys_and_certificate()

    assert ":999988887777:cert/" in response["certificateArn"]
    with pytest.raises(ValueError, match="12 digits"):
        iot_certs.account_id = "not-an-account"


class TestRawHttp:
    """The router below botocore: what a non-botocore caller (requests, curl) would meet."""

    def request(self, iot: IotCerts, method: str, path: str, body: bytes = b"") -> Any:
        response = iot.handle(signed(method, f"https://iot.us-east-1.amazonaws.com{path}", body))
        return response.status_code, response.headers, json.loads(response.body or b"{}")

    def test_an_unknown_route_is_a_404(self, iot_certs: IotCerts) -> None:
        status, headers, body = self.request(iot_certs, "GET", "/no/such/thing")

        assert status == 404
        assert headers["x-amzn-ErrorType"] == "UnknownOperationException"
        assert "GET /no/such/thing" in body["message"]
        assert uuid.UUID(headers["x-amzn-RequestId"]).version == 4

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            (b"{not json", "not valid JSON"),
            (b"[1, 2]", "JSON object"),
            (b'{"certificateSigningRequest": 42}', "must be a string"),
            (b"{}", "must not be null"),
        ],
    )
    def test_a_malformed_body_is_an_invalid_request(
        self, iot_certs: IotCerts, body: bytes, expected: str
    ) -> None:
        status, headers, answer = self.request(iot_certs, "POST", "/certificates", body)

        assert status == 400
        assert headers["x-amzn-ErrorType"] == "InvalidRequestException"
        assert expected in answer["message"]
        assert iot_certs.certificates == []

    def test_a_bad_boolean_in_the_query_is_an_invalid_request(self, iot_certs: IotCerts) -> None:
        status, _, answer = self.request(iot_certs, "POST", "/keys-and-certificate?setAsActive=yes")

        assert status == 400
        assert "setAsActive" in answer["message"]
        assert iot_certs.certificates == []


def test_the_decorator_works_on_coroutine_functions() -> None:
    import asyncio

    @mock_iot()
    async def provision() -> str:
        return str(boto3.client("iot").create_keys_and_certificate()["certificateArn"])

    assert asyncio.run(provision()).startswith("arn:aws:iot:us-east-1:123456789012:cert/")
    assert botocore.hooks.HierarchicalEmitter.emit is ORIGINAL_EMIT


def test_the_decorator_works_on_unittest_test_cases() -> None:
    import unittest

    iot = mock_iot()
    seen: list[int] = []

    @iot
    class ProvisioningTest(unittest.TestCase):
        def setUp(self) -> None:
            self.client = boto3.client("iot")

        def test_one(self) -> None:
            self.client.create_keys_and_certificate()
            seen.append(len(iot.certificates))

        def test_two(self) -> None:
            self.client.create_keys_and_certificate()
            self.client.create_keys_and_certificate()
            seen.append(len(iot.certificates))

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ProvisioningTest)
    with open(os.devnull, "w") as sink:
        result = unittest.TextTestRunner(stream=sink).run(suite)

    assert result.wasSuccessful(), result.errors + result.failures
    assert sorted(seen) == [1, 2]  # fresh state in each test
    assert not iot.active
    assert botocore.hooks.HierarchicalEmitter.emit is ORIGINAL_EMIT


def test_the_decorator_works_on_plain_test_classes() -> None:
    iot = mock_iot()

    @iot
    class Checks:
        def test_issue(self) -> int:
            boto3.client("iot").create_keys_and_certificate()
            return len(iot.certificates)

        def helper(self) -> bool:
            return iot.active

    assert Checks().test_issue() == 1
    assert Checks().helper() is False


def test_iot_is_ours_even_with_moto_active_for_everything_else() -> None:
    from moto import mock_aws

    with mock_aws(), mock_iot() as iot:
        created = boto3.client("iot", region_name="us-east-1").create_keys_and_certificate()
        identity = boto3.client("sts", region_name="us-east-1").get_caller_identity()

    # IoT went to pytest-iotcerts (a real certificate from its CA) ...
    assert iot.get(created["certificateId"]).certificate.issuer == iot.ca_certificate.subject
    # ... and STS to moto.
    assert identity["Account"] == "123456789012"
    assert botocore.hooks.HierarchicalEmitter.emit is ORIGINAL_EMIT
