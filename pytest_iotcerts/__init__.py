"""pytest-iotcerts: an in-process, AWS-faithful AWS IoT certificate service for tests."""

from __future__ import annotations

from ._controller import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, IotCerts, mock_iot
from ._crypto import CertificateAuthority, to_pem
from ._faults import AWS_QUOTAS, CONNECTION_ERROR, READ_TIMEOUT, FaultRule, RateLimit
from ._router import Call
from ._state import Certificate

__all__ = [
    "AWS_QUOTAS",
    "CONNECTION_ERROR",
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "READ_TIMEOUT",
    "Call",
    "Certificate",
    "CertificateAuthority",
    "FaultRule",
    "IotCerts",
    "RateLimit",
    "mock_iot",
    "to_pem",
]
