"""DescribeEndpoint: where devices connect with the certificates issued here."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from .._errors import invalid_request
from .._partitions import partition_of
from .._router import RequestContext
from ._common import operation

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _prefix(*parts: str) -> str:
    """A stable 14-character account prefix, shaped like AWS's (``a3k7odshaiipe8``)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:14])


@operation("DescribeEndpoint")
def describe_endpoint(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    region, account = context.region, context.account_id
    suffix = partition_of(region).dns_suffix
    data = _prefix("data", account, region)
    # The ATS data endpoint is PREFIX-ats.iot... in most partitions, PREFIX.ats.iot... in China.
    ats = f"{data}.ats" if suffix.endswith(".cn") else f"{data}-ats"
    addresses = {
        # Without endpointType the service answers the legacy (Symantec-signed) data endpoint.
        "iot:Data": f"{data}.iot.{region}.{suffix}",
        "iot:Data-ATS": f"{ats}.iot.{region}.{suffix}",
        "iot:CredentialProvider": (
            f"{_prefix('credentials', account, region)}.credentials.iot.{region}.{suffix}"
        ),
        "iot:Jobs": f"{_prefix('jobs', account, region)}.jobs.iot.{region}.{suffix}",
    }
    endpoint_type = params.get("endpointType", "iot:Data")
    if endpoint_type not in addresses:
        raise invalid_request(
            f"Endpoint type {endpoint_type} is not valid; use one of {', '.join(addresses)}."
        )
    return {"endpointAddress": addresses[endpoint_type]}
