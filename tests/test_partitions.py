"""Partitions and hosts from botocore's own data: ARNs and DescribeEndpoint follow the
region's partition, and mock_requests() answers every host botocore's IoT endpoint ruleset can
produce (standard, FIPS, dual-stack, China, GovCloud) without a DNS lookup."""

from __future__ import annotations

from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from requests_aws4auth import AWS4Auth

from pytest_iotcerts import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, IotCerts


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("us-east-1", "aws", ".iot.us-east-1.amazonaws.com"),
        ("cn-north-1", "aws-cn", ".iot.cn-north-1.amazonaws.com.cn"),
        ("cn-northwest-1", "aws-cn", ".iot.cn-northwest-1.amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", ".iot.us-gov-west-1.amazonaws.com"),
    ],
)
def test_arns_and_endpoints_follow_the_partition(
    iot_certs: IotCerts, region: str, partition: str, suffix: str
) -> None:
    client = boto3.client("iot", region_name=region)

    created = client.create_keys_and_certificate()
    thing = client.create_thing(thingName="sensor-1")
    ats = client.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]

    assert created["certificateArn"].startswith(f"arn:{partition}:iot:{region}:123456789012:cert/")
    assert thing["thingArn"] == f"arn:{partition}:iot:{region}:123456789012:thing/sensor-1"
    assert ats.endswith(suffix)
    # A certificate ARN of the partition is a principal there.
    client.attach_thing_principal(thingName="sensor-1", principal=created["certificateArn"])


def test_china_ats_endpoints_have_their_own_form(iot_certs: IotCerts) -> None:
    client = boto3.client("iot", region_name="cn-north-1")

    ats = client.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]

    assert ats.endswith(".ats.iot.cn-north-1.amazonaws.com.cn")


@pytest.mark.parametrize(
    ("region", "fips", "dual_stack"),
    [
        ("us-east-1", False, False),
        ("us-east-1", True, False),
        ("us-east-1", False, True),
        ("us-east-1", True, True),
        ("cn-north-1", False, False),
        ("cn-north-1", False, True),
        ("us-gov-west-1", True, False),
    ],
)
def test_mock_requests_answers_every_host_botocore_resolves(
    iot_certs: IotCerts, region: str, fips: bool, dual_stack: bool
) -> None:
    config = Config(use_fips_endpoint=fips, use_dualstack_endpoint=dual_stack)
    endpoint = boto3.client("iot", region_name=region, config=config).meta.endpoint_url
    auth = AWS4Auth(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, region, "iot")

    with iot_certs.mock_requests():
        listed = requests.get(endpoint + "/certificates", auth=auth, timeout=5)

    assert listed.status_code == 200, (urlsplit(endpoint).hostname, listed.text)
    assert listed.json() == {"certificates": []}
    assert iot_certs.calls[-1].region == region
