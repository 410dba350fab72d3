"""pytest-iotcerts: an in-process, AWS-faithful AWS IoT certificate service for tests.

The public names load on first use (PEP 562), so an installed but unused plugin costs a pytest run
almost nothing: botocore, cryptography and responses are imported only when a mock starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._aws.errors import IotCertsWarning, ServiceError
    from ._control.controller import IotCerts, mock_iot
    from ._control.settings import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Settings
    from ._core.events import Message
    from ._core.resources import (
        ActionOutcome,
        Authorizer,
        BillingGroup,
        CACertificate,
        Certificate,
        DomainConfiguration,
        FleetMetric,
        FleetMetricDatum,
        Job,
        JobExecution,
        JobTemplate,
        Policy,
        PolicyVersion,
        RetainedMessage,
        RoleAlias,
        RuleRun,
        Thing,
        ThingGroup,
        ThingType,
    )
    from ._wire.auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
    from ._wire.faults import AWS_QUOTAS, CONNECTION_ERROR, READ_TIMEOUT, FaultRule, RateLimit
    from ._wire.http import HttpRequest, HttpResponse
    from ._wire.router import Call
    from ._x509.crypto import CertificateAuthority, to_pem

    __version__: str

_EXPORTS = {
    "._wire.auth": ("FAKE_ACCESS_KEY_ID", "FAKE_SECRET_ACCESS_KEY"),
    "._control.controller": ("IotCerts", "mock_iot"),
    "._x509.crypto": ("CertificateAuthority", "to_pem"),
    "._aws.errors": ("IotCertsWarning", "ServiceError"),
    "._core.events": ("Message",),
    "._wire.faults": ("AWS_QUOTAS", "CONNECTION_ERROR", "READ_TIMEOUT", "FaultRule", "RateLimit"),
    "._wire.http": ("HttpRequest", "HttpResponse"),
    "._core.resources": (
        "ActionOutcome",
        "Authorizer",
        "BillingGroup",
        "CACertificate",
        "Certificate",
        "DomainConfiguration",
        "FleetMetric",
        "FleetMetricDatum",
        "Job",
        "JobExecution",
        "JobTemplate",
        "Policy",
        "PolicyVersion",
        "RetainedMessage",
        "RoleAlias",
        "RuleRun",
        "Thing",
        "ThingGroup",
        "ThingType",
    ),
    "._wire.router": ("Call",),
    "._control.settings": ("DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "Settings"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "AWS_QUOTAS",
    "CONNECTION_ERROR",
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "FAKE_ACCESS_KEY_ID",
    "FAKE_SECRET_ACCESS_KEY",
    "READ_TIMEOUT",
    "ActionOutcome",
    "Authorizer",
    "BillingGroup",
    "CACertificate",
    "Call",
    "Certificate",
    "CertificateAuthority",
    "DomainConfiguration",
    "FaultRule",
    "FleetMetric",
    "FleetMetricDatum",
    "HttpRequest",
    "HttpResponse",
    "IotCerts",
    "IotCertsWarning",
    "Job",
    "JobExecution",
    "JobTemplate",
    "Message",
    "Policy",
    "PolicyVersion",
    "RateLimit",
    "RetainedMessage",
    "RoleAlias",
    "RuleRun",
    "ServiceError",
    "Settings",
    "Thing",
    "ThingGroup",
    "ThingType",
    "__version__",
    "mock_iot",
    "to_pem",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        value = version("pytest-iotcerts")
    elif name in _MODULE_OF:
        value = getattr(importlib.import_module(_MODULE_OF[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
