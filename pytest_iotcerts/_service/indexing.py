"""Fleet indexing: its configuration, the indices it makes, and search over the registry."""

from __future__ import annotations

from typing import Any

from .._errors import ServiceError, not_found
from .._fleet_query import Document, compile_query
from .._resources import Thing, ThingGroup
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

    def search(self, query: str, index: str = THINGS_INDEX) -> list[Thing] | list[ThingGroup]:
        self.check_index(index)
        matches = compile_query(query)
        with self._scope.store.lock:
            if index == GROUPS_INDEX:
                groups = list(self._scope.state.thing_groups.values())
                return [g for g in groups if matches(self.group_document(g))]
            things = list(self._scope.state.things.values())
            return [t for t in things if matches(self.thing_document(t))]

    def matching_things(self, query: dict[str, str]) -> list[str]:
        """A dynamic group's members: the things its query matches now."""
        found = self.search(query["queryString"], query.get("indexName", THINGS_INDEX))
        return [thing.name for thing in found]

    @staticmethod
    def thing_document(thing: Thing) -> Document:
        document: dict[str, Any] = {
            "thingName": thing.name,
            "thingId": thing.thing_id,
            "thingTypeName": thing.thing_type_name,
            "thingGroupNames": thing.thing_groups,
            "registry.version": thing.version,
            "connectivity.connected": False,
        }
        document.update({f"attributes.{k}": v for k, v in thing.attributes.items()})
        return document

    @staticmethod
    def group_document(group: ThingGroup) -> Document:
        attributes = (group.properties.get("attributePayload") or {}).get("attributes") or {}
        document: dict[str, Any] = {
            "thingGroupName": group.name,
            "thingGroupId": group.group_id,
            "thingGroupDescription": group.properties.get("thingGroupDescription"),
            "parentGroupNames": [group.parent_name] if group.parent_name else [],
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
