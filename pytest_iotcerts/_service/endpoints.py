"""Where devices connect: the account's data, credentials and jobs endpoints."""

from __future__ import annotations

import hashlib

from .._aws.errors import invalid_request
from .._aws.partitions import partition_of
from ._scope import Scope

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _prefix(*parts: str) -> str:
    """A stable 14-character account prefix, shaped like AWS's (``a3k7odshaiipe8``)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:14])


class Endpoints:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def address(self, endpoint_type: str = "iot:Data") -> str:
        """Without a type the service answers the legacy (Symantec-signed) data endpoint."""
        addresses = self.addresses()
        if endpoint_type not in addresses:
            raise invalid_request(
                f"Endpoint type {endpoint_type} is not valid; use one of {', '.join(addresses)}."
            )
        return addresses[endpoint_type]

    def addresses(self) -> dict[str, str]:
        region, account = self._scope.region, self._scope.account_id
        suffix = partition_of(region).dns_suffix
        data = _prefix("data", account, region)
        # The ATS data endpoint is PREFIX-ats.iot... in most partitions, PREFIX.ats.iot... in China.
        ats = f"{data}.ats" if suffix.endswith(".cn") else f"{data}-ats"
        credentials = _prefix("credentials", account, region)
        return {
            "iot:Data": f"{data}.iot.{region}.{suffix}",
            "iot:Data-ATS": f"{ats}.iot.{region}.{suffix}",
            "iot:CredentialProvider": f"{credentials}.credentials.iot.{region}.{suffix}",
            "iot:Jobs": f"{_prefix('jobs', account, region)}.jobs.iot.{region}.{suffix}",
        }
