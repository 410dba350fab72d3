"""pytest-iotcerts: an in-process, AWS-faithful AWS IoT certificate service for tests.

The public names load on first use (PEP 562), so an installed but unused plugin costs a pytest run
almost nothing: botocore, cryptography and responses are imported only when a mock starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
    from ._controller import IotCerts, mock_iot
    from ._crypto import CertificateAuthority, to_pem
    from ._errors import IotCertsWarning, ServiceError
    from ._events import Message
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

    __version__: str

_EXPORTS = {
    "._auth": ("FAKE_ACCESS_KEY_ID", "FAKE_SECRET_ACCESS_KEY"),
    "._controller": ("IotCerts", "mock_iot"),
    "._crypto": ("CertificateAuthority", "to_pem"),
    "._errors": ("IotCertsWarning", "ServiceError"),
    "._events": ("Message",),
    "._faults": ("AWS_QUOTAS", "CONNECTION_ERROR", "READ_TIMEOUT", "FaultRule", "RateLimit"),
    "._http": ("HttpRequest", "HttpResponse"),
    "._resources": (
        "Authorizer",
        "BillingGroup",
        "CACertificate",
        "Certificate",
        "DomainConfiguration",
        "Job",
        "JobExecution",
        "JobTemplate",
        "Policy",
        "PolicyVersion",
        "RoleAlias",
        "Thing",
        "ThingGroup",
        "ThingType",
    ),
    "._router": ("Call",),
    "._settings": ("DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "Settings"),
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
    "Message",
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
