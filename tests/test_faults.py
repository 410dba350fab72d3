"""Injected faults: botocore must meet them exactly as it would meet AWS's."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from csrs import csr_pem

from pytest_iotcerts import IotCerts

LEGACY = Config(retries={"mode": "legacy"})
STANDARD = Config(retries={"mode": "standard"})


def make_client(config: Config | None = None) -> Any:
    return boto3.client("iot", region_name="us-east-1", config=config)


@pytest.fixture(params=["legacy", "standard"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("UnauthorizedException", 401),
        ("ServiceUnavailableException", 503),
        ("InternalFailureException", 500),
        ("InvalidRequestException", 400),
        ("ResourceNotFoundException", 404),
    ],
)
def test_each_error_is_botocores_own_modeled_exception_with_the_models_status(
    iot_certs: IotCerts, mode: str, code: str, status: int
) -> None:
    client = make_client(Config(retries={"mode": mode, "total_max_attempts": 1}))
    iot_certs.add_fault(code, operation="DescribeCertificate")

    with pytest.raises(getattr(client.exceptions, code)) as raised:
        client.describe_certificate(certificateId="a" * 64)

    response = raised.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["ResponseMetadata"]["RequestId"] == iot_certs.calls[-1].request_id
    assert iot_certs.calls[-1].error_code == code
    assert iot_certs.calls[-1].status_code == status


@pytest.mark.parametrize(
    ("mode", "code", "attempts"),
    [
        # legacy: 5 attempts; throttling codes only with status 400; 500/503 retried
        ("legacy", "ThrottlingException", 5),
        ("legacy", "ServiceUnavailableException", 5),
        ("legacy", "InternalFailureException", 5),
        ("legacy", "UnauthorizedException", 1),
        ("legacy", "InvalidRequestException", 1),
        ("legacy", "LimitExceededException", 1),
        # standard: 3 attempts; throttling codes at any status (LimitExceeded too); 500/503
        ("standard", "ThrottlingException", 3),
        ("standard", "ServiceUnavailableException", 3),
        ("standard", "InternalFailureException", 3),
        ("standard", "UnauthorizedException", 1),
        ("standard", "InvalidRequestException", 1),
        ("standard", "LimitExceededException", 3),
    ],
)
def test_botocore_retries_what_it_retries_against_aws(
    iot_certs: IotCerts, mode: str, code: str, attempts: int
) -> None:
    client = make_client(Config(retries={"mode": mode}))
    # AttachPolicy is one of the operations whose model lists LimitExceededException.
    iot_certs.add_fault(code, operation="AttachPolicy")

    with pytest.raises(ClientError) as raised:
        client.attach_policy(policyName="p", target="arn:aws:iot:us-east-1:123456789012:cert/a")

    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert [c.error_code for c in iot_certs.calls] == [code] * attempts
    assert len(iot_certs.retry_delays) == attempts - 1


def test_a_throttled_call_succeeds_once_the_fault_is_used_up(
    iot_certs: IotCerts, mode: str
) -> None:
    client = make_client(Config(retries={"mode": mode}))
    rule = iot_certs.throttle("CreateKeysAndCertificate", times=2)

    response = client.create_keys_and_certificate()

    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert rule.fired == 2
    assert [c.error_code for c in iot_certs.calls] == ["ThrottlingException"] * 2 + [None]
    assert len(iot_certs.certificates) == 1


def test_retries_do_not_sleep_by_default(
    iot_certs: IotCerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    iot_certs.throttle(times=4)

    make_client(LEGACY).create_keys_and_certificate()

    assert slept == []
    assert len(iot_certs.retry_delays) == 4
    assert all(0 <= delay <= 8 for delay in iot_certs.retry_delays)


@pytest.mark.iot_certs(sleep_on_retry=True)
def test_sleep_on_retry_restores_real_backoff(
    iot_certs: IotCerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # recorded, not waited for
    iot_certs.throttle(times=2)

    make_client(LEGACY).create_keys_and_certificate()

    assert len(slept) == 2
    assert iot_certs.retry_delays == slept  # recorded in both modes
    assert iot_certs.clock.skipped == 0  # really slept: the mock's clock is not moved on


def test_faults_are_scoped_to_their_operations(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))
    iot_certs.unauthorized(["DescribeCertificate", "ListCertificates"])

    created = client.create_keys_and_certificate()
    with pytest.raises(client.exceptions.UnauthorizedException) as raised:
        client.describe_certificate(certificateId=created["certificateId"])

    assert "iot:DescribeCertificate" in raised.value.response["Error"]["Message"]


def test_a_fault_without_operation_hits_every_operation_that_can_return_it(
    iot_certs: IotCerts,
) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))
    iot_certs.add_fault("CertificateStateException")

    # CreateKeysAndCertificate cannot return it, so it is untouched ...
    created = client.create_keys_and_certificate()
    # ... while UpdateCertificate can.
    with pytest.raises(client.exceptions.CertificateStateException):
        client.update_certificate(certificateId=created["certificateId"], newStatus="ACTIVE")


def test_faults_can_match_account_and_region(iot_certs: IotCerts) -> None:
    iot_certs.service_unavailable(region="eu-west-1", account_id="123456789012")
    config = Config(retries={"total_max_attempts": 1})
    west = boto3.client("iot", region_name="eu-west-1", config=config)
    east = boto3.client("iot", region_name="us-east-1", config=config)
    other_account = boto3.client(
        "iot",
        region_name="eu-west-1",
        aws_access_key_id="210987654321",
        aws_secret_access_key="x",
        config=config,
    )

    east.create_keys_and_certificate()
    other_account.create_keys_and_certificate()
    with pytest.raises(west.exceptions.ServiceUnavailableException):
        west.create_keys_and_certificate()


def test_a_faulted_call_changes_nothing(iot_certs: IotCerts) -> None:
    client = make_client()
    iot_certs.throttle("CreateCertificateFromCsr")
    iot_certs.add_fault("InternalFailureException", operation="CreateKeysAndCertificate")

    with pytest.raises(client.exceptions.ThrottlingException):
        client.create_certificate_from_csr(certificateSigningRequest=csr_pem("p256"))
    with pytest.raises(client.exceptions.InternalFailureException):
        client.create_keys_and_certificate(setAsActive=True)

    assert iot_certs.certificates == []
    assert all(call.certificate_id is None for call in iot_certs.calls)


def test_a_fault_wins_over_a_validation_error(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))
    iot_certs.unauthorized("CreateCertificateFromCsr")

    with pytest.raises(client.exceptions.UnauthorizedException):
        client.create_certificate_from_csr(certificateSigningRequest="garbage")


def test_messages_default_to_realistic_text_and_can_be_set(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))
    iot_certs.throttle("DescribeCertificate", times=1)
    iot_certs.throttle("DescribeCertificate", times=1, message="Slow down, fleet!")

    with pytest.raises(ClientError) as first:
        client.describe_certificate(certificateId="a" * 64)
    with pytest.raises(ClientError) as second:
        client.describe_certificate(certificateId="a" * 64)

    assert first.value.response["Error"]["Message"] == "Rate exceeded"
    assert second.value.response["Error"]["Message"] == "Slow down, fleet!"


def test_rules_count_fire_and_can_be_removed(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))
    rule = iot_certs.service_unavailable("CreateKeysAndCertificate")
    other = iot_certs.throttle("DescribeCertificate")

    for _ in range(3):
        with pytest.raises(client.exceptions.ServiceUnavailableException):
            client.create_keys_and_certificate()
    rule.remove()
    client.create_keys_and_certificate()

    assert rule.fired == 3
    assert iot_certs.faults == [other]
    iot_certs.clear_faults()
    assert iot_certs.faults == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"error_code": "NoSuchException"}, "Valid codes: CertificateConflictException"),
        ({"error_code": "Throttling"}, "(did you mean ThrottlingException?)"),
        (
            {"error_code": "ResourceNotFoundException", "operation": "CreateKeysAndCertificate"},
            "CreateKeysAndCertificate cannot return 'ResourceNotFoundException'. Its valid "
            "codes are: InternalFailureException, InvalidRequestException, "
            "ServiceUnavailableException, ThrottlingException, UnauthorizedException",
        ),
        (
            {"error_code": "ThrottlingException", "operation": "DescribeCertificat"},
            "did you mean DescribeCertificate",
        ),
        ({"error_code": "ThrottlingException", "times": 0}, "times must be a positive integer"),
        ({"error_code": "ThrottlingException", "probability": 1.5}, "probability"),
    ],
)
def test_bad_rules_are_value_errors_at_once(
    iot_certs: IotCerts, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        iot_certs.add_fault(**kwargs)

    assert message in str(raised.value)
    assert iot_certs.faults == []


def test_chaos_mode_is_reproducible_with_a_seed(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))

    def outcomes() -> list[bool]:
        iot_certs.clear_faults()
        iot_certs.service_unavailable("DescribeCertificate", probability=0.3, seed=1234)
        results = []
        for _ in range(40):
            try:
                client.describe_certificate(certificateId="a" * 64)
            except client.exceptions.ServiceUnavailableException:
                results.append(False)
            except client.exceptions.ResourceNotFoundException:
                results.append(True)
        return results

    first, second = outcomes(), outcomes()

    assert first == second
    assert 0 < first.count(False) < 40


def test_chaos_rules_without_a_seed_record_the_one_they_drew(iot_certs: IotCerts) -> None:
    rule = iot_certs.throttle(probability=0.5)
    assert isinstance(rule.seed, int)
    assert f"seed={rule.seed}" in rule.describe()


@pytest.mark.parametrize(
    ("kind", "exception"),
    [("connection_error", EndpointConnectionError), ("read_timeout", ReadTimeoutError)],
)
def test_transport_faults_are_botocores_network_errors_and_are_retried(
    iot_certs: IotCerts, mode: str, kind: str, exception: type[Exception]
) -> None:
    client = make_client(Config(retries={"mode": mode}))
    rule = getattr(iot_certs, kind)("CreateKeysAndCertificate", times=2)

    response = client.create_keys_and_certificate()

    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert rule.fired == 2
    assert [c.status_code for c in iot_certs.calls] == [None, None, 200]
    assert iot_certs.calls[0].error_code == rule.error_code

    getattr(iot_certs, kind)("DescribeCertificate")
    with pytest.raises(exception):
        client.describe_certificate(certificateId=response["certificateId"])


def test_a_rate_limit_throttles_calls_beyond_its_rate(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))
    iot_certs.clock.freeze()
    limit = iot_certs.rate_limit("DescribeCertificate", tps=2, burst=2)

    def outcome() -> str:
        try:
            client.describe_certificate(certificateId="a" * 64)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    first = [outcome() for _ in range(4)]
    iot_certs.clock.advance(0.5)  # refills one token at 2/s
    later = [outcome() for _ in range(2)]

    assert first == ["ResourceNotFoundException"] * 2 + ["ThrottlingException"] * 2
    assert later == ["ResourceNotFoundException", "ThrottlingException"]
    assert limit.throttled == 3
    client.create_keys_and_certificate()  # other operations are not limited


def test_rate_limits_are_per_account_and_region(iot_certs: IotCerts) -> None:
    config = Config(retries={"total_max_attempts": 1})
    iot_certs.rate_limit("CreateKeysAndCertificate", tps=1)
    east = boto3.client("iot", region_name="us-east-1", config=config)
    west = boto3.client("iot", region_name="us-west-2", config=config)

    east.create_keys_and_certificate()
    west.create_keys_and_certificate()
    with pytest.raises(east.exceptions.ThrottlingException):
        east.create_keys_and_certificate()


@pytest.mark.iot_certs(aws_quotas=True)
def test_aws_quotas_apply_the_published_rates(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"total_max_attempts": 1}))
    iot_certs.clock.freeze()

    codes = []
    for _ in range(12):
        try:
            client.describe_certificate(certificateId="a" * 64)
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])

    # DescribeCertificate: 10 transactions per second, burst 10.
    assert codes == ["ResourceNotFoundException"] * 10 + ["ThrottlingException"] * 2
    assert iot_certs.rate_limits["CreateCertificateFromCsr"].tps == 15


def test_throttling_with_retries_exhausts_into_the_exception(iot_certs: IotCerts) -> None:
    client = make_client(Config(retries={"mode": "legacy", "max_attempts": 2}))
    iot_certs.throttle("CreateKeysAndCertificate")

    with pytest.raises(client.exceptions.ThrottlingException) as raised:
        client.create_keys_and_certificate()

    # max_attempts means retries: N + 1 attempts in all.
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(iot_certs.calls) == 3


def test_strict_rules_fail_when_they_did_not_fire_fully(iot_certs: IotCerts) -> None:
    rule = iot_certs.throttle("DescribeCertificate", times=2, strict=True)
    lenient = iot_certs.throttle("ListCertificates", times=3)  # not strict: only a warning
    boto3.client("iot").list_ca_certificates()

    with pytest.raises(AssertionError) as raised:
        iot_certs.verify_faults()
    assert "ThrottlingException, operation=['DescribeCertificate'], times=2" in str(raised.value)
    assert "ListCertificates" not in str(raised.value).split("calls made")[0]
    assert str(raised.value).endswith("calls made: ListCACertificates->200")
    rule.remove()
    iot_certs.verify_faults()
    lenient.remove()


@pytest.mark.parametrize("mode", ["legacy", "standard"])
def test_a_rate_limit_with_skipped_backoff_throttles_as_real_backoff_would(
    iot_certs: IotCerts, mode: str
) -> None:
    """Skipped sleeps move the mock's clock on, so the bucket refills as during real sleeps:
    back-to-back calls at 2/s ride out the throttling through botocore's retries."""
    iot_certs.clock.freeze()  # only the skipped backoff moves the clock on
    limit = iot_certs.rate_limit("DescribeCertificate", tps=2)
    certificate = iot_certs.issue_certificate()
    client = make_client(Config(retries={"mode": mode, "total_max_attempts": 10}))

    for _ in range(6):
        client.describe_certificate(certificateId=certificate.certificate_id)

    assert limit.throttled >= 1  # some attempts were throttled, and retried
    assert len(iot_certs.retry_delays) == limit.throttled  # recorded in both modes
    assert iot_certs.clock.skipped == pytest.approx(sum(iot_certs.retry_delays))


