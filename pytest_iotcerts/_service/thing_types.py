"""Thing types: created, described, updated, deprecated (and back), deleted once unused."""

from __future__ import annotations

from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import already_exists, invalid_request
from .._core.ordered import Ordered
from .._core.resources import ThingType
from ._scope import Scope
from .events import RegistryEvents

# AWS IoT's quota: searchable attributes per thing type.
MAX_SEARCHABLE_ATTRIBUTES = 3


def _check_properties(properties: dict[str, Any]) -> None:
    searchable = properties.get("searchableAttributes") or []
    if len(searchable) > MAX_SEARCHABLE_ATTRIBUTES:
        raise invalid_request(
            f"A thing type has at most {MAX_SEARCHABLE_ATTRIBUTES} searchable attributes, not "
            f"{len(searchable)}."
        )


class ThingTypes:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, properties: dict[str, Any] | None = None) -> ThingType:
        properties = dict(properties or {})
        _check_properties(properties)
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.thing_types.get(name)
            if existing is not None:
                if existing.properties == properties:
                    return existing  # the same definition again succeeds, as for things
                raise already_exists(
                    f"The thing type {name} already exists with different properties.",
                    existing.thing_type_id,
                    existing.arn,
                )
            thing_type = state.thing_types[name] = ThingType(
                name,
                **self._scope.placement,
                properties=properties,
            )
            RegistryEvents(self._scope).thing_type("CREATED", thing_type)
            return thing_type

    def get(self, name: str) -> ThingType:
        with self._scope.store.lock:
            return self._scope.thing_type(name)

    def select(self, name: str | None = None) -> list[ThingType] | Ordered[ThingType]:
        if name is None:  # by creation, as held: a page costs O(page + log n)
            return self._scope.state.thing_types.in_order
        with self._scope.store.lock:
            types = list(self._scope.state.thing_types.values())
        return [t for t in types if name in (None, t.name)]

    def update(self, name: str, properties: dict[str, Any]) -> ThingType:
        _check_properties(properties)
        with self._scope.store.lock:
            thing_type = self._scope.thing_type(name)
            thing_type.properties.update(properties)
            RegistryEvents(self._scope).thing_type("UPDATED", thing_type)
            return thing_type

    def deprecate(self, name: str, *, undo: bool = False) -> ThingType:
        """A deprecated type takes no new things; ``undo`` makes it usable again."""
        with self._scope.store.lock:
            thing_type = self._scope.thing_type(name)
            thing_type.deprecated = not undo
            thing_type.deprecation_date = None if undo else timestamp()
            RegistryEvents(self._scope).thing_type("UPDATED", thing_type)
            return thing_type

    def delete(self, name: str) -> None:
        """Only a deprecated type that no thing uses can be deleted."""
        state = self._scope.state
        with self._scope.store.lock:
            thing_type = self._scope.thing_type(name)
            if not thing_type.deprecated:
                raise invalid_request(
                    f"The thing type {name} must be deprecated (DeprecateThingType) before it is "
                    "deleted."
                )
            users = sorted(t.name for t in state.things.values() if t.thing_type_name == name)
            if users:
                raise invalid_request(
                    f"The thing type {name} is still used by {len(users)} thing(s) "
                    f"({', '.join(users[:5])}); change or remove their type first."
                )
            del state.thing_types[name]
            state.tags.pop(thing_type.arn, None)
            RegistryEvents(self._scope).thing_type("DELETED", thing_type)

    def check_usable(self, name: str) -> ThingType:
        """The type a thing is given: it must exist and not be deprecated."""
        thing_type = self._scope.thing_type(name)
        if thing_type.deprecated:
            raise invalid_request(
                f"The thing type {name} is deprecated: it takes no new things "
                "(DeprecateThingType with undoDeprecate to use it again)."
            )
        return thing_type
