"""Fleet indexing: its configuration, the indices it makes, and search over the registry."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._aws.errors import ServiceError, not_found
from .._core.ordered import Filtered, Ordered
from .._core.resources import Thing, ThingGroup
from .._core.store import Connectivity
from .._engines.fleet_query import Document, candidates, compile_query
from .._engines.shadows import Shadow
from ._scope import Scope

THINGS_INDEX = "AWS_Things"
GROUPS_INDEX = "AWS_ThingGroups"


class Indexing:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def configuration(self) -> dict[str, dict[str, Any]]:
        with self._scope.store.lock:
            return {key: dict(value) for key, value in self._scope.state.indexing.items()}

    def configure(self, changes: dict[str, dict[str, Any]]) -> None:
        with self._scope.store.lock:
            self._scope.state.indexing.update({k: dict(v) for k, v in changes.items()})

    def indices(self) -> dict[str, str]:
        """The indices that exist (indexing on), each with its schema."""
        config = self.configuration()
        things = config["thingIndexingConfiguration"]
        found = {}
        if things.get("thingIndexingMode", "OFF") != "OFF":
            schema = things["thingIndexingMode"]
            if things.get("thingConnectivityIndexingMode", "OFF") != "OFF":
                schema += "_AND_CONNECTIVITY_STATUS"
            found[THINGS_INDEX] = schema
        groups = config["thingGroupIndexingConfiguration"]
        if groups.get("thingGroupIndexingMode", "OFF") != "OFF":
            found[GROUPS_INDEX] = "REGISTRY"
        return found

    def check_index(self, name: str) -> None:
        if name not in self.indices():
            raise not_found(
                f"The index {name} does not exist: turn fleet indexing on first "
                "(UpdateIndexingConfiguration)."
            )

    def search_things(self, query: str) -> list[Thing]:
        """The things a query matches, in creation order."""
        found = self.searched_things(query)
        return found.window(None, len(self._scope.state.things))

    def searched_things(self, query: str) -> Ordered[Thing]:
        """The things a query matches, in creation order, each checked only as a page reaches
        it. Its indexed terms (thing names, types, attributes) find the candidates, so a
        selective query costs its matches; a broad one, or one the index cannot narrow
        (ranges, negations, connectivity, groups), walks the fleet in order until the page is
        full."""
        self.check_index(THINGS_INDEX)
        matches = compile_query(query)
        things = self._scope.state.things
        with self._scope.store.lock:
            found = candidates(query, self._lookup)
            if found is None:
                base = things.in_order
            elif isinstance(found, Ordered):  # one indexed term: its order as kept
                base = found
            else:
                base = Ordered.of(found, key=lambda thing: thing.sequence)
        return Filtered(base, lambda thing: matches(self.thing_document(thing)))

    def _lookup(self, field: str, value: str, prefix: bool) -> Collection[Thing] | None:
        """The things an indexed term finds; None for a term not indexed, or one so broad
        (over a quarter of the fleet) that walking the fleet in order fills a page sooner."""
        things = self._scope.state.things
        attribute = field.startswith("attributes.") and bool(value)
        indexed = field == "thingName" or (field == "thingTypeName" and not prefix) or attribute
        if not indexed or things.count(field, value, prefix) > len(things) // 4:
            return None
        if field == "thingName":
            return things.named(value, prefix)
        if field == "thingTypeName":
            return things.selected(None, None, False, value)
        return things.selected(field.removeprefix("attributes."), value, prefix, None)

    def connectivity(self, thing: Thing) -> Connectivity:
        """The thing's latest connection (a client id of its name); never: not connected."""
        with self._scope.store.lock:
            found = self._scope.state.connectivity.get(thing.name)
        return found or Connectivity(False, 0)

    def search_groups(self, query: str) -> list[ThingGroup]:
        self.check_index(GROUPS_INDEX)
        matches = compile_query(query, "thingGroupName")
        with self._scope.store.lock:
            groups = list(self._scope.state.thing_groups.values())
        return [group for group in groups if matches(self.group_document(group))]

    def documents(self, query: str, index: str = THINGS_INDEX) -> list[Document]:
        """The index documents the query matches."""
        if index == GROUPS_INDEX:
            return [self.group_document(group) for group in self.search_groups(query)]
        self.check_index(index)  # an unknown index name is ResourceNotFoundException too
        return [self.thing_document(thing) for thing in self.search_things(query)]

    def matches_thing(self, query: dict[str, str], thing_name: str) -> bool:
        """Whether one thing is a member of a dynamic group with this query, now."""
        self.check_index(THINGS_INDEX)
        matches = compile_query(query["queryString"])
        with self._scope.store.lock:
            thing = self._scope.state.things.get(thing_name)
        return thing is not None and matches(self.thing_document(thing))

    def matching_things(self, query: dict[str, str]) -> list[str]:
        """A dynamic group's members: the things its query matches now."""
        return [thing.name for thing in self.search_things(query["queryString"])]

    def thing_document(self, thing: Thing) -> Document:
        connectivity = self.connectivity(thing)
        document: dict[str, Any] = {
            "thingName": thing.name,
            "thingId": thing.thing_id,
            "thingTypeName": thing.thing_type_name,
            "thingGroupNames": thing.thing_groups,
            "registry.version": thing.version,
            "connectivity.connected": connectivity.connected,
        }
        if connectivity.timestamp:
            document["connectivity.timestamp"] = connectivity.timestamp
        if connectivity.disconnect_reason:
            document["connectivity.disconnectReason"] = connectivity.disconnect_reason
        document.update({f"attributes.{k}": v for k, v in thing.attributes.items()})
        for name, shadow in self.indexed_shadows(thing).items():
            document.update(_shadow_fields(shadow, "shadow" if not name else f"shadow.name.{name}"))
        return document

    def indexed_shadows(self, thing: Thing) -> dict[str, Shadow]:
        """The thing's shadows fleet indexing indexes: the classic one ("") with a
        ``REGISTRY_AND_SHADOW`` mode, and the named ones ``namedShadowNames`` lists when
        ``namedShadowIndexingMode`` is ON."""
        with self._scope.store.lock:
            config = self._scope.state.indexing["thingIndexingConfiguration"]
            if "SHADOW" not in str(config.get("thingIndexingMode", "")):
                return {}
            wanted = [""]
            if config.get("namedShadowIndexingMode") == "ON":
                names = (config.get("filter") or {}).get("namedShadowNames") or []
                wanted += [str(name) for name in names]
            shadows = self._scope.state.shadows
            return {
                name: shadows[(thing.name, name)]
                for name in wanted
                if (thing.name, name) in shadows
            }

    @staticmethod
    def group_document(group: ThingGroup) -> Document:
        attributes = (group.properties.get("attributePayload") or {}).get("attributes") or {}
        document: dict[str, Any] = {
            "thingGroupName": group.name,
            "thingGroupId": group.group_id,
            "thingGroupDescription": group.properties.get("thingGroupDescription"),
            "parentGroupNames": [group.parent_name] if group.parent_name else [],
            "version": group.version,
        }
        document.update({f"attributes.{k}": v for k, v in attributes.items()})
        return document

    def check_query(self, query: dict[str, str]) -> None:
        """A dynamic group's query: its index must exist and its query parse."""
        index = query.get("indexName", THINGS_INDEX)
        if index != THINGS_INDEX:
            raise ServiceError(
                "InvalidRequestException", f"Dynamic thing groups query {THINGS_INDEX} only."
            )
        self.check_index(index)
        compile_query(query["queryString"])


def _shadow_fields(shadow: Shadow, prefix: str) -> dict[str, Any]:
    """A shadow as fleet indexing's fields: ``shadow.reported.a.b``, ``shadow.desired...``,
    ``shadow.hasDelta``, ``shadow.version`` (``shadow.name.NAME...`` for a named one)."""
    fields: dict[str, Any] = {
        f"{prefix}.hasDelta": shadow.delta() is not None,
        f"{prefix}.version": shadow.version,
    }
    for section in ("reported", "desired"):
        _flatten(shadow.state.get(section) or {}, f"{prefix}.{section}", fields)
    return fields


def _flatten(value: Any, path: str, fields: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}", fields)
    elif isinstance(value, list):
        fields[path] = [item for item in value if not isinstance(item, (dict, list))]
    elif value is not None:
        fields[path] = value
