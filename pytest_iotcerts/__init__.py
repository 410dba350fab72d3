"""pytest-iotcerts: an in-process, AWS-faithful AWS IoT certificate service for tests."""

from __future__ import annotations

from importlib.metadata import version

from ._auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from ._controller import IotCerts, mock_iot
from ._crypto import CertificateAuthority, to_pem
from ._errors import IotCertsWarning, ServiceError
from ._faults import AWS_QUOTAS, CONNECTION_ERROR, READ_TIMEOUT, FaultRule, RateLimit
from ._http import HttpRequest, HttpResponse
from ._resources import (
    Authorizer,
    BillingGroup,
    CACertificate,
    Certificate,
    DomainConfiguration,
    Job,
    JobExecution,
    JobTemplate,
    Policy,
    PolicyVersion,
    RoleAlias,
    Thing,
    ThingGroup,
    ThingType,
)
from ._router import Call
from ._settings import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Settings

__version__ = version("pytest-iotcerts")

__all__ = [
    "AWS_QUOTAS",
    "CONNECTION_ERROR",
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "FAKE_ACCESS_KEY_ID",
    "FAKE_SECRET_ACCESS_KEY",
    "READ_TIMEOUT",
    "Authorizer",
    "BillingGroup",
    "CACertificate",
    "Call",
    "Certificate",
    "CertificateAuthority",
    "DomainConfiguration",
    "FaultRule",
    "HttpRequest",
    "HttpResponse",
    "IotCerts",
    "IotCertsWarning",
    "Job",
    "JobExecution",
    "JobTemplate",
    "Policy",
    "PolicyVersion",
    "RateLimit",
    "RoleAlias",
    "ServiceError",
    "Settings",
    "Thing",
    "ThingGroup",
    "ThingType",
    "__version__",
    "mock_iot",
    "to_pem",
]
