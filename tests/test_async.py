"""aiobotocore and aioboto3 in process: the same emulator, through aiobotocore's own parser,
exceptions and retry handler, with faults and no-sleep retries."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from pytest_iotcerts import IotCerts, mock_iot

# In the test extra, so they run on every run; only `tox -e oldest` goes without them.
aioboto3 = pytest.importorskip("aioboto3")
get_session = pytest.importorskip("aiobotocore.session").get_session
pytest.importorskip("pytest_asyncio")


@pytest.mark.asyncio
async def test_aiobotocore_issues_and_describes(iot_certs: IotCerts) -> None:
    async with get_session().create_client("iot", region_name="eu-west-1") as client:
        created = await client.create_keys_and_certificate(setAsActive=True)
        described = await client.describe_certificate(certificateId=created["certificateId"])

    certificate = iot_certs.get(created["certificateId"])
    assert (certificate.status, certificate.region) == ("ACTIVE", "eu-west-1")
    assert described["certificateDescription"]["certificatePem"] == certificate.pem
    certificate.certificate.verify_directly_issued_by(iot_certs.ca_certificate)


@pytest.mark.asyncio
async def test_modeled_errors_are_aiobotocores_exceptions(iot_certs: IotCerts) -> None:
    async with get_session().create_client("iot", region_name="us-east-1") as client:
        with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
            await client.describe_certificate(certificateId="f" * 64)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.asyncio
async def test_throttling_is_retried_without_sleeping(iot_certs: IotCerts) -> None:
    iot_certs.clock.freeze()
    iot_certs.throttle("ListCertificates", times=2)
    config = Config(retries={"mode": "standard", "total_max_attempts": 3})

    async with get_session().create_client("iot", config=config) as client:
        listed = await client.list_certificates()

    assert listed["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(iot_certs.retry_delays) == 2
    assert iot_certs.clock.skipped == pytest.approx(sum(iot_certs.retry_delays))


@pytest.mark.asyncio
async def test_transport_faults_are_aiobotocores_connection_errors(iot_certs: IotCerts) -> None:
    iot_certs.connection_error("CreateKeysAndCertificate")
    config = Config(retries={"mode": "standard", "total_max_attempts": 2})

    async with get_session().create_client("iot", config=config) as client:
        with pytest.raises(EndpointConnectionError):
            await client.create_keys_and_certificate()

    assert iot_certs.certificates == []
    iot_certs.assert_called("CreateKeysAndCertificate", times=2)


@pytest.mark.asyncio
async def test_aioboto3_and_the_jobs_data_plane(iot_certs: IotCerts) -> None:
    thing = iot_certs.create_thing("sensor-1")
    session = aioboto3.Session()
    async with session.client("iot") as client:
        await client.create_job(jobId="j", targets=[thing.arn], document="{}")
    async with session.client("iot-jobs-data") as device:
        started = await device.start_next_pending_job_execution(thingName="sensor-1")
        await device.update_job_execution(jobId="j", thingName="sensor-1", status="SUCCEEDED")

    assert started["execution"]["jobId"] == "j"
    assert [job.status for job in iot_certs.jobs] == ["COMPLETED"]


@pytest.mark.asyncio
async def test_a_client_made_before_activation_without_credentials_is_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    async with get_session().create_client("iot", region_name="us-east-1") as client:
        with mock_iot() as iot:
            created = await client.create_keys_and_certificate()

    assert iot.get(created["certificateId"]).account_id == "123456789012"


@pytest.mark.asyncio
async def test_a_failing_client_changes_no_state_before_it_awaits(iot_certs: IotCerts) -> None:
    async with get_session().create_client("iot") as client:
        pending = client.create_keys_and_certificate()
        assert iot_certs.certificates == []  # nothing runs until awaited
        await pending

    assert len(iot_certs.certificates) == 1
