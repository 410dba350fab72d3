"""AWS partitions and the IoT control plane's hosts, from botocore's own data.

The partition of a region (``aws``, ``aws-cn``, ``aws-us-gov``, ...) decides the ARN prefix and
the DNS suffix of the endpoints DescribeEndpoint hands out. The hosts a botocore client can send
IoT requests to (standard, FIPS, dual-stack, in every partition) come from resolving botocore's
IoT endpoint ruleset for every known region: no table of ours to fall out of date.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.loaders

_REGION_PLACEHOLDER = "{region}"
_REGION_PATTERN = r"([a-z0-9-]+)"
_ACCOUNT_PLACEHOLDER = "{account}"
_ACCOUNT_PATTERN = r"(?:[a-z0-9]+)"
# The account's own endpoints DescribeEndpoint hands out (iot:Data-ATS, iot:Data, iot:Jobs,
# iot:CredentialProvider), which real code uses as endpoint URLs.
_ACCOUNT_ENDPOINTS = (
    "{account}-ats.iot.{region}.",
    "{account}.ats.iot.{region}.",
    "{account}.iot.{region}.",
    "{account}.jobs.iot.{region}.",
    "{account}.credentials.iot.{region}.",
)


@dataclass(frozen=True)
class Partition:
    name: str  # the ARN's partition: arn:{name}:iot:...
    dns_suffix: str  # amazonaws.com, amazonaws.com.cn, ...
    dual_stack_dns_suffix: str


@functools.cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = botocore.loaders.create_loader().load_data("partitions")
    return data


@functools.cache
def partition_of(region: str) -> Partition:
    """The partition a region belongs to: listed by name, else by the partition's region regex;
    a region no partition claims (a made-up one in a test) is in ``aws``."""
    partitions = _data()["partitions"]
    chosen = next((p for p in partitions if region in p["regions"]), None)
    if chosen is None:
        chosen = next((p for p in partitions if re.match(p["regionRegex"], region)), None)
    if chosen is None:
        chosen = next(p for p in partitions if p["id"] == "aws")
    outputs = chosen["outputs"]
    return Partition(outputs["name"], outputs["dnsSuffix"], outputs["dualStackDnsSuffix"])


def iot_arn(region: str, account_id: str, resource: str) -> str:
    """``arn:{partition}:iot:{region}:{account}:{resource}``."""
    return f"arn:{partition_of(region).name}:iot:{region}:{account_id}:{resource}"


class IotHosts:
    """Every host botocore's IoT endpoint ruleset can produce, as patterns with the region."""

    def __init__(self, templates: frozenset[str]) -> None:
        self.templates = templates
        alternatives = sorted(
            re.escape(t)
            .replace(re.escape(_REGION_PLACEHOLDER), _REGION_PATTERN)
            .replace(re.escape(_ACCOUNT_PLACEHOLDER), _ACCOUNT_PATTERN)
            for t in templates
        )
        self._patterns = [re.compile(f"^{a}$") for a in alternatives]
        self.url_pattern = re.compile(rf"^https?://(?:{'|'.join(alternatives)})(?::\d+)?(?:/|$)")

    def region_of(self, host: str) -> str | None:
        """The region in an IoT control-plane or jobs data-plane host; None for any other."""
        for pattern in self._patterns:
            found = pattern.match(host.lower())
            if found:
                return found.group(1)
        return None


# The services whose hosts the doors answer: the control plane, the jobs data plane, the data
# plane (shadows, Publish, retained messages).
HOSTED_SERVICES = ("iot", "iot-jobs-data", "iot-data")


@functools.cache
def iot_hosts() -> IotHosts:
    """Resolved once per process (about 50 ms), only when a door that matches hosts needs it."""
    from botocore.endpoint_provider import EndpointProvider

    loader = botocore.loaders.create_loader()
    templates: set[str] = set()
    for service in HOSTED_SERVICES:
        ruleset = loader.load_service_model(service, "endpoint-rule-set-1")
        templates |= _templates(EndpointProvider(ruleset, _data()))
    for partition in _data()["partitions"]:
        suffixes = {partition["outputs"]["dnsSuffix"], partition["outputs"]["dualStackDnsSuffix"]}
        templates |= {
            f"{endpoint}{suffix}" for endpoint in _ACCOUNT_ENDPOINTS for suffix in suffixes
        }
    return IotHosts(frozenset(templates))


def _templates(provider: Any) -> set[str]:
    """Every host the ruleset resolves to, with the region as a placeholder."""
    from botocore.exceptions import EndpointResolutionError

    templates: set[str] = set()
    for partition in _data()["partitions"]:
        for region in partition["regions"]:
            for fips in (False, True):
                for dual_stack in (False, True):
                    try:
                        url = provider.resolve_endpoint(
                            Region=region, UseFIPS=fips, UseDualStack=dual_stack
                        ).url
                    except EndpointResolutionError:
                        continue  # a combination the partition does not offer
                    host = urlsplit(url).hostname or ""
                    if region in host:
                        templates.add(host.replace(region, _REGION_PLACEHOLDER))
    return templates
