"""pytest-iotcerts: an in-process, AWS-faithful AWS IoT certificate service for tests."""

from __future__ import annotations

from ._controller import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, IotCerts, mock_iot
from ._crypto import CertificateAuthority
from ._router import Call
from ._state import Certificate

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "Call",
    "Certificate",
    "CertificateAuthority",
    "IotCerts",
    "mock_iot",
]
