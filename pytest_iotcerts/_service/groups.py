"""Static thing groups (a hierarchy of groups holding things) and billing groups."""

from __future__ import annotations

from typing import Any

from .._aws.errors import ServiceError, already_exists, invalid_request
from .._core.links import Link
from .._core.ordered import Ordered
from .._core.resources import BillingGroup, Thing, ThingGroup
from . import fleet_changes
from ._scope import Scope
from .events import RegistryEvents
from .indexing import Indexing

# AWS IoT's documented limits.
MAX_HIERARCHY_DEPTH = 7
MAX_GROUPS_PER_THING = 10


def _check_version(kind: str, name: str, version: int, expected: int | None) -> None:
    if expected is not None and expected != version:
        raise ServiceError(
            "VersionConflictException",
            f"The {kind} {name} is at version {version}, not {expected}.",
        )


def _merged_properties(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Properties as UpdateThingGroup leaves them: attributes merged when asked (an empty value
    removes one), replaced otherwise; other properties replaced when given."""
    result = {**current, **{k: v for k, v in given.items() if k != "attributePayload"}}
    payload = given.get("attributePayload")
    if payload is not None:
        old = dict((current.get("attributePayload") or {}).get("attributes") or {})
        new = {**(old if payload.get("merge") else {}), **(payload.get("attributes") or {})}
        result["attributePayload"] = {"attributes": {k: v for k, v in new.items() if v != ""}}
    return result


class ThingGroups:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(
        self, name: str, *, parent_name: str | None = None, properties: dict[str, Any] | None = None
    ) -> ThingGroup:
        """A new group, under ``parent_name`` (fixed for good); the same definition again
        returns the existing group."""
        properties = _merged_properties({}, dict(properties or {}))
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.thing_groups.get(name)
            if existing is not None:
                if (existing.parent_name, existing.properties) == (parent_name, properties):
                    return existing
                raise already_exists(
                    f"The thing group {name} already exists with a different configuration.",
                    existing.group_id,
                    existing.arn,
                )
            if parent_name is not None:
                if self._scope.thing_group(parent_name).query is not None:
                    raise invalid_request("A dynamic thing group cannot be a parent.")
                depth = len(self.ancestors(parent_name)) + 2
                if depth > MAX_HIERARCHY_DEPTH:
                    raise invalid_request(
                        f"A thing group hierarchy is at most {MAX_HIERARCHY_DEPTH} levels deep; "
                        f"{name} under {parent_name} would be level {depth}."
                    )
            group = state.thing_groups[name] = ThingGroup(
                name,
                **self._scope.placement,
                parent_name=parent_name,
                properties=properties,
            )
            self._created(group)
            return group

    def _created(self, group: ThingGroup) -> None:
        events = RegistryEvents(self._scope)
        events.thing_group("CREATED", group)
        if group.parent_name is not None:
            events.hierarchy("ADDED", self._scope.thing_group(group.parent_name), group)

    def get(self, name: str) -> ThingGroup:
        with self._scope.store.lock:
            return self._scope.thing_group(name)

    def create_dynamic(
        self, name: str, query: dict[str, str], properties: dict[str, Any] | None = None
    ) -> ThingGroup:
        """A group whose members are the things a fleet indexing query matches, now."""
        Indexing(self._scope).check_query(query)
        state = self._scope.state
        with self._scope.store.lock:
            if name in state.thing_groups:
                existing = state.thing_groups[name]
                raise already_exists(
                    f"The thing group {name} already exists.",
                    existing.group_id,
                    existing.arn,
                )
            group = state.thing_groups[name] = ThingGroup(
                name,
                **self._scope.placement,
                properties=_merged_properties({}, dict(properties or {})),
                query={"indexName": "AWS_Things", "queryVersion": "2017-09-30", **query},
            )
            self._created(group)
            return group

    def update_dynamic(
        self,
        name: str,
        properties: dict[str, Any],
        query: dict[str, str],
        *,
        expected_version: int | None = None,
    ) -> int:
        with self._scope.store.lock:
            group = self._dynamic(name)
            _check_version("thing group", name, group.version, expected_version)
            if query:
                new_query = {**(group.query or {}), **query}
                Indexing(self._scope).check_query(new_query)
                group.query = new_query
            group.properties = _merged_properties(group.properties, properties)
            group.version += 1
            RegistryEvents(self._scope).thing_group("UPDATED", group)
            return group.version

    def delete_dynamic(self, name: str, *, expected_version: int | None = None) -> None:
        with self._scope.store.lock:
            if name in self._scope.state.thing_groups:
                self._dynamic(name)
            self.delete(name, expected_version=expected_version)

    def _dynamic(self, name: str) -> ThingGroup:
        group = self._scope.thing_group(name)
        if group.query is None:
            raise invalid_request(f"The thing group {name} is static, not dynamic.")
        return group

    def _static(self, name: str) -> ThingGroup:
        group = self._scope.thing_group(name)
        if group.query is not None:
            raise invalid_request(
                f"The thing group {name} is dynamic: its members are the things its query "
                "matches, and cannot be added or removed."
            )
        return group

    def ancestors(self, name: str) -> list[ThingGroup]:
        """The groups above ``name``, the root first."""
        with self._scope.store.lock:
            chain: list[ThingGroup] = []
            parent = self._scope.thing_group(name).parent_name
            while parent is not None:
                group = self._scope.thing_group(parent)
                chain.insert(0, group)
                parent = group.parent_name
            return chain

    def descendants(self, name: str, *, recursive: bool = True) -> list[ThingGroup]:
        with self._scope.store.lock:
            groups = list(self._scope.state.thing_groups.values())
        children = [g for g in groups if g.parent_name == name]
        if not recursive:
            return children
        return children + [d for child in children for d in self.descendants(child.name)]

    def in_order(self) -> Ordered[ThingGroup]:
        """The thing groups by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.thing_groups.in_order

    def select(
        self, *, parent: str | None = None, prefix: str | None = None, recursive: bool = False
    ) -> list[ThingGroup]:
        """ListThingGroups: every group, or those under ``parent`` (direct children unless
        ``recursive``), whose names start with ``prefix``."""
        with self._scope.store.lock:
            if parent is None:
                groups = list(self._scope.state.thing_groups.values())
            else:
                self._scope.thing_group(parent)
                groups = self.descendants(parent, recursive=recursive)
        return sorted(
            (g for g in groups if g.name.startswith(prefix or "")), key=lambda g: g.sequence
        )

    def update(
        self, name: str, properties: dict[str, Any], *, expected_version: int | None = None
    ) -> int:
        with self._scope.store.lock:
            group = self._scope.thing_group(name)
            _check_version("thing group", name, group.version, expected_version)
            group.properties = _merged_properties(group.properties, properties)
            group.version += 1
            RegistryEvents(self._scope).thing_group("UPDATED", group)
            return group.version

    def delete(self, name: str, *, expected_version: int | None = None) -> None:
        """A group with child groups stays; deleting one that does not exist succeeds."""
        state = self._scope.state
        with self._scope.store.lock:
            group = state.thing_groups.get(name)
            if group is None:
                return
            _check_version("thing group", name, group.version, expected_version)
            children = self.descendants(name, recursive=False)
            if children:
                raise invalid_request(
                    f"Cannot delete thing group {name} while it has child groups "
                    f"({', '.join(c.name for c in children)})."
                )
            state.links.group_things.drop_left(name)
            state.tags.pop(group.arn, None)
            del state.thing_groups[name]
            events = RegistryEvents(self._scope)
            parent = state.thing_groups.get(group.parent_name or "")
            if parent is not None:
                events.hierarchy("REMOVED", parent, group)
            events.thing_group("DELETED", group)

    def add_thing(self, name: str, thing_name: str) -> None:
        """A thing is in at most ten groups, and in one group of a hierarchy."""
        relation = self._scope.links.group_things
        with self._scope.store.lock:
            group = self._static(name)
            self._scope.thing(thing_name)
            if relation.get(name, thing_name) is not None:
                return
            current = relation.lefts(thing_name)
            if len(current) >= MAX_GROUPS_PER_THING:
                raise invalid_request(
                    f"The thing {thing_name} is already in {MAX_GROUPS_PER_THING} thing groups, "
                    "the most a thing can be in."
                )
            root = self._root(group)
            same_hierarchy = [g for g in current if self._root(self._scope.thing_group(g)) == root]
            if same_hierarchy:
                raise invalid_request(
                    f"The thing {thing_name} is already in {same_hierarchy[0]}, of the same "
                    f"hierarchy as {name} (root {root}); a thing can be in one group of a "
                    "hierarchy."
                )
            relation.link(name, thing_name)
            RegistryEvents(self._scope).membership("ADDED", group, self._scope.thing(thing_name))
            fleet_changes.thing_joined(self._scope, name, thing_name)

    def _root(self, group: ThingGroup) -> str:
        chain = self.ancestors(group.name)
        return chain[0].name if chain else group.name

    def remove_thing(self, name: str, thing_name: str) -> None:
        with self._scope.store.lock:
            group = self._static(name)
            thing = self._scope.thing(thing_name)
            if self._scope.links.group_things.get(name, thing_name) is not None:
                self._scope.links.group_things.unlink(name, thing_name)
                RegistryEvents(self._scope).membership("REMOVED", group, thing)

    def things_in(self, name: str, *, recursive: bool = False) -> list[str]:
        """Things in the group (and its descendants, if ``recursive``), in the order added."""
        with self._scope.store.lock:
            group = self._scope.thing_group(name)
            if group.query is not None:
                return Indexing(self._scope).matching_things(group.query)
            groups = [name] + [g.name for g in self.descendants(name)] * recursive
            links = [
                link for group in groups for link in self._scope.links.group_things.of_left(group)
            ]
        seen: dict[str, None] = {}
        for link in sorted(links, key=lambda link: link.sequence):
            seen.setdefault(link.right)
        return list(seen)

    def members(self, name: str, *, recursive: bool = False) -> Ordered[Link[str, str]] | list[str]:
        """ListThingsInThingGroup's things: a static group's own members as an order to page
        from (O(page + log n)); a dynamic group's, or with its descendants', as a list."""
        with self._scope.store.lock:
            group = self._scope.thing_group(name)
            if group.query is None and not recursive:
                return self._scope.links.group_things.ordered_of_left(name)
        return self.things_in(name, recursive=recursive)

    def dynamic_members(self, name: str) -> Ordered[Thing] | None:
        """A dynamic group's things (its query's matches) as an order to page from, each
        checked only as a page reaches it; None for a static group."""
        with self._scope.store.lock:
            query = self._scope.thing_group(name).query
        if query is None:
            return None
        return Indexing(self._scope).searched_things(query["queryString"])

    def of_thing(self, thing_name: str) -> list[ThingGroup]:
        with self._scope.store.lock:
            self._scope.thing(thing_name)
            names = self._scope.links.group_things.lefts(thing_name)
            return [self._scope.thing_group(n) for n in names]

    def update_for_thing(self, thing_name: str, add: list[str], remove: list[str]) -> None:
        """UpdateThingGroupsForThing: all or nothing (every group is checked first)."""
        with self._scope.store.lock:
            self._scope.thing(thing_name)
            for name in add + remove:
                self._scope.thing_group(name)
            for name in remove:
                self.remove_thing(name, thing_name)
            for name in add:
                self.add_thing(name, thing_name)


class BillingGroups:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, properties: dict[str, Any] | None = None) -> BillingGroup:
        properties = dict(properties or {})
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.billing_groups.get(name)
            if existing is not None:
                if existing.properties == properties:
                    return existing
                raise already_exists(
                    f"The billing group {name} already exists with a different configuration.",
                    existing.group_id,
                    existing.arn,
                )
            group = state.billing_groups[name] = BillingGroup(
                name,
                **self._scope.placement,
                properties=properties,
            )
            return group

    def get(self, name: str) -> BillingGroup:
        with self._scope.store.lock:
            return self._scope.billing_group(name)

    def in_order(self) -> Ordered[BillingGroup]:
        """The billing groups by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.billing_groups.in_order

    def select(self, prefix: str | None = None) -> list[BillingGroup]:
        with self._scope.store.lock:
            groups = list(self._scope.state.billing_groups.values())
        return [g for g in groups if g.name.startswith(prefix or "")]

    def update(
        self, name: str, properties: dict[str, Any], *, expected_version: int | None = None
    ) -> int:
        with self._scope.store.lock:
            group = self._scope.billing_group(name)
            _check_version("billing group", name, group.version, expected_version)
            group.properties = dict(properties)
            group.version += 1
            return group.version

    def delete(self, name: str, *, expected_version: int | None = None) -> None:
        """Its things leave it; deleting one that does not exist succeeds."""
        state = self._scope.state
        with self._scope.store.lock:
            group = state.billing_groups.get(name)
            if group is None:
                return
            _check_version("billing group", name, group.version, expected_version)
            state.links.billing_things.drop_left(name)
            state.tags.pop(group.arn, None)
            del state.billing_groups[name]

    def add_thing(self, name: str, thing_name: str) -> None:
        """A thing is in at most one billing group."""
        relation = self._scope.links.billing_things
        with self._scope.store.lock:
            self._scope.billing_group(name)
            self._scope.thing(thing_name)
            others = [g for g in relation.lefts(thing_name) if g != name]
            if others:
                raise invalid_request(
                    f"The thing {thing_name} is already in billing group {others[0]}; a thing "
                    "can be in one billing group (RemoveThingFromBillingGroup first)."
                )
            relation.link(name, thing_name)

    def remove_thing(self, name: str, thing_name: str) -> None:
        with self._scope.store.lock:
            self._scope.billing_group(name)
            self._scope.thing(thing_name)
            self._scope.links.billing_things.unlink(name, thing_name)

    def things_in(self, name: str) -> list[str]:
        with self._scope.store.lock:
            return list(self._scope.billing_group(name).things)

    def members(self, name: str) -> Ordered[Link[str, str]]:
        """ListThingsInBillingGroup's things, as an order to page from (O(page + log n))."""
        with self._scope.store.lock:
            self._scope.billing_group(name)
            return self._scope.links.billing_things.ordered_of_left(name)