@pytest.mark.iot_certs(aws_quotas=True)
def test_aws_quotas_with_skipped_backoff_do_not_fail_a_polite_client(iot_certs: IotCerts) -> None:
    iot_certs.clock.freeze()
    certificate = iot_certs.issue_certificate()
    client = make_client(Config(retries={"mode": "standard", "total_max_attempts": 10}))

    for _ in range(25):
        client.describe_certificate(certificateId=certificate.certificate_id)

    assert iot_certs.rate_limits["DescribeCertificate"].throttled >= 1
    iot_certs.assert_called("DescribeCertificate", error_code="ok", times=25)


def test_the_clock_moves_only_forward(iot_certs: IotCerts) -> None:
    before = iot_certs.clock()
    iot_certs.clock.advance(2.5)

    assert iot_certs.clock() - before >= 2.5
    with pytest.raises(ValueError, match="only moves forward"):
        iot_certs.clock.advance(-1)


@pytest.mark.parametrize("uptime", [255.9876543210123, 8191.123456789, 1.0e6 - 0.1])
def test_the_clock_moves_by_exactly_what_it_is_advanced(uptime: float) -> None:
    """A frozen monotonic time just below a power of two once made ``advance(60)`` a hair less
    than 60 s, so a job's rollout saw no new minute (it depended on the machine's uptime)."""
    from pytest_iotcerts._aws.clock import Clock

    clock = Clock(source=lambda: uptime)
    clock.advance(0.0573)  # a retry delay botocore was spared
    began = clock()
    for minute in range(1, 4):
        clock.advance(60)
        assert (clock() - began) // 60 == minute
    assert clock.skipped == 0.0573 + 60 + 60 + 60  # what was asked for, not rounded to ticks
