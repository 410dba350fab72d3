"""Fleet indexing's fields and their types, as the AWS IoT Developer Guide lists them ("Managed
fields", and GetIndexingConfiguration's answer): the managed fields each data source adds to
an index, and the custom fields a configuration declares (``customFields``: Number, String or
Boolean). An aggregation query (GetStatistics, GetCardinality, GetPercentiles,
GetBucketsAggregation) on a field that is neither is refused, as the guide's troubleshooting
page says ("to make aggregation queries on non-managed fields, you must specify a field you
defined in the customFields argument")."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

REGISTRY = (
    ("thingName", "String"),
    ("thingId", "String"),
    ("registry.version", "Number"),
    ("registry.thingTypeName", "String"),
    ("registry.thingGroupNames", "String"),
)
SHADOW = (("shadow.version", "Number"), ("shadow.hasDelta", "Boolean"))
NAMED_SHADOW = (("shadow.name.*.version", "Number"), ("shadow.name.*.hasDelta", "Boolean"))
CONNECTIVITY = (
    ("connectivity.connected", "Boolean"),
    ("connectivity.timestamp", "Number"),
    ("connectivity.disconnectReason", "String"),
    ("connectivity.version", "Number"),
)
THING_GROUPS = (
    ("thingGroupName", "String"),
    ("thingGroupId", "String"),
    ("description", "String"),
    ("parentGroupNames", "String"),
    ("version", "Number"),
)
# A managed field's name -> the key our index documents hold it under, where they differ.
DOCUMENT_KEYS = {
    "registry.thingTypeName": "thingTypeName",
    "registry.thingGroupNames": "thingGroupNames",
    "description": "thingGroupDescription",
}
TYPES = ("Number", "String", "Boolean")


def managed_things(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The managed fields of the things index under a ``thingIndexingConfiguration``."""
    if config.get("thingIndexingMode", "OFF") == "OFF":
        return []
    fields = list(REGISTRY)
    if "SHADOW" in str(config.get("thingIndexingMode")):
        fields += SHADOW
    if config.get("namedShadowIndexingMode") == "ON":
        fields += NAMED_SHADOW
    if config.get("thingConnectivityIndexingMode", "OFF") != "OFF":
        fields += CONNECTIVITY
    return fields


def managed_groups(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The managed fields of the thing groups index under a ``thingGroupIndexingConfiguration``."""
    return list(THING_GROUPS) if config.get("thingGroupIndexingMode", "OFF") == "ON" else []


def as_fields(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "type": kind} for name, kind in pairs]


def type_of(field: str, managed: list[tuple[str, str]], custom: Any) -> str | None:
    """The type of an aggregation field (a managed one, also by the name queries use for it,
    or a custom one), or None: neither, so not aggregated."""
    for name, kind in managed:
        if fnmatch.fnmatchcase(field, name) or DOCUMENT_KEYS.get(name) == field:
            return kind
    for declared in custom or ():
        if declared.get("name") == field:
            return str(declared.get("type") or "String")
    return None


def document_key(field: str) -> str:
    """Where an index document keeps a field."""
    return DOCUMENT_KEYS.get(field, field)
