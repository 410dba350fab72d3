"""Tags on the resources AWS IoT lets you tag, keyed by the resource's ARN."""

from __future__ import annotations

import re
from collections.abc import Callable

from .._aws.errors import ServiceError, invalid_request, not_found
from .._core.store import RegionState
from ._scope import Scope

# AWS's quota: tags per resource.
MAX_TAGS = 50
_ARN = re.compile(
    r"^arn:aws[a-z-]*:iot:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(?P<kind>[a-z]+)/(?P<name>.+)$"
)

# ARN resource kind -> whether the region holds a resource of that name (or id).
TAGGABLE: dict[str, Callable[[RegionState, str], bool]] = {
    "thingtype": lambda state, name: name in state.thing_types,
    "policy": lambda state, name: name in state.policies,
    "cacert": lambda state, name: name in state.ca_certificates,
    "thinggroup": lambda state, name: name in state.thing_groups,
    "billinggroup": lambda state, name: name in state.billing_groups,
    "rolealias": lambda state, name: name in state.role_aliases,
    "authorizer": lambda state, name: name in state.authorizers,
    "domainconfiguration": lambda state, name: name.split("/")[0] in state.domain_configurations,
    "job": lambda state, name: name in state.jobs,
    "jobtemplate": lambda state, name: name in state.job_templates,
    "rule": lambda state, name: name in state.topic_rules,
    "provisioningtemplate": lambda state, name: name in state.provisioning_templates,
    "certprovider": lambda state, name: name in state.certificate_providers,
    "fleetmetric": lambda state, name: name in state.fleet_metrics,
    "package": lambda state, name: _package_resource_exists(state, name),
}


def _package_resource_exists(state: RegionState, name: str) -> bool:
    """``NAME`` (a package) or ``NAME/version/VERSION`` (one of its versions)."""
    package_name, _, version = name.partition("/version/")
    package = state.packages.get(package_name)
    return package is not None and (not version or version in package.versions)


class Tags:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        with self._scope.store.lock:
            held = self._held(arn)
            merged = {**held, **tags}
            if len(merged) > MAX_TAGS:
                raise ServiceError(
                    "LimitExceededException",
                    f"A resource has at most {MAX_TAGS} tags; {arn} would have {len(merged)}.",
                )
            held.update(tags)

    def untag(self, arn: str, keys: list[str]) -> None:
        with self._scope.store.lock:
            held = self._held(arn, create=False)
            for key in keys:
                held.pop(key, None)

    def of(self, arn: str) -> dict[str, str]:
        with self._scope.store.lock:
            return dict(self._held(arn, create=False))

    def _held(self, arn: str, *, create: bool = True) -> dict[str, str]:
        """The live tags of an existing, taggable resource of the caller's (an empty entry made
        for it unless ``create`` is False: reading changes nothing)."""
        found = _ARN.match(arn)
        if found is None or found.group("kind") not in TAGGABLE:
            raise invalid_request(f"{arn} is not the ARN of an AWS IoT resource that takes tags.")
        exists = TAGGABLE[found.group("kind")]
        name = found.group("name")
        state = self._scope.state
        if (found.group("account"), found.group("region")) != (
            self._scope.account_id,
            self._scope.region,
        ) or not exists(state, name):
            raise not_found(f"The resource {arn} does not exist.")
        return state.tags.setdefault(arn, {}) if create else state.tags.get(arn, {})
