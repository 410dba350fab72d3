from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_iotcerts import IotCerts


@pytest.fixture
def client(iot_certs: IotCerts) -> Any:
    """A plain boto3 IoT client, made while the emulator is active."""
    return boto3.client("iot", region_name="us-east-1")
